// Mutation: a timed-out receiver does not withdraw its cell (breaks O4, L4).
//
// MUTATE lockfree/channel.hpp
// - if (now == state::receiver_waiting &&
// + if (now == state::receiver_waiting) { return outcome::timed_out; } if (false &&
//
// A recv_for whose deadline passes must win a CAS from receiver_waiting to interrupted_receive
// before it reports a timeout: the CAS decides against the sender's resume on the same word, so
// the value is either handed over or stays with its sender. The mutant reports the timeout and
// leaves the cell as it was; a sender that then meets it delivers into it and returns ok, and
// the value is lost. The timed scenario asserts that an unbuffered send that completed was
// received; the check passes only if that assertion fails.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;

struct rendezvous : lockfree::channel<verify::token, hazard::leaking, 2> {
  rendezvous() : lockfree::channel<verify::token, hazard::leaking, 2>(0) {}
};

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::timed_meeting<rendezvous>>(
      "channel whose timed-out receiver keeps its cell: a delivered value is lost",
      verify::search::bounded(3), rl::test_result_user_assert_failed);
  return checks.result();
}
