// Mutation: a select that can fire two cases. A waker claims a parked operation by checking
// that it is still waiting and then storing `claimed`, instead of one CAS.
//
// MUTATE locked/channel.hpp
// - if (state_.compare_exchange_strong(s, claimed | (s & parked), sync::acq_rel, loc)) return true;
// + state_.store(claimed | (s & parked), sync::release, loc); return true;
//
// The records of a select sit on several channels, and their wakers hold different locks: two
// senders, one per channel, can both see the select waiting and both complete it, each handing
// over its value and returning as if delivered. select reports one case; the selector's plain
// receive from the other channel then waits for a value that was already taken and dropped,
// and Relacy reports the deadlock.
#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>

#include "../relacy/select_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<select_receives<constructed_with<locked::channel<token>, 0>>>(
      "locked::select claimed without a CAS: two cases fire", search::random(200'000),
      rl::test_result_deadlock);
  return checks.result();
}
