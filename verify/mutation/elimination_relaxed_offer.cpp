// Mutation: the elimination stack's push offers its node with a relaxed CAS: removes O1's
// release (elimination_stack.hpp O1 → O4).
//
// MUTATE lockfree/elimination_stack.hpp
// - if (!s.state.compare_exchange_weak(expected, n, sync::release, sync::relaxed)) return false;
// + if (!s.state.compare_exchange_weak(expected, n, sync::relaxed, sync::relaxed)) return false;
//
// The pop's acquire CAS that claims the node then reads a store that heads no release
// sequence, so nothing orders the pusher's write of the value before the popper's move out of
// it: a data race on the node's plain payload. Two threads suffice: a pop whose CAS on the head
// fails spuriously (Relacy simulates that) meets a push waiting with its offer.
#include "../relacy/elimination_model.hpp"
#include "../relacy/stack_scenarios.hpp"

using namespace lockstep;

namespace {}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::push_then_pop<verify::elimination_model_stack, 2, 1>>(
      "elimination_stack with a relaxed offer: data race on the exchanged value",
      verify::search::bounded(2), rl::test_result_data_race);
  return checks.result();
}
