// Mutation: close() completes only the first parked sender. The loop over the senders' queue
// becomes an `if`, as if one sender could be waiting at a time.
//
// MUTATE locked/channel.hpp
// - while (waiter* w = s.senders.claim_first()) w->parker->complete(w->case_index, true);
// + if (waiter* w = s.senders.claim_first()) w->parker->complete(w->case_index, true);
//
// With the buffer full and two senders parked, close orders the first to throw; the second
// sleeps on a word nobody will change again, which Relacy reports as a deadlock.
// close_parked_senders catches it in the first few random schedules. The existing checks of
// locked/channel.hpp pass against this mutant (relacy_locked_channel 28 of 28, channel_timed 8
// of 8, coroutine_waiters 48 of 48): their close races park at most one sender at the close.
#include <lockstep/locked/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<close_parked_senders<constructed_with<locked::channel<token>, 1>>>(
      "locked::channel close waking one of two parked senders", search::random(50'000),
      rl::test_result_deadlock);
  return checks.result();
}
