// Mutation: the two-lock queue links a new node with a relaxed store (removes O2, the release
// that pairs with try_pop's O1), as the paper's plain write would be on a machine that is not
// sequentially consistent.
//
// MUTATE locked/two_lock_queue.hpp
// - last->next.store(fresh.get(), sync::release);
// + last->next.store(fresh.get(), sync::relaxed);
//
// The enqueuer (tail lock) and the dequeuer (head lock) hold different locks, so the release
// store of `next` read by the dequeuer's acquire load is the only thing that orders the
// node's construction before the dequeuer's move out of it. Relaxed, the value's write and read
// race. The check passes only if Relacy reports that data race.
#include <lockstep/locked/two_lock_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::produce_consume<locked::two_lock_queue<int>, 1, 1, 1>>(
      "two_lock_queue with a relaxed link: data race on the node's value", verify::search::full(),
      rl::test_result_data_race);
  return checks.result();
}
