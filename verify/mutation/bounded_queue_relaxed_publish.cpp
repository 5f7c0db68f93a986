// Mutation: a Vyukov cell sequence published with a relaxed store: removes bounded_queue.hpp's
// O11 release (O11 → O1).
//
// MUTATE lockfree/bounded_queue.hpp
// - c.sequence.store(ready_at(pos), sync::release);
// + c.sequence.store(ready_at(pos), sync::relaxed);
//
// The consumer's acquire load of the sequence number then reads a store that heads no release
// sequence, so nothing orders the producer's construction of the value before the consumer's
// move out of it: a data race on the cell's value.
#include <lockstep/lockfree/bounded_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

namespace {
using ring = verify::constructed_with<lockfree::bounded_queue<int>, 2>;
}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::produce_consume<ring, 1, 1, 1>>(
      "bounded_queue with a relaxed publish: data race on the cell's value", verify::search::full(),
      rl::test_result_data_race);
  return checks.result();
}
