// Model checks of lockfree::elimination_stack over the tagged node pool. Built twice: as written
// (Relacy simulates spurious failures of compare_exchange_weak, which also lets two threads
// eliminate: a pop whose CAS failed spuriously meets a push that is waiting with its offer)
// and with weak CAS made strong, where a CAS on the head fails only because another thread's
// succeeded, so elimination needs a third thread.
// The stack under check has the model shape of elimination_model.hpp.
#include <array>
#include <string>

#include "elimination_model.hpp"
#include "stack_scenarios.hpp"

using namespace lockstep;
using verify::search;

namespace {

// From [1]: thread 0 pushes 2 while threads 1 and 2 pop. If thread 2's pop overtakes the other
// two between their loads of the head and their CASes, both CASes fail; thread 0 then offers
// its node and thread 1 claims it. The stack contract is asserted after every execution, and
// the executions in which the exchange happened are counted, to show the search went there.
struct exchange : rl::test_suite<exchange, 3> {
  static inline unsigned long long executions = 0;
  static inline unsigned long long eliminated = 0;

  verify::elimination_model_stack stack;
  std::array<int, 3> popped{};

  void before() { stack.push(verify::stack_value(3, 0)); }

  void thread(unsigned t) {
    if (t == 0) {
      stack.push(verify::stack_value(0, 0));
    } else {
      popped[t] = stack.try_pop().value_or(0);
    }
  }

  void after() {
    verify::stack_contract<verify::elimination_model_stack, 4, 1> contract;
    for (int v : popped) {
      if (v != 0) contract.record(v);
    }
    // An exchange hands the pushed value to a pop that found the stack non-empty, so in those
    // executions both pops returned a value.
    if (stack.eliminations() != 0) RL_ASSERT(popped[1] != 0 && popped[2] != 0);
    ++executions;
    if (stack.eliminations() != 0) ++eliminated;
    contract.drain_and_check(stack, [](int v) {
      return v == verify::stack_value(0, 0) || v == verify::stack_value(3, 0);
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  // Context bounds per build, measured on one core (quick / deep): with spurious CAS failures
  // simulated, the three-thread scenarios cost about 10x more per bound.
#ifdef LOCKSTEP_RELACY_STRONG_CAS
  const search two_by_one = checks.bounded(3, 4);
  const search three_threads = checks.bounded(3, 4);
  const search aba = checks.bounded(3, 3);
  const search two_by_two = checks.bounded(2, 3);
#else
  const search two_by_one = checks.bounded(3, 3);
  const search three_threads = checks.bounded(2, 3);
  const search aba = checks.bounded(1, 2);
  const search two_by_two = checks.bounded(1, 2);
#endif
  checks.pass<verify::push_then_pop<verify::elimination_model_stack, 2, 1>>(
      "elimination_stack 2 threads x (push, pop)", two_by_one);
  checks.pass<exchange>("elimination_stack push || pop || pop from [1]", three_threads);
  checks.require(exchange::eliminated != 0, "elimination_stack exchange path reached in " +
                                                std::to_string(exchange::eliminated) + " of " +
                                                std::to_string(exchange::executions) +
                                                " executions of the previous check");
  checks.pass<verify::pop_pop_push<verify::elimination_model_stack>>(
      "elimination_stack pop || pop, pop || push from [2, 1]", aba);
  checks.pass<verify::push_then_pop<verify::elimination_model_stack, 2, 2>>(
      "elimination_stack 2 threads x (push, push, pop, pop)", two_by_two);
  checks.pass<verify::push_then_pop<verify::elimination_model_stack, 3, 2>>(
      "elimination_stack 3 threads x (push, push, pop, pop)", checks.random(200'000, 2'000'000));
  return checks.result();
}
