// Mutation: the 128-bit tagged pointer's successor keeps the old counter, so the Treiber stack
// over the wide pool (whose head and free list both use tagged_ptr128) is untagged.
//
// MUTATE hazard/tagged_ptr.hpp
// - return tagged_ptr128(pointer, tag_ + 1);
// + return tagged_ptr128(pointer, tag_);
//
// The double-width CAS then compares a counter that never changes: a pop that read top = A and
// next = B is overtaken by a pop of A (A goes back to the pool), a pop of B and a push that
// reuses A, so the head is (A, same counter) again and the stale CAS installs B — a node no
// longer on the stack (ABA). The contract check in after() sees the value lost or duplicated.
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>

#include "../relacy/stack_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::pop_pop_push<lockfree::treiber_stack<int, hazard::wide_tagged_pool>>>(
      "treiber_stack<wide_tagged_pool> with a frozen counter: pop || pop, pop || push loses a "
      "value (ABA)",
      verify::search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
