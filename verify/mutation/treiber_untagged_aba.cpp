// Mutation: the Treiber stack over the type-stable pool with an untagged head.
//
// MUTATE hazard/tagged_pool.hpp
// - return old.successor(p);
// + return link(p, old.tag());
//
// With the tag frozen, a pop that read top = A and next = B can be overtaken by another pop
// (A goes back to the pool) and a push that reuses A: the head is A again and the stale CAS
// succeeds, installing B and losing the pushed value (ABA). It takes three threads; the
// contract check in after() sees the lost value.
#include <lockstep/lockfree/treiber_stack.hpp>

#include "../relacy/stack_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::pop_pop_push<lockfree::treiber_stack<int>>>(
      "untagged treiber_stack: pop || pop, pop || push loses a value (ABA)",
      verify::search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
