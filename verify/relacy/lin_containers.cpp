// Linearizability of the queues and stacks inside the model checker (verify/lin/model.hpp): small
// scenarios of push / try_push / try_pop (and empty() where the header promises it is
// linearizable), every execution of each explored by a context-bounded search and its history
// checked against the sequential FIFO or LIFO model, in happens-before order.
//
// Vyukov's ring (lockfree::bounded_queue) documents a pessimistic "empty": a try_pop may answer
// empty while a push that claimed the front position has not published it, even after another
// value's push has returned. That answer is not linearizable, and the check must find it (a
// history the model cannot explain); the strong form (answers::strong) must not give it.
//
// Two findings of this check, fixed in the headers and checked here with three threads: the
// strong ring answered a "full" and an "empty" that no order explains (each answer read the two
// position counters with no seq_cst ordering between, and two threads saw their updates in
// opposite orders), and the elimination stack's pusher, whose offer was taken, returned without
// acquiring the popper's history, so its next pop could miss a value pushed before the exchange.
// docs/lin-check.md shows both counterexamples; verify/mutation/bounded_queue_strong_unfenced.cpp
// and elimination_unfenced_ack.cpp seed each bug back and expect this check to catch it.
#include <lockstep/verify/lin/container_operations.hpp>
#include <lockstep/verify/lin/model.hpp>

#include <lockstep/locked/bounded_queue.hpp>
#include <lockstep/locked/queue.hpp>
#include <lockstep/locked/stack.hpp>
#include <lockstep/locked/two_lock_queue.hpp>
#include <lockstep/lockfree/bounded_queue.hpp>
#include <lockstep/lockfree/faa_queue.hpp>
#include <lockstep/lockfree/ms_queue.hpp>
#include <lockstep/lockfree/scq.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>

#include "elimination_model.hpp"

using namespace lockstep;
namespace lin = verify::lin;
using lin::queries;

namespace {

template <std::size_t Capacity, class Queue>
using sized = verify::constructed_with<Queue, Capacity>;

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  lin::model_options options;
  options.final_calls = 2;

  lin::model_check(checks, "treiber_stack", lin::stack_operations<lockfree::treiber_stack<int>>(),
                   options);
  // One slot and a patience of one (elimination_model.hpp): with the default patience a pusher
  // waits 64 rounds for a partner, which the random search reports as a livelock.
  lin::model_check(checks, "elimination_stack (1 slot, patience 1)",
                   lin::stack_operations<verify::elimination_model_stack>(), options);
  lin::model_check(checks, "locked::stack", lin::stack_operations<locked::stack<int>>(), options);
  lin::model_check(checks, "ms_queue",
                   lin::queue_operations<lockfree::ms_queue<int>, queries::empty>(), options);
  lin::model_check(checks, "faa_queue", lin::queue_operations<lockfree::faa_queue<int>>(),
                   options);
  lin::model_check(checks, "locked::queue",
                   lin::queue_operations<locked::queue<int>, queries::empty>(), options);
  lin::model_check(checks, "two_lock_queue",
                   lin::queue_operations<locked::two_lock_queue<int>, queries::empty>(), options);
  lin::model_check(checks, "locked::bounded_queue (capacity 1)",
                   lin::queue_operations<sized<1, locked::bounded_queue<int>>>(1), options);
  lin::model_check(
      checks, "bounded_queue, strong answers (capacity 2)",
      lin::queue_operations<sized<2, lockfree::bounded_queue<int, lockfree::answers::strong>>>(2),
      options);
  lin::model_check(checks, "bounded_queue (capacity 2): its documented pessimistic empty",
                   lin::queue_operations<sized<2, lockfree::bounded_queue<int>>>(2), options,
                   rl::test_result_user_assert_failed);
  lin::model_check<3>(
      checks, "bounded_queue, strong answers (capacity 2), 3 threads",
      lin::queue_operations<sized<2, lockfree::bounded_queue<int, lockfree::answers::strong>>>(2),
      options);
  lin::model_check<3>(checks, "elimination_stack (1 slot, patience 1), 3 threads",
                      lin::stack_operations<verify::elimination_model_stack>(), options);
  lin::model_check(checks, "scq (capacity 2)",
                   lin::queue_operations<sized<2, lockfree::scq<int>>>(2), options);
  return checks.result();
}
