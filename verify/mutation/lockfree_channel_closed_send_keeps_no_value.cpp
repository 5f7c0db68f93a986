// Mutation: a send that finds its cell closed does not take its value back.
//
// MUTATE lockfree/channel.hpp
// - if (result != outcome::done) take_back(c, value);
// + if (result != outcome::done && result != outcome::closed) take_back(c, value);
//
// send(T&&) moves the value into its cell before it learns the cell's fate. When close() has
// marked the cell closed (the sender had taken the cell before the close, or was parked in it),
// the send throws channel_closed, and the value must be back in the caller's object: Go's
// semantics leave it there, and sync/channel.hpp promises that a failed send loses nothing. The
// mutant throws with the value left in the cell, destroyed with the channel. The scenario's
// sender checks its value after the throw; the check passes only if that assertion fails.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;

struct rendezvous : lockfree::channel<verify::token, hazard::leaking, 2> {
  rendezvous() : lockfree::channel<verify::token, hazard::leaking, 2>(0) {}
};

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::close_races<rendezvous, 1, 2>>(
      "channel whose closed send keeps no value: the value is lost",
      verify::search::random(100'000), rl::test_result_user_assert_failed);
  return checks.result();
}
