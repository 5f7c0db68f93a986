// Mutation: a Chase–Lev push with no release fence before its store of the bottom: removes
// chase_lev_deque.hpp's O2, so the thief's acquire load of the bottom (O7) has no partner.
//
// MUTATE lockfree/chase_lev_deque.hpp
// - sync::fence(sync::release);
// + // no fence: the new bottom may be seen before the element
//
// The owner pushes 1 into an empty deque while a thief steals: the thief reads the new bottom,
// nothing orders the owner's relaxed store of the slot before its relaxed read of it, and the
// read returns the slot's initial 0: the thief takes a value nobody pushed, and 1 is lost.
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include "../relacy/deque_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::owner_and_thieves<lockfree::chase_lev_deque<int>, 0, 1, 0, 1, 1>>(
      "chase_lev_deque with an unfenced push: a steal reads an unwritten slot",
      verify::search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
