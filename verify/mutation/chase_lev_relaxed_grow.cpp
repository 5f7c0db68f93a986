// Mutation: growth that publishes the new array with a relaxed store: removes the release of
// chase_lev_deque.hpp's O9, the partner of the acquire in steal's protect().
//
// MUTATE lockfree/chase_lev_deque.hpp
// - array_.store(grown, sync::release);
// + array_.store(grown, sync::relaxed);
//
// From [1] in a deque of capacity 1, the owner's push of 2 grows the array while a thief
// steals: the thief read the bottom before the growth (1, from before()) and then loads the
// new array. Its acquire reads a store that heads no release sequence, so nothing orders the
// owner's writes of the array's mask and slot pointer before the thief's reads of them: a data
// race on the array's plain fields. Over the default reclaimer, hazard pointers.
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include "../relacy/deque_scenarios.hpp"

using namespace lockstep;

namespace {
using deque = verify::constructed_with<lockfree::chase_lev_deque<int>, 1>;
}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::owner_and_thieves<deque, 1, 1, 0, 1, 1>>(
      "chase_lev_deque publishing a grown array relaxed: data race on the array",
      verify::search::bounded(2), rl::test_result_data_race);
  return checks.result();
}
