// Model checks of hazard::rcu_domain (scenarios in epoch_scenarios.hpp): a reader in a
// read-side section while a writer unlinks and retires its node (every retire tries to advance
// the epoch and collects), nested sections, rcu_synchronize waiting for an open section,
// rcu_barrier freeing everything retired before it — no use-after-free, no race, no leak.
#include <string>

#include "epoch_scenarios.hpp"

using namespace lockstep;
using verify::search;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  // Measured on one core (quick): reader || writer bound 3 = 0.66 M iterations, 1 s; nested
  // bound 2 = 0.5 M, 1 s; synchronize bound 2 = 0.2 M; barrier bound 1 = 77 k (bound 2 =
  // 1.9 M, 5 s); two readers || writer bound 1 = 0.74 M, 2 s; reader || two writers bound 1 =
  // 1.5 M, 4 s, so random schedules in the quick profile.
  checks.pass<verify::rcu_reader_vs_retire>("epochs reader || writer (replace, retire)",
                                            checks.bounded(3, 4));
  checks.pass<verify::rcu_nested_sections>("epochs nested sections || writer (replace twice)",
                                           checks.bounded(2, 3));
  checks.require(verify::rcu_nested_sections::freed_during_run != 0,
                 "epochs freed a node during the run in " +
                     std::to_string(verify::rcu_nested_sections::freed_during_run) +
                     " executions of the previous check");
  checks.pass<verify::rcu_synchronize_waits>(
      "epochs reader || writer (unlink, synchronize, delete)", checks.bounded(2, 3));
  checks.pass<verify::rcu_barrier_frees_retired>(
      "epochs writer (retire, barrier) || reader then writer (retire)", checks.bounded(1, 2));
  checks.pass<verify::rcu_writers_and_readers<1, 2>>("epochs reader || reader || writer",
                                                     checks.bounded(1, 2));
  checks.pass<verify::rcu_writers_and_readers<2, 1>>(
      "epochs reader || writer || writer",
      checks.deep() ? search::bounded(1) : search::random(200'000));
  checks.pass<verify::rcu_epoch_advances>(
      "epochs reader || writer (unlink, synchronize): epoch() moves by two, never back",
      checks.bounded(1, 2));
  return checks.result();
}
