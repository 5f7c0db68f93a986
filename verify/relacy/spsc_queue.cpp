// Model checks of lockfree::spsc_queue (Lamport's ring with cached indices) against the queue
// contract of queue_scenarios.hpp, with its one producer and one consumer, at capacities 1, 2
// and 4 so that the ring wraps within the few operations a search can afford; plus a long run
// that laps the ring several times (the cached indices go stale and must be refreshed), exact
// "empty" and "full" answers, and the destruction of values left in the queue.
#include "queue_scenarios.hpp"

#include <cstddef>
#include <memory>
#include <optional>

#include <lockstep/lockfree/spsc_queue.hpp>

using namespace lockstep;
using verify::search;

namespace {

template <std::size_t Capacity, class T = int>
using ring = verify::constructed_with<lockfree::spsc_queue<T>, Capacity>;

// "Empty" and "full" are exact (unlike the MPMC ring's): the consumer is told the producer's
// progress through a flag with release/acquire, and must then find at least that many values;
// the producer, told the consumer took one, must find room.
struct exact_answers : rl::test_suite<exact_answers, 2> {
  ring<1> q;
  sync::atomic<int> stage{0};

  void thread(unsigned t) {
    if (t == 0) {
      RL_ASSERT(q.try_push(1));
      stage.store(1, sync::release);
      while (stage.load(sync::acquire) != 2) sync::yield();
      RL_ASSERT(q.try_push(2));  // the consumer took 1: the one cell is free
    } else {
      while (stage.load(sync::acquire) != 1) sync::yield();
      std::optional<int> v = q.try_pop();  // 1 was pushed before: not "empty"
      RL_ASSERT(v && *v == 1);
      stage.store(2, sync::release);
    }
  }

  void after() {
    std::optional<int> v = q.try_pop();
    RL_ASSERT(v && *v == 2 && !q.try_pop());
  }
};

// Values left in the queue are destroyed with it: Relacy's heap reports a leak otherwise.
struct leftovers_destroyed : rl::test_suite<leftovers_destroyed, 2> {
  ring<2, std::unique_ptr<int>> q;

  void thread(unsigned t) {
    if (t == 0) {
      for (int v = 0; v < 3; ++v) q.try_push(std::make_unique<int>(v));
    } else {
      q.try_pop();
    }
  }
};

// size() and empty() are exact for the producer and the consumer. The producer, having pushed
// one value, finds at most that one queued. The consumer asks empty() and then size(): the
// count it gets only grows until it pops, never short of what empty() announced, and exactly
// that many values, in order, are there for it to pop. After the run the queue holds the rest.
struct size_answers : rl::test_suite<size_answers, 2> {
  ring<2> q;
  std::size_t taken = 0;

  void thread(unsigned t) {
    if (t == 0) {
      RL_ASSERT(q.try_push(1));
      RL_ASSERT(q.size() <= 1);
      RL_ASSERT(q.try_push(2));
    } else {
      const bool empty = q.empty();
      taken = q.size();
      RL_ASSERT(taken <= 2 && (empty || taken >= 1));
      for (std::size_t i = 0; i < taken; ++i) {
        const std::optional<int> v = q.try_pop();
        RL_ASSERT(v && *v == static_cast<int>(i) + 1);
      }
    }
  }

  void after() { RL_ASSERT(q.size() == 2 - taken && q.empty() == (taken == 2)); }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  using verify::fill_while_popping;
  using verify::produce_consume;

  checks.pass<produce_consume<ring<2>, 1, 1, 2>>("spsc_queue(2) 1 producer x 2, 1 consumer x 2",
                                                 search::full());
  checks.pass<produce_consume<ring<4>, 1, 1, 4>>("spsc_queue(4) 1 producer x 4, 1 consumer x 4",
                                                 checks.bounded(6, 8));
  checks.pass<fill_while_popping<ring<1>>>("spsc_queue(1) fill while popping", search::full());
  checks.pass<fill_while_popping<ring<2>>>("spsc_queue(2) fill while popping", search::full());
  checks.pass<fill_while_popping<ring<4>>>("spsc_queue(4) fill while popping", search::full());
  checks.pass<verify::laps<ring<1>, 4>>("spsc_queue(1) 4 values through 1 cell",
                                       checks.bounded(4, 6));
  checks.pass<verify::laps<ring<2>, 5>>("spsc_queue(2) 5 values through 2 cells",
                                       checks.bounded(2, 3));
  checks.pass<exact_answers>("spsc_queue(1) exact empty and full answers", checks.bounded(4, 8));
  checks.pass<leftovers_destroyed>("spsc_queue(2) of unique_ptr, leftovers destroyed",
                                   search::full());
  checks.pass<size_answers>("spsc_queue(2) exact size and empty answers", search::full());
  return checks.result();
}
