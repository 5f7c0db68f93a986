// Mutation: the elimination stack's push withdraws its offer with compare_exchange_weak (the
// strong withdrawal before acknowledge() in elimination_stack.hpp).
//
// MUTATE lockfree/elimination_stack.hpp
// - if (s.state.compare_exchange_strong(expected, nullptr, sync::relaxed)) return false;
// + if (s.state.compare_exchange_weak(expected, nullptr, sync::relaxed)) return false;
//
// A spurious failure of the withdrawal (Relacy simulates them) is then taken for a claim: the
// push returns as if a pop had taken its node, which nobody holds. The value is lost, which the
// stack contract asserts after the execution.
#include "../relacy/elimination_model.hpp"
#include "../relacy/stack_scenarios.hpp"

using namespace lockstep;

namespace {}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::push_then_pop<verify::elimination_model_stack, 2, 1>>(
      "elimination_stack withdrawing with a weak CAS: a value is lost", verify::search::bounded(2),
      rl::test_result_user_assert_failed);
  return checks.result();
}
