// Mutation: a Chase–Lev steal that loads the array relaxed: removes the acquire of protect()
// under epochs (epoch.hpp's guard, the load inside the section), whose partner is
// chase_lev_deque.hpp's O9, the release store publishing a grown array.
//
// MUTATE hazard/epoch.hpp
// - link_(source.load(sync::acquire))
// + link_(source.load(sync::relaxed))
//
// From [1] in a deque of capacity 1, the owner's push of 2 grows the array while a thief
// steals: the thief read the bottom before the growth (1, from before()), then reads the new
// array, which nothing orders after the owner's writes of its mask and slot pointer: a data
// race on the array's plain fields. Under hazard pointers (the default) the same mutation of
// their validating re-read is no bug: the seq_cst fence of try_protect follows the first load
// of the array, so it already acquires what that load read (docs/algorithms/chase_lev_deque.md).
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include "../relacy/deque_scenarios.hpp"

using namespace lockstep;

namespace {
using deque = verify::constructed_with<lockfree::chase_lev_deque<int, hazard::epochs>, 1>;
}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::owner_and_thieves<deque, 1, 1, 0, 1, 1>>(
      "chase_lev_deque<epochs> with a relaxed array load in steal: data race on the grown array",
      verify::search::bounded(2), rl::test_result_data_race);
  return checks.result();
}
