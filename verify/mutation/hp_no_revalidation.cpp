// Mutation: try_protect publishes the hazard but does not re-read the source, so protect()
// returns the pointer it loaded before its hazard was published: removes O5, so L1 is lost.
//
// MUTATE hazard/hazard_pointers.hpp
// - ptr = src.load(sync::acquire);
// + (void)src;  // not re-read: ptr is still the value loaded before the hazard was published
//
// The reader loads the old node, and before its hazard is published the writer unlinks the
// node, retires it and scans: the scan sees no hazard and frees it. The reader then publishes
// a hazard on a freed node, trusts it without checking that the source still holds it, and
// reads a field of freed memory. (The fence is kept, so the first load's value is still
// acquired and the report is the use after free, not a race on the new node's fields.) One
// preemption between the reader's load and its hazard store reaches it: bounded search finds it
// at iteration 937 of bound 2 (137 of bound 1).
#include "../relacy/hazard_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::hp_reader_vs_retire>(
      "hazard pointer trusted without re-validation: use after free", verify::search::bounded(2),
      rl::test_result_access_to_freed_memory);
  return checks.result();
}
