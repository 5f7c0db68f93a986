// Mutation: a waker completes a coroutine's operation but wakes it as it would a thread. The
// parker's complete() must resume a coroutine owner through its suspension (E1); here it
// notifies the parker's word, which no coroutine sleeps on.
//
// MUTATE locked/channel.hpp
// - coroutine->resume();
// + state_.notify_all(loc);
//
// The receiver suspended in async_recv is claimed and handed its value (or the close) and never
// made ready: a lost resume. The model executor finds the coroutine still suspended after the
// execution. The check passes only if Relacy reports it.
#include <lockstep/locked/channel.hpp>

#include "../relacy/coroutine_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<recv_racing_close<constructed_with<locked::channel<token>, 0>>>(
      "locked::channel notifying a coroutine waiter instead of resuming it: lost resume",
      search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
