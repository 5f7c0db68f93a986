// Mutation: a Treiber stack pop that loads the head relaxed and unlinks with a relaxed CAS:
// removes the acquire of protect() and of treiber_stack.hpp's O2 (their partner is O3).
//
// MUTATE hazard/tagged_pool.hpp
// - return guard(source.load(sync::acquire));
// + return guard(source.load(sync::relaxed));
// MUTATE lockfree/treiber_stack.hpp
// - successor(top, next), sync::acquire,
// + successor(top, next), sync::relaxed,
//
// Nothing then orders the pusher's write of the value before the popper's read of it: a data
// race on the node's plain payload.
#include <lockstep/lockfree/treiber_stack.hpp>

#include "../relacy/stack_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::push_then_pop<lockfree::treiber_stack<int>, 2, 1>>(
      "treiber_stack with relaxed pop: data race on the node's value", verify::search::bounded(2),
      rl::test_result_data_race);
  return checks.result();
}
