// Mutation: close() completes only the first parked receiver. The loop over the receivers'
// queue becomes an `if`, as if one receiver could be waiting at a time.
//
// MUTATE locked/channel.hpp
// - while (waiter* w = s.receivers.claim_first()) w->parker->complete(w->case_index, true);
// + if (waiter* w = s.receivers.claim_first()) w->parker->complete(w->case_index, true);
//
// With two receivers parked on an empty channel, close wakes the first; the second sleeps on a
// word nobody will change again, which Relacy reports as a deadlock once the other threads
// have finished. close_parked_receivers catches it in the first few random schedules. The
// existing checks of locked/channel.hpp (relacy_locked_channel, channel_timed and
// coroutine_waiters) pass against this mutant: none parks two receivers when the channel closes.
#include <lockstep/locked/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<close_parked_receivers<constructed_with<locked::channel<token>, 0>>>(
      "locked::channel close waking one of two parked receivers", search::random(200'000),
      rl::test_result_deadlock);
  return checks.result();
}
