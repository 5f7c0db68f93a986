// Mutation: the flat combiner hands a request back with a relaxed store of `done` (removes
// O6, the release that pairs with the requester's O3).
//
// MUTATE locked/flat_combining.hpp
// - r.state.store(done, sync::release);
// + r.state.store(done, sync::relaxed);
//
// The requester's acquire load of `done` then reads a store that heads no release sequence, so
// nothing orders the combiner's write of the request's outcome before the requester's read of
// it: a data race on the outcome. A combiner that serves its own request orders it by program
// order anyway, so the race is reported only on an execution where one thread's request is
// served by the other thread's combine — the check also proves that path is explored.
#include <lockstep/locked/flat_combining.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

namespace {

using fc_queue_two_records = verify::constructed_with<locked::fc_queue<int>, 2>;

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::push_then_pop<fc_queue_two_records, 2, 1>>(
      "flat combining with a relaxed done: data race on the request's outcome",
      verify::search::bounded(1), rl::test_result_data_race);
  return checks.result();
}
