// Model checks of lockfree::treiber_stack over the tagged node pool. Built twice: as written
// (Relacy simulates spurious failures of compare_exchange_weak) and with weak CAS made strong,
// where the same budget reaches a deeper bound.
#include "stack_scenarios.hpp"

#include <lockstep/lockfree/treiber_stack.hpp>

using namespace lockstep;
using verify::search;
using stack = lockfree::treiber_stack<int>;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
#ifdef LOCKSTEP_RELACY_STRONG_CAS
  const search three_by_one = search::bounded(3);
  const unsigned aba_bound = 3;
  const search two_by_four = checks.bounded(2, 3);
#else
  const search three_by_one = checks.bounded(2, 3);
  const unsigned aba_bound = checks.deep() ? 3 : 2;
  const search two_by_four = checks.bounded(1, 2);
#endif
  checks.pass<verify::push_then_pop<stack, 2, 1>>("treiber_stack 2 threads x (push, pop)",
                                                  search::bounded(3));
  checks.pass<verify::pop_pop_push<stack, false>>("treiber_stack pop || pop || push from [2, 1]",
                                                three_by_one);
  checks.pass<verify::pop_pop_push<stack>>("treiber_stack pop || pop, pop || push from [2, 1]",
                                           search::bounded(aba_bound));
  checks.pass<verify::push_then_pop<stack, 2, 2>>("treiber_stack 2 threads x (push, push, pop, pop)",
                                                  two_by_four);
  checks.pass<verify::push_then_pop<stack, 3, 2>>("treiber_stack 3 threads x (push, push, pop, pop)",
                                                  checks.random(200'000, 2'000'000));
  return checks.result();
}
