// Mutation: tatas_lock releases with a relaxed store (removes O3, the release that pairs with
// O1 and O2).
//
// MUTATE locked/tatas_lock.hpp
// - void unlock() { locked_.store(false, sync::release); }
// + void unlock() { locked_.store(false, sync::relaxed); }
//
// The next holder's acquiring exchange then reads a store that heads no release sequence, so
// nothing orders the previous critical section before its own: the protected counter's
// accesses race. The check passes only if Relacy reports that data race.
#include <lockstep/locked/tatas_lock.hpp>

#include "../relacy/lock_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::mutual_exclusion<locked::tatas_lock, 2, 1>>(
      "tatas_lock with a relaxed unlock: critical sections race", verify::search::full(),
      rl::test_result_data_race);
  return checks.result();
}
