// Mutation: ticket_lock grants the next ticket with a relaxed store (removes O3, the release
// that pairs with O1 and O2).
//
// MUTATE locked/ticket_lock.hpp
// - now_serving_.store(now_serving_.load(sync::relaxed) + 1, sync::release);
// + now_serving_.store(now_serving_.load(sync::relaxed) + 1, sync::relaxed);
//
// The waiter's acquire load of now serving then synchronises with nothing: it is granted the
// lock without the previous critical section happening before its own, and the protected
// counter's accesses race. The check passes only if Relacy reports that data race.
#include <lockstep/locked/ticket_lock.hpp>

#include "../relacy/lock_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::mutual_exclusion<locked::ticket_lock, 2, 1>>(
      "ticket_lock with a relaxed grant: critical sections race", verify::search::full(),
      rl::test_result_data_race);
  return checks.result();
}
