// Mutation: a Chase–Lev pop whose fence between its claim of the bottom and its read of the
// top is only acq_rel: weakens chase_lev_deque.hpp's O3, so O6 has no partner in S.
//
// MUTATE lockfree/chase_lev_deque.hpp
// - sync::fence(sync::seq_cst);  // pairs with steal's fence
// + sync::fence(sync::acq_rel);  // no longer in S: the claim may stay buffered
//
// Store buffering between the owner and a thief, from [1, 2]: the owner stores bottom = 1 and
// reads the top as 0 although the thief's CAS has already moved it to 1; the thief's second
// steal reads the bottom as 2, not yet seeing the claim. Both take 2: the owner without a CAS
// (it saw two elements), the thief with a CAS that succeeds. A value taken twice fails the
// scenario's exactly-once assertion.
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include "../relacy/deque_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::owner_and_thieves<lockfree::chase_lev_deque<int>, 2, 0, 1, 1, 2>>(
      "chase_lev_deque with an acq_rel fence in pop: a value taken twice",
      verify::search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
