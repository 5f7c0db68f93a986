// Mutation: close racing a send loses the value. close() completes a parked sender as if a
// receiver had taken its value, instead of telling it to throw.
//
// MUTATE locked/channel.hpp
// - while (waiter* w = s.senders.claim_first()) w->parker->complete(w->case_index, true);
// + while (waiter* w = s.senders.claim_first()) w->parker->complete(w->case_index, false);
//
// An unbuffered send parks until a receiver arrives; when close() comes first, the sender
// returns normally and its caller believes the value delivered, while nobody has it. The
// ledger finds a value that was sent and never received.
#include <lockstep/locked/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<close_races<constructed_with<locked::channel<token>, 0>, 1, 1>>(
      "locked::channel close completing a parked sender: value lost", search::random(200'000),
      rl::test_result_user_assert_failed);
  return checks.result();
}
