// Mutation: the claim's winner completes a coroutine select's clause but wakes it as it would a
// parked thread. complete() must continue a select that suspended through its suspension (E1);
// here it notifies the select's word, which no coroutine sleeps on.
//
// MUTATE lockfree/detail/cell_protocol.hpp
// - selecting->resume();
// + select->state.notify_all();
//
// Of two async_selects racing for one value, the one whose clause a sender (or the close)
// completes is never made ready: a lost resume, found by the model executor after the
// execution. The check passes only if Relacy reports it.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>

#include "../relacy/coroutine_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<selects_race<constructed_with<lockfree::channel<token, hazard::leaking, 2>, 0>>>(
      "lockfree::async_select notified instead of resumed: lost resume", search::random(20'000),
      rl::test_result_user_assert_failed);
  return checks.result();
}
