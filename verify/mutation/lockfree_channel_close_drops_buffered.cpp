// Mutation: close() marks buffered cells closed as well.
//
// MUTATE lockfree/channel.hpp
// - const bool mark = now == state::empty || now == state::in_buffer ||
// + const bool mark = now == state::empty || now == state::in_buffer || now == state::buffered ||
//
// close() walks the cells from the receive counter to the send counter and closes those whose
// sender is yet to arrive or parked; a buffered value belongs to its receiver and must still be
// delivered (Go: "buffered values are received before the closed state"). The mutant closes
// buffered cells too: the sender's send succeeded, but the receiver skips the cell and sees
// nullopt, so a value is lost. The check passes only if the conservation assertion fails.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;

struct buffered : lockfree::channel<verify::token, hazard::leaking, 2> {
  buffered() : lockfree::channel<verify::token, hazard::leaking, 2>(1) {}
};

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::close_races<buffered, 1, 2>>(
      "channel whose close() closes buffered cells: a sent value is lost",
      verify::search::random(100'000), rl::test_result_user_assert_failed);
  return checks.result();
}
