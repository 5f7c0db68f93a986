// Model checks of lockfree::treiber_stack over the tagged node pool. Built twice: as written
// (Relacy simulates spurious failures of compare_exchange_weak) and with weak CAS made strong,
// where the same budget reaches a deeper bound.
#include "stack_scenarios.hpp"

#include <lockstep/lockfree/treiber_stack.hpp>

#include <memory>

using namespace lockstep;
using verify::search;
using stack = lockfree::treiber_stack<int>;

namespace {

// empty() and the destructor. The one popper pops only if empty() said "not empty": pushes
// only add, so a value seen on the stack is still there for it. It pops at most one of the two
// values, so the destructor finds at least one left; Relacy's heap reports a leak if it failed
// to destroy an owning value.
struct empty_hint_and_leftovers : rl::test_suite<empty_hint_and_leftovers, 2> {
  lockfree::treiber_stack<std::unique_ptr<int>> s;

  void thread(unsigned t) {
    if (t == 0) {
      s.push(std::make_unique<int>(1));
      s.push(std::make_unique<int>(2));
    } else if (!s.empty()) {
      const std::optional<std::unique_ptr<int>> v = s.try_pop();
      RL_ASSERT(v && *v && (**v == 1 || **v == 2));
    }
  }

  void after() { RL_ASSERT(!s.empty()); }
};

}  // namespace

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

  // Over the wide pool (128-bit pointer + counter links, the free list's too). Its model is the
  // 16-bit pool's with a wider tag, and the searches above already explore that state space, so
  // the quick profile keeps to cheap random schedules here and the deep profile repeats the
  // searches above. Random schedules do reach the ABA window: with the counter frozen
  // (mutation/wide_tag_not_incremented), the pop || pop, pop || push check fails at
  // iteration 38 k of 200 k.
  using wide = lockfree::treiber_stack<int, hazard::wide_tagged_pool>;
  const auto quick_or = [&](search deep) { return checks.deep() ? deep : search::random(200'000); };
  checks.pass<verify::push_then_pop<wide, 2, 1>>(
      "treiber_stack<wide_tagged_pool> 2 threads x (push, pop)", search::bounded(3));
  checks.pass<verify::pop_pop_push<wide, false>>(
      "treiber_stack<wide_tagged_pool> pop || pop || push from [2, 1]", quick_or(three_by_one));
  checks.pass<verify::pop_pop_push<wide>>(
      "treiber_stack<wide_tagged_pool> pop || pop, pop || push from [2, 1]",
      quick_or(search::bounded(aba_bound)));
  checks.pass<verify::push_then_pop<wide, 2, 2>>(
      "treiber_stack<wide_tagged_pool> 2 threads x (push, push, pop, pop)", quick_or(two_by_four));
  checks.pass<verify::push_then_pop<wide, 3, 2>>(
      "treiber_stack<wide_tagged_pool> 3 threads x (push, push, pop, pop)",
      checks.random(200'000, 2'000'000));
  checks.pass<empty_hint_and_leftovers>(
      "treiber_stack<unique_ptr> push x 2 || (empty, pop), leftovers destroyed",
      checks.bounded(2, 3));
  return checks.result();
}
