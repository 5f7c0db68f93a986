// Mutation: a resume completes a coroutine's cell but wakes it as it would a parked thread.
// resume() (O5) must continue a waiter that published a suspension through it (E1); here it
// falls through to the cell word's notify, which no coroutine sleeps on.
//
// MUTATE lockfree/detail/cell_protocol.hpp
// - coroutine->resume();
// + c.status.notify_all();
//
// The receiver suspended in async_recv gets its value (or the close) in its cell and is never
// made ready: a lost resume. The model executor finds the coroutine still suspended after the
// execution. The check passes only if Relacy reports it.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/coroutine_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<
      recv_racing_close<constructed_with<lockfree::channel<token, hazard::leaking, 2>, 0>>>(
      "lockfree::channel notifying a coroutine waiter instead of resuming it: lost resume",
      search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
