// Mutation: try_protect publishes the hazard with a relaxed store and issues no fence before it
// re-reads the source: weakens O3 and removes O4, so O1 has no partner in S.
//
// MUTATE hazard/hazard_pointers.hpp
// - slot().store(as_hazard(expected), sync::release);
// + slot().store(as_hazard(expected), sync::relaxed);
// - sync::fence(sync::seq_cst);  // pairs with scan()'s fence
// + // no fence: the re-read of the source may be satisfied before the hazard is visible
//
// Store buffering between the reader and the scan: the reader's hazard store and the writer's
// unlink are both still invisible to the other side when the writer's scan reads the slot
// (null) and the reader re-reads the source (the old node). The scan frees the node, and the
// reader, which validated it, reads a field of freed memory. The scan's fence alone cannot
// prevent it: the store-load ordering needs a fence on both sides. Bounded search finds it at
// iteration 1 257 of bound 2 (193 of bound 1). Random schedules find it here too, but missed
// it in 1 M iterations of a Treiber-stack scenario (measured before): the test runs the bounded
// search.
#include "../relacy/hazard_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::hp_reader_vs_retire>(
      "hazard pointer published without a fence before re-validation: use after free",
      verify::search::bounded(2), rl::test_result_access_to_freed_memory);
  return checks.result();
}
