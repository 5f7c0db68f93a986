// Mutation: the elimination stack's pusher learns that its offer was taken by a relaxed read
// alone, with no acquire fence before it returns, as before the fix: removes O2
// (elimination_stack.hpp O3 → O2).
//
// MUTATE lockfree/elimination_stack.hpp
// - sync::fence(sync::acquire);
// + // (no fence)
//
// Nothing the popper did before the exchange then happens before the pusher's return: with three
// threads a popper pushes a value, takes the pusher's by elimination, and the pusher's next
// try_pop answers "empty" with the popper's value on the stack throughout. The lin check reports
// it; the scenario checks assert conservation and per-thread LIFO, which that history keeps.
#include <lockstep/verify/lin/container_operations.hpp>
#include <lockstep/verify/lin/model.hpp>

#include "../relacy/elimination_model.hpp"

using namespace lockstep;
namespace lin = verify::lin;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  lin::model_options options;
  options.final_calls = 2;
  lin::model_check<3>(checks, "elimination_stack, unfenced acknowledgement: a pop misses a value",
                      lin::stack_operations<verify::elimination_model_stack>(), options,
                      rl::test_result_user_assert_failed);
  return checks.result();
}
