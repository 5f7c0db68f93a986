// Model checks of the work-stealing deque pair, lockfree::chase_lev_deque and its twin
// locked::work_stealing_deque, under the same scenarios (deque_scenarios.hpp): the last-element
// race between pop and steal, pop against two steals (the store-buffering case the seq_cst
// fences close), an owner pushing and popping against one thief and against two, and growth
// while a thief reads: a deque of capacity 1 grows (1 → 2 → 4) during a steal, over
// hazard pointers (the default) and over epochs that free at every retire, so that a replaced
// array is really freed while a thief may hold it.
#include <string>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/locked/work_stealing_deque.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include "deque_scenarios.hpp"

using namespace lockstep;
using verify::owner_and_thieves;
using verify::search;

namespace {

// Growth's scenario: from [1] in one slot the owner pushes 2 and 3 while a thief steals once,
// so the array grows once or twice (1 -> 2 -> 4) under the steal. That the epochs reclaimer
// really frees an array under a thief here is shown by chase_lev_early_retire, whose
// use-after-free this scenario reports at bound 2.
template <class Deque>
using growing = owner_and_thieves<Deque, 1, 2, 0, 1, 1>;

// The scenarios every deque of the pair passes, each with its search.
template <class Deque>
void contract(verify::model_checks& checks, const std::string& name) {
  checks.pass<owner_and_thieves<Deque, 1, 0, 1, 1, 1>>(name + " last element: pop || steal",
                                                       checks.bounded(3, 4));
  checks.pass<owner_and_thieves<Deque, 1, 0, 1, 2, 1>>(
      name + " last element: pop || steal || steal", checks.bounded(2, 3));
  checks.pass<owner_and_thieves<Deque, 2, 0, 1, 1, 2>>(name + " [1, 2]: pop || steal, steal",
                                                       checks.bounded(3, 4));
  checks.pass<owner_and_thieves<Deque, 0, 2, 2, 1, 2>>(name + " (push, pop) x 2 || steal x 2",
                                                       checks.bounded(3, 4));
  checks.pass<owner_and_thieves<Deque, 1, 2, 2, 2, 1>>(
      name + " [1]: (push, pop) x 2 || steal || steal", checks.bounded(1, 2));
}

// size(), a hint. The owner pushes two values and asks: the bottom is its own and the top has
// moved by at most the one steal, so the hint is 1 or 2. The thief's hint, from a stale bottom
// or top, stays within [0, 2]. When the threads are done it is exact.
template <class Deque>
struct size_hint : rl::test_suite<size_hint<Deque>, 2> {
  Deque d;
  std::optional<int> stolen;

  void thread(unsigned t) {
    if (t == 0) {
      d.push(1);
      d.push(2);
      const std::size_t n = d.size();
      RL_ASSERT(n >= 1 && n <= 2);
    } else {
      stolen = d.steal();
      RL_ASSERT(d.size() <= 2);
    }
  }

  void after() {
    RL_ASSERT(!stolen || *stolen == 1);
    RL_ASSERT(d.size() == (stolen ? 1u : 2u));
  }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);

  using chase_lev = lockfree::chase_lev_deque<int>;
  contract<verify::constructed_with<chase_lev, 4>>(checks, "chase_lev_deque(4)");
  checks.pass<growing<verify::constructed_with<chase_lev, 1>>>(
      "chase_lev_deque(1) grows: push x 2 || steal", checks.bounded(1, 2));
  checks.pass<size_hint<verify::constructed_with<chase_lev, 4>>>(
      "chase_lev_deque(4) size hint: push x 2, size || steal, size", checks.bounded(2, 3));

  using chase_lev_epochs = lockfree::chase_lev_deque<int, hazard::basic_epochs<1>>;
  checks.pass<growing<verify::constructed_with<chase_lev_epochs, 1>>>(
      "chase_lev_deque<basic_epochs<1>>(1) grows: push x 2 || steal", checks.bounded(1, 2));

  using twin = locked::work_stealing_deque<int>;
  contract<twin>(checks, "locked::work_stealing_deque");
  checks.pass<growing<twin>>("locked::work_stealing_deque [1]: push x 2 || steal",
                             checks.bounded(2, 3));
  return checks.result();
}
