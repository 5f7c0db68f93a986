// Model checks of flat combining (locked/flat_combining.hpp): fc_queue against the queue
// contract shared with every queue (queue_scenarios.hpp), and the generic combiner's exception
// path. The request's outcome, the publication record's task and the combined structure are
// sync::plain, so a publication or a result handed back without its release/acquire edge is
// reported as a data race (mutation/fc_relaxed_done.cpp shows the second one caught).
//
// Checked with as many publication records as threads, where every requester publishes and
// waits (the paths where a waiter becomes the combiner and where it is served by another),
// and with one record for two threads, where one requester at a time must take the fallback
// path: take the lock, serve the pending record, apply its own operation. fc_stack, the stack
// family's twin, is checked in fc_stack.cpp (queue and stack scenarios share names).
#include "queue_scenarios.hpp"

#include <deque>
#include <stdexcept>
#include <string>

#include <lockstep/locked/flat_combining.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>

using namespace lockstep;
using verify::search;

namespace {

// Scenario queues are constructed by default; this chooses the number of records.
template <std::size_t Records, class Lock = locked::std_mutex>
using fc_queue_with = verify::constructed_with<locked::fc_queue<int, Lock>, Records>;

// An exception thrown by an operation inside the combiner reaches its requester, whoever
// combined it, and the structure goes on: thread 0's operation throws, thread 1 pushes.
template <std::size_t Records, class Lock = locked::std_mutex>
struct exception_reaches_requester : rl::test_suite<exception_reaches_requester<Records, Lock>, 2> {
  locked::flat_combining<std::deque<int>, Lock> combiner{Records};
  bool caught = false;

  void thread(unsigned t) {
    if (t == 0) {
      try {
        combiner.apply([](std::deque<int>&) -> int { throw std::runtime_error("refused"); });
      } catch (const std::runtime_error&) {
        caught = true;
      }
    } else {
      combiner.apply([](std::deque<int>& items) { items.push_back(7); });
    }
  }

  void after() {
    RL_ASSERT(caught);
    const std::size_t size = combiner.apply([](std::deque<int>& items) { return items.size(); });
    RL_ASSERT(size == 1);
  }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  using tatas = locked::tatas_lock;

  checks.pass<verify::push_then_pop<fc_queue_with<2>, 2, 1>>(
      "fc_queue 2 records: 2 threads x (push, pop)", checks.bounded(3, 4));
  checks.pass<verify::push_then_pop<fc_queue_with<1>, 2, 1>>(
      "fc_queue 1 record (fallback): 2 threads x (push, pop)", checks.bounded(3, 4));
  checks.pass<verify::produce_consume<fc_queue_with<2>, 1, 1, 2>>(
      "fc_queue 2 records: 1 producer x 2 || 1 consumer x 2", checks.bounded(2, 3));
  checks.pass<verify::push_then_pop<fc_queue_with<2>, 2, 2>>(
      "fc_queue 2 records: 2 threads x (2 push, 2 pop)", checks.bounded(2, 3));
  checks.pass<verify::push_then_pop<fc_queue_with<1>, 2, 2>>(
      "fc_queue 1 record (fallback): 2 threads x (2 push, 2 pop)", checks.bounded(2, 3));
  checks.pass<verify::push_then_pop<fc_queue_with<2, tatas>, 2, 1>>(
      "fc_queue<int, tatas_lock> 2 records: 2 threads x (push, pop)", checks.bounded(3, 4));
  checks.pass<verify::push_then_pop<fc_queue_with<3>, 3, 2>>(
      "fc_queue 3 records: 3 threads x (2 push, 2 pop)", checks.random(100'000, 2'000'000));
  checks.pass<verify::push_then_pop<fc_queue_with<2>, 3, 2>>(
      "fc_queue 2 records: 3 threads x (2 push, 2 pop)", checks.random(100'000, 2'000'000));
  checks.pass<exception_reaches_requester<2>>(
      "flat_combining 2 records: an exception reaches its requester", checks.bounded(3, 4));
  checks.pass<exception_reaches_requester<1>>(
      "flat_combining 1 record (fallback): an exception reaches its requester",
      checks.bounded(3, 4));
  return checks.result();
}
