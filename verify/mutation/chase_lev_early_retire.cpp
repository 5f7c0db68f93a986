// Mutation: growth that retires the old array before it publishes the new one: a thief may
// protect the old array after its retirement, and the reclaimer may free it under the thief
// (breaks the order of chase_lev_deque.hpp's grow(): publish with O9, then retire).
//
// MUTATE lockfree/chase_lev_deque.hpp
// - domain_.retire(old);
// + // retired above, before the store
// - // O9 release: the copied slots and the array's fields happen-before a thief's protect().
// + domain_.retire(old);  // still published: a thief may still reach it from now on
//
// Over epochs that collect at every retire (basic_epochs<1>), from [1] in a deque of capacity
// 1: the owner's push of 2 retires the one-slot array while it is still the published one, and
// its retire advances the epoch; a thief enters its section in the new epoch and loads that
// array; the owner's push of 3 grows again, its retire advances the epoch once more (the thief
// announced the current one) and frees the first array, which the thief then reads: access to
// freed memory.
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include "../relacy/deque_scenarios.hpp"

using namespace lockstep;

namespace {
using deque = verify::constructed_with<lockfree::chase_lev_deque<int, hazard::basic_epochs<1>>, 1>;
}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::owner_and_thieves<deque, 1, 2, 0, 1, 1>>(
      "chase_lev_deque retiring the old array before publishing the new: use after free",
      verify::search::bounded(2), rl::test_result_access_to_freed_memory);
  return checks.result();
}
