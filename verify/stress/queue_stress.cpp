// Every MPMC queue under oversubscription: 8 threads, or 2x the cores where that is more, in two
// workloads. Producers/consumers: half the threads push distinct values, half pop. Pairs: every
// thread pushes a burst and then pops as many times, so the queue fills and runs dry and nodes,
// slots and segments are recycled constantly (where ABA and reclamation bugs live).
//
// After draining, conservation: every pushed value was popped exactly once and nothing else came
// out. FIFO per producer, as far as one thread can see it: the values a consumer receives from
// one producer arrive in the order that producer pushed them.
//
// Each queue gets at most values_per_producer pushes per thread and a wall-clock budget,
// whichever ends first: lock convoys under oversubscription (see the locks' headers) must not
// turn the test into a timeout. Bounded queues may answer "full"; the producer then yields and
// retries. LOCKSTEP_STRESS_SCALE (default 1) multiplies both budgets.
#include "../unit/queue_types.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>
#include <vector>

namespace {

using lockstep::verify::queue_families;
using lockstep::verify::queue_family_names;

const unsigned threads = std::max(8u, 2 * std::thread::hardware_concurrency());
constexpr unsigned burst = 16;
constexpr std::size_t capacity = 64;

unsigned scale() {
  const char* s = std::getenv("LOCKSTEP_STRESS_SCALE");
  return s ? static_cast<unsigned>(std::max(1, std::atoi(s))) : 1u;
}
unsigned values_per_producer() { return 20'000 * scale(); }
std::chrono::steady_clock::duration budget() { return std::chrono::seconds(2) * scale(); }

// Values carry their producer in the high bits, so all values are distinct.
std::uint64_t value(unsigned producer, unsigned sequence) {
  return (std::uint64_t{producer} << 32) + sequence;
}

// What each thread popped, in order, and what each pushed; checked after the run.
struct ledger {
  std::vector<std::vector<std::uint64_t>> popped{threads};
  std::vector<unsigned> pushed_by = std::vector<unsigned>(threads, 0);

  template <class Queue>
  void check(Queue& q) {
    unsigned fifo_violations = 0;
    for (const auto& mine : popped) {
      std::vector<std::int64_t> last(threads, -1);
      for (std::uint64_t v : mine) {
        const auto producer = static_cast<unsigned>(v >> 32);
        const auto sequence = static_cast<std::int64_t>(v & 0xffff'ffffu);
        if (producer < threads) {
          if (sequence <= last[producer]) ++fifo_violations;
          last[producer] = sequence;
        }
      }
    }
    std::vector<std::uint64_t> all;
    for (const auto& mine : popped) all.insert(all.end(), mine.begin(), mine.end());
    while (std::optional<std::uint64_t> v = q.try_pop()) all.push_back(*v);

    std::vector<std::uint64_t> expected;
    for (unsigned t = 0; t < threads; ++t) {
      for (unsigned i = 0; i < pushed_by[t]; ++i) expected.push_back(value(t, i));
    }
    std::printf("%zu pushes and as many pops by %u threads\n", expected.size(), threads);
    ASSERT_EQ(all.size(), expected.size()) << "values were lost or duplicated";
    std::sort(all.begin(), all.end());
    EXPECT_TRUE(all == expected) << "a value was lost, duplicated or invented";
    EXPECT_EQ(fifo_violations, 0u) << "a consumer saw one producer's values out of order";
  }
};

template <class Queue>
bool offer(Queue& q, std::uint64_t v) {
  if constexpr (lockstep::sync::bounded_queue<Queue>) {
    return q.try_push(v);
  } else {
    q.push(v);
    return true;
  }
}

template <class Body>
void run_threads(Body body) {
  // A start gate, so that the threads contend instead of each finishing before the next starts.
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      body(t, std::chrono::steady_clock::now() + budget());
    });
  }
  go.store(true, std::memory_order_release);
  for (std::thread& t : pool) t.join();
}

template <class Family>
class queue_stress : public ::testing::Test {};
TYPED_TEST_SUITE(queue_stress, queue_families, queue_family_names);

TYPED_TEST(queue_stress, producers_and_consumers) {
  auto q = TypeParam::template make<std::uint64_t>(capacity);
  ledger book;
  const unsigned producers = threads / 2;
  std::atomic<unsigned> producers_done{0};
  run_threads([&](unsigned t, auto deadline) {
    if (t < producers) {
      unsigned pushed = 0;
      while (pushed < values_per_producer() && std::chrono::steady_clock::now() < deadline) {
        if (offer(*q, value(t, pushed))) {
          ++pushed;
        } else {
          std::this_thread::yield();
        }
      }
      book.pushed_by[t] = pushed;
      producers_done.fetch_add(1, std::memory_order_release);
    } else {
      std::vector<std::uint64_t>& mine = book.popped[t];
      // Consumers stop once every producer is done and the queue looked empty after that.
      for (;;) {
        const bool finished = producers_done.load(std::memory_order_acquire) == producers;
        if (std::optional<std::uint64_t> v = q->try_pop()) {
          mine.push_back(*v);
        } else if (finished) {
          break;
        } else {
          std::this_thread::yield();
        }
      }
    }
  });
  book.check(*q);
}

TYPED_TEST(queue_stress, enqueue_dequeue_pairs) {
  auto q = TypeParam::template make<std::uint64_t>(capacity);
  ledger book;
  run_threads([&](unsigned t, auto deadline) {
    std::vector<std::uint64_t>& mine = book.popped[t];
    unsigned pushed = 0;
    while (pushed < values_per_producer() && std::chrono::steady_clock::now() < deadline) {
      const unsigned n = std::min(burst, values_per_producer() - pushed);
      unsigned accepted = 0;
      for (unsigned i = 0; i < n; ++i) {
        if (!offer(*q, value(t, pushed))) break;
        ++pushed;
        ++accepted;
      }
      for (unsigned i = 0; i < std::max(accepted, 1u); ++i) {
        if (std::optional<std::uint64_t> v = q->try_pop()) mine.push_back(*v);
      }
    }
    book.pushed_by[t] = pushed;
  });
  book.check(*q);
}

}  // namespace
