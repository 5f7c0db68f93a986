// Both work-stealing deques under oversubscription: one owner pushes increasing values in
// bursts of growing size and pops some of each or all, while 7 thieves (or 2x the cores less one,
// where that is more) steal without pause. The lock-free deque starts with one slot, so the
// bursts grow it again and again while thieves read the arrays being replaced.
//
// Checked: every value pushed is taken exactly once (by a pop, a steal or the final drain) and
// nothing else comes out; a pop returns the newest value the owner pushed and has not taken,
// or nothing, after which the thieves have taken everything older; one thief's steals come out
// in push order.
//
// The owner pushes at most values_pushed() values within a wall-clock budget, whichever ends
// first. LOCKSTEP_STRESS_SCALE (default 1) multiplies both.
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/locked/work_stealing_deque.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include <gtest/gtest.h>

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

using lockstep::locked::work_stealing_deque;
using lockstep::lockfree::chase_lev_deque;

const unsigned thieves = std::max(7u, 2 * std::thread::hardware_concurrency() - 1);

unsigned scale() {
  const char* s = std::getenv("LOCKSTEP_STRESS_SCALE");
  return s ? static_cast<unsigned>(std::max(1, std::atoi(s))) : 1u;
}
std::uint64_t values_pushed() { return 400'000ull * scale(); }
std::chrono::steady_clock::duration budget() { return std::chrono::seconds(2) * scale(); }

// The lock-free deque from one slot, so that the bursts grow it while thieves steal.
template <class Reclaimer>
struct from_one_slot : chase_lev_deque<std::uint64_t, Reclaimer> {
  from_one_slot() : chase_lev_deque<std::uint64_t, Reclaimer>(1) {}
};

template <class Deque>
class deque_stress : public ::testing::Test {};
using deques =
    ::testing::Types<from_one_slot<lockstep::hazard::hazard_pointers>,
                     from_one_slot<lockstep::hazard::epochs>, work_stealing_deque<std::uint64_t>>;
TYPED_TEST_SUITE(deque_stress, deques);

TYPED_TEST(deque_stress, every_value_is_taken_exactly_once) {
  TypeParam d;
  std::vector<std::vector<std::uint64_t>> stolen(thieves);
  std::atomic<bool> go{false};
  std::atomic<bool> done{false};
  std::atomic<unsigned> fifo_violations{0};

  std::vector<std::thread> pool;
  for (unsigned t = 0; t < thieves; ++t) {
    pool.emplace_back([&, t] {
      std::vector<std::uint64_t>& mine = stolen[t];
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      // Values start at 1: 0 is never pushed, so it is below every stolen value.
      std::uint64_t last = 0;
      // The flag is read before the steal: a steal that finds the deque empty after `done`
      // was set has seen everything the owner will ever leave to thieves.
      for (bool finished = false; !finished;) {
        finished = done.load(std::memory_order_acquire);
        if (std::optional<std::uint64_t> v = d.steal()) {
          if (*v <= last) fifo_violations.fetch_add(1, std::memory_order_relaxed);
          last = *v;
          mine.push_back(*v);
          finished = false;
        }
      }
    });
  }

  std::vector<std::uint64_t> popped;
  std::vector<std::uint64_t> own;  // pushed by the owner, not yet seen taken
  unsigned lifo_violations = 0;
  // One pop; false when it came back empty.
  const auto take = [&] {
    const std::optional<std::uint64_t> v = d.pop();
    if (!v) {
      own.clear();  // the thieves took everything older
      return false;
    }
    if (own.empty() || *v != own.back()) ++lifo_violations;
    if (!own.empty()) own.pop_back();
    popped.push_back(*v);
    return true;
  };

  go.store(true, std::memory_order_release);
  const auto deadline = std::chrono::steady_clock::now() + budget();
  const std::uint64_t limit = values_pushed();
  std::uint64_t next = 1;
  // Bursts of 1, 2, 4, ... 4096 values, and again: each large burst grows a deque that the
  // thieves had emptied back to a few elements.
  for (unsigned round = 0; next <= limit && std::chrono::steady_clock::now() < deadline; ++round) {
    const std::uint64_t n = std::min<std::uint64_t>(1ull << (round % 13), limit - next + 1);
    for (std::uint64_t i = 0; i < n; ++i) {
      d.push(next);
      own.push_back(next++);
    }
    // Every other round the owner pops until empty, racing the thieves for the last element.
    if (round % 2 == 0) {
      while (take()) {
      }
    } else {
      for (std::uint64_t i = 0; i < n / 2 + 1; ++i) take();
    }
  }
  done.store(true, std::memory_order_release);
  for (std::thread& th : pool) th.join();
  while (std::optional<std::uint64_t> v = d.pop()) popped.push_back(*v);

  const std::uint64_t pushed = next - 1;
  std::vector<unsigned char> taken(pushed + 1, 0);
  std::uint64_t strangers = 0;
  std::uint64_t twice = 0;
  const auto count = [&](std::uint64_t v) {
    if (v == 0 || v > pushed) {
      ++strangers;
    } else if (taken[v]++ != 0) {
      ++twice;
    }
  };
  for (std::uint64_t v : popped) count(v);
  std::uint64_t steals = 0;
  for (const auto& mine : stolen) {
    steals += mine.size();
    for (std::uint64_t v : mine) count(v);
  }
  const auto lost = static_cast<std::uint64_t>(std::count(taken.begin() + 1, taken.end(), 0));
  EXPECT_EQ(strangers, 0u);
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(lifo_violations, 0u);
  EXPECT_EQ(fifo_violations.load(), 0u);
  EXPECT_EQ(d.size(), 0u);
  // A run in which the thieves got nothing exercised no race.
  EXPECT_GT(steals, 0u);
  std::printf("%llu values pushed, %llu stolen by %u thieves\n",
              static_cast<unsigned long long>(pushed), static_cast<unsigned long long>(steals),
              thieves);
}

}  // namespace
