// Mutation: collect frees limbo entries of the current epoch, not only those two epochs old.
// It breaks epoch.hpp's grace period: O12's epoch no longer orders the free after O6 + 2.
//
// MUTATE hazard/epoch.hpp
// - while (!r.limbo.empty() && r.limbo.front()->epoch + 2 <= safe) {
// + while (!r.limbo.empty() && r.limbo.front()->epoch <= safe) {
//
// A reader enters its section (announcing epoch 0) and loads the node; the writer unlinks it
// and retires it at epoch 0, and with retire_threshold 1 collects at once (after advancing the
// epoch to 1, which the reader's announcement of the current epoch allows). The mutant frees
// the node retired in the reader's epoch while the reader is still inside its section, and the
// reader's next read of the node is an access to freed memory. Bounded search finds it at
// iteration 10 153 of bound 2 (5 369 of bound 1); 200 000 random schedules missed it (the
// preemption must fall between the reader's load of the source and its read of the node).
#include "../relacy/epoch_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::rcu_reader_vs_retire>(
      "epoch collect frees the current epoch's limbo list: use after free",
      verify::search::bounded(2), rl::test_result_access_to_freed_memory);
  return checks.result();
}
