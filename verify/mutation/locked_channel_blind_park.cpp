// Mutation: a waiter that parks without re-checking. The channel's parker sets its `parked`
// bit with a plain store instead of a CAS over the state it last saw.
//
// MUTATE locked/channel.hpp
// - return state_.compare_exchange_strong(s, s | parked, sync::acquire, loc);
// + state_.store(s | parked, sync::relaxed, loc); return true;
//
// A receiver that found nothing queues itself and unlocks; a sender then hands it the value and
// stores `done`, seeing no parked bit, so it wakes nobody. The receiver's blind store turns
// `done` back into `waiting | parked` and it sleeps on a word no one will change again: the
// lost wake-up, which Relacy reports as a deadlock when every other thread has finished.
#include <lockstep/locked/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<send_receive<constructed_with<locked::channel<token>, 0>, 1, 1>>(
      "locked::channel parking blindly: lost wake-up", search::bounded(2), rl::test_result_deadlock);
  return checks.result();
}
