// Model checks of the work-stealing deque pair, lockfree::chase_lev_deque and its twin
// locked::work_stealing_deque, under the same scenarios (deque_scenarios.hpp): the last-element
// race between pop and steal, pop against two steals (the store-buffering case the seq_cst
// fences close), an owner pushing and popping against one thief and against two, and growth
// while a thief reads: a deque of capacity 1 grows twice (1 → 2 → 4) during the steals, over
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

// Growth's scenario, counting the executions in which a replaced array was freed before the
// deque was destroyed: a check in which none ever is could not find a use-after-free.
template <class Deque>
struct growing : owner_and_thieves<Deque, 1, 2, 1, 1, 2>, verify::freed_tally<growing<Deque>> {
  void after() {
    this->record(this->deque.unreclaimed() < 2);  // two arrays replaced: 1 → 2 → 4
    owner_and_thieves<Deque, 1, 2, 1, 1, 2>::after();
  }
};

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

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);

  using chase_lev = lockfree::chase_lev_deque<int>;
  contract<verify::constructed_with<chase_lev, 4>>(checks, "chase_lev_deque(4)");
  checks.pass<growing<verify::constructed_with<chase_lev, 1>>>(
      "chase_lev_deque(1) grows 1 -> 4: (push, pop), push || steal x 2", checks.bounded(2, 3));

  using chase_lev_epochs = lockfree::chase_lev_deque<int, hazard::basic_epochs<1>>;
  using growing_epochs = growing<verify::constructed_with<chase_lev_epochs, 1>>;
  checks.pass<growing_epochs>(
      "chase_lev_deque<basic_epochs<1>>(1) grows 1 -> 4: (push, pop), push || steal x 2",
      checks.bounded(2, 3));
  checks.require(growing_epochs::freed_during_run != 0,
                 "chase_lev_deque<basic_epochs<1>> freed a replaced array during the run in " +
                     growing_epochs::report());

  using twin = locked::work_stealing_deque<int>;
  contract<twin>(checks, "locked::work_stealing_deque");
  checks.pass<owner_and_thieves<twin, 1, 2, 1, 1, 2>>(
      "locked::work_stealing_deque (push, pop), push || steal x 2", checks.bounded(2, 3));
  return checks.result();
}
