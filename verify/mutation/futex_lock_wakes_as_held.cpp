// Mutation: a woken futex_lock waiter takes the lock as plain `held` (1) instead of
// `held_with_sleepers` (2) — Drepper's lost wake-up ("Futexes Are Tricky", the reason for the
// third mutex). It breaks O4's "2, never 1".
//
// MUTATE locked/futex_lock.hpp
// - seen = word_.exchange(held_with_sleepers, sync::acquire, loc);  // 2, never 1: see above
// + seen = word_.exchange(held, sync::acquire, loc);
//
// Three threads. One holds the lock while two sleep on it; the holder's unlock wakes one
// sleeper, which takes the lock and writes 1 over the 0, erasing the fact that the other still
// sleeps, and its own unlock then finds 1 and wakes nobody: the second sleeper sleeps for ever.
// The same write shows sooner in another schedule, which is what Relacy reports: the woken
// waiter writes 1 over a lock that a third thread has just taken, so its futex wait (for 2)
// returns at once, again and again — a waiter spinning where it should sleep, which Relacy
// calls a livelock.
#include <lockstep/locked/futex_lock.hpp>

#include "../relacy/lock_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::mutual_exclusion<locked::futex_lock, 3, 1>>(
      "futex_lock waking as held: a waiter spins or is never woken", verify::search::bounded(3),
      rl::test_result_livelock);
  return checks.result();
}
