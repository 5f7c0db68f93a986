// Mutation: mcs_lock hands the lock to its successor with a relaxed store: weakens O7, so O4
// no longer orders the critical sections.
//
// MUTATE locked/mcs_lock.hpp
// - successor->waiting.store(false, sync::release);
// + successor->waiting.store(false, sync::relaxed);
//
// Only the contended path changes: the uncontended release (the CAS of the tail back to empty)
// still orders critical sections, so the bug shows only when a waiter is queued behind the
// holder. The waiter then leaves its spin on a flag whose clearing publishes nothing, and the
// protected counter's accesses race. The check passes only if Relacy reports that data race.
#include <lockstep/locked/mcs_lock.hpp>

#include "../relacy/lock_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::mutual_exclusion<locked::mcs_lock, 2, 1>>(
      "mcs_lock with a relaxed handoff: critical sections race", verify::search::bounded(3),
      rl::test_result_data_race);
  return checks.result();
}
