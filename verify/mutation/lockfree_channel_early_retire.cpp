// Mutation: lockfree::channel retires a segment before all of its receivers have left it.
//
// MUTATE lockfree/channel.hpp
// - if (h->handled.load(sync::seq_cst) != 2 * SegmentSize) return;
// + if (h->handled.load(sync::seq_cst) < SegmentSize) return;
//
// A segment may be retired only once every sender and every receiver that took one of its cell
// indices has left it: a thread works on its cell outside any read-side section (it may park
// there), protected only by the count of holders still to leave. The mutant retires the segment
// once half of them have left: with two receivers, once the sender and one receiver have moved
// on to the next segment (taking the receive hint with them), the other receiver, still on its
// way to its cell or parked in it, reads a segment that epochs have freed. The check passes only
// if Relacy reports that access to freed memory.
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;

// One-cell segments, and epochs that try to advance and collect at every retire, so that many
// segments are retired, and each is freed soon after.
struct buffered : lockfree::channel<verify::token, hazard::basic_epochs<1>, 1> {
  buffered() : lockfree::channel<verify::token, hazard::basic_epochs<1>, 1>(2) {}
};

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::send_receive<buffered, 1, 6, 2>>(
      "channel that retires a segment its receivers still hold: use after free",
      verify::search::random(200'000), rl::test_result_access_to_freed_memory);
  return checks.result();
}
