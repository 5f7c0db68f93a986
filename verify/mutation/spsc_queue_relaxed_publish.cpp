// Mutation: an SPSC ring publishing with relaxed stores — the producer's store of the tail that
// publishes a value, and the consumer's store of the head that hands a slot back: removes the
// release of spsc_queue.hpp's O4 and O5.
//
// MUTATE lockfree/spsc_queue.hpp
// - tail_.store(tail + 1, sync::release);
// + tail_.store(tail + 1, sync::relaxed);
// - q.head_.store(head + 1, sync::release);
// + q.head_.store(head + 1, sync::relaxed);
//
// The other side's acquire load then reads a store that heads no release sequence: nothing
// orders the construction of a value before its move out (a data race on the slot), nor the
// move out before the next lap's construction in the same slot (another race on it). Either
// change alone is caught by this check (the full search of a one-slot ring, which laps it).
#include <lockstep/lockfree/spsc_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

namespace {
using ring = verify::constructed_with<lockfree::spsc_queue<int>, 1>;
}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::fill_while_popping<ring>>(
      "spsc_queue with relaxed publishing stores: data race on a slot", verify::search::full(),
      rl::test_result_data_race);
  return checks.result();
}
