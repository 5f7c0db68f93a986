// Mutation: a Chase–Lev steal whose fence between its reads of the top and of the bottom is
// only acq_rel: weakens chase_lev_deque.hpp's O6, so O3 has no partner in S.
//
// MUTATE lockfree/chase_lev_deque.hpp
// - sync::fence(sync::seq_cst);  // pairs with pop's fence
// + sync::fence(sync::acq_rel);  // no longer in S: the bottom may be read stale
//
// The same store buffering as chase_lev_pop_unfenced, seen from the thief: from [1, 2], its
// second steal reads the bottom as 2 after the owner's claim (bottom = 1) while the owner,
// fenced, reads the top as 0 only if its fence precedes the thief's in S; without the thief's
// fence in S nothing forbids both stale reads, and value 2 is taken twice.
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include "../relacy/deque_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::owner_and_thieves<lockfree::chase_lev_deque<int>, 2, 0, 1, 1, 2>>(
      "chase_lev_deque with an acq_rel fence in steal: a value taken twice",
      verify::search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
