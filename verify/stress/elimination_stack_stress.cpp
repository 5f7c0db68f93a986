// lockfree::elimination_stack under real threads, more of them than cores, in two workloads:
// every thread pushing and popping in bursts, and half the threads pushing while the other
// half pop from a pre-filled stack. Afterwards the multiset of values popped (plus those
// drained from the stack) must equal the multiset pushed — nothing lost, nothing duplicated,
// including the values handed over in the elimination array. The number of exchanges is
// reported, not asserted: an exchange needs a push and a pop whose CASes on the head both
// failed, i.e. a third operation succeeded in between, so on a machine with two cores it takes
// a thread descheduled inside its CAS window or while its offer waits, and how often that
// happens is the scheduler's business.
#include <lockstep/lockfree/elimination_stack.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace {

using lockstep::hazard::tagged_pool;
using lockstep::lockfree::elimination_stack;

// At least 2x the cores: oversubscribed (4x on the reference machine).
const unsigned threads = std::max(8u, 2 * std::thread::hardware_concurrency());
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr unsigned rounds = 10'000;  // sanitizers run ~10-20x slower
#else
constexpr unsigned rounds = 40'000;
#endif
constexpr unsigned burst = 4;  // pushes, then as many pops, per round
constexpr unsigned prefill = 1'000;  // so that role-split pops rarely find the stack empty

std::uint64_t value_of(unsigned thread, std::uint64_t sequence) {
  return (std::uint64_t{thread} << 40) | sequence;
}

enum class workload { bursts, roles };

template <class Stack>
void check_conservation(const char* name, workload shape) {
  Stack stack;
  std::vector<std::uint64_t> in;
  for (std::uint64_t s = 0; s < prefill; ++s) {
    stack.push(value_of(threads, s));
    in.push_back(value_of(threads, s));
  }
  // Under `roles`, odd threads push twice as much and even threads only pop, so the pushed
  // count per thread is the same in both shapes for the pushers.
  const auto pushes_of = [shape](unsigned t) -> std::uint64_t {
    if (shape == workload::bursts) return std::uint64_t{rounds} * burst;
    return t % 2 == 1 ? std::uint64_t{rounds} * burst * 2 : 0;
  };
  std::vector<std::vector<std::uint64_t>> popped(threads);
  std::latch start(threads);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<std::uint64_t>& mine = popped[t];
      mine.reserve(std::size_t{rounds} * burst * 2);
      std::uint64_t sequence = 0;
      start.arrive_and_wait();
      for (unsigned r = 0; r < rounds; ++r) {
        for (unsigned i = 0; i < burst; ++i) {
          const bool pushes = shape == workload::bursts || t % 2 == 1;
          const bool pops = shape == workload::bursts || t % 2 == 0;
          if (pushes) stack.push(value_of(t, sequence++));
          if (shape == workload::roles && pushes) stack.push(value_of(t, sequence++));
          if (shape == workload::roles && pops) {
            if (std::optional<std::uint64_t> v = stack.try_pop()) mine.push_back(*v);
            if (std::optional<std::uint64_t> v = stack.try_pop()) mine.push_back(*v);
          }
        }
        if (shape == workload::bursts) {
          for (unsigned i = 0; i < burst; ++i) {
            if (std::optional<std::uint64_t> v = stack.try_pop()) mine.push_back(*v);
          }
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();

  std::vector<std::uint64_t> out;
  for (const auto& mine : popped) out.insert(out.end(), mine.begin(), mine.end());
  const std::size_t popped_concurrently = out.size();
  while (std::optional<std::uint64_t> v = stack.try_pop()) out.push_back(*v);
  for (unsigned t = 0; t < threads; ++t) {
    for (std::uint64_t s = 0; s < pushes_of(t); ++s) in.push_back(value_of(t, s));
  }
  std::sort(in.begin(), in.end());
  std::sort(out.begin(), out.end());
  EXPECT_EQ(std::adjacent_find(out.begin(), out.end()), out.end()) << "a value came out twice";
  EXPECT_EQ(out, in) << "the popped multiset differs from the pushed one";

  std::printf("%s: %u threads, %zu values pushed, %zu popped concurrently, %zu eliminated pairs\n",
              name, threads, in.size(), popped_concurrently, stack.eliminations());
  std::fflush(stdout);
  ::testing::Test::RecordProperty("eliminations", static_cast<int>(stack.eliminations()));
}

TEST(ElimStackStress, BurstsConserveValuesWithFourSlots) {
  check_conservation<elimination_stack<std::uint64_t>>("bursts, 4 slots", workload::bursts);
}

TEST(ElimStackStress, BurstsConserveValuesWithOneSlot) {
  check_conservation<elimination_stack<std::uint64_t, tagged_pool, 1>>("bursts, 1 slot",
                                                                      workload::bursts);
}

TEST(ElimStackStress, PushersAgainstPoppersConserveValuesWithFourSlots) {
  check_conservation<elimination_stack<std::uint64_t>>("pushers vs poppers, 4 slots",
                                                       workload::roles);
}

TEST(ElimStackStress, PushersAgainstPoppersConserveValuesWithOneSlot) {
  check_conservation<elimination_stack<std::uint64_t, tagged_pool, 1>>(
      "pushers vs poppers, 1 slot", workload::roles);
}

// Owning values through the array and the stack: every object is destroyed exactly once,
// whether it was popped, eliminated, or left for the destructor (ASan reports a leak or a
// double free otherwise).
TEST(ElimStackStress, OwnedValuesAreDestroyedOnce) {
  static constexpr unsigned owned_rounds = rounds / 4;
  std::size_t eliminations = 0;
  {
    elimination_stack<std::unique_ptr<std::uint64_t>> stack;
    std::latch start(threads);
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        start.arrive_and_wait();
        for (unsigned r = 0; r < owned_rounds; ++r) {
          stack.push(std::make_unique<std::uint64_t>(value_of(t, r)));
          stack.push(std::make_unique<std::uint64_t>(value_of(t, r) | (std::uint64_t{1} << 39)));
          std::optional<std::unique_ptr<std::uint64_t>> v = stack.try_pop();
          EXPECT_TRUE(!v || *v != nullptr);
        }
      });
    }
    for (std::thread& w : workers) w.join();
    eliminations = stack.eliminations();
  }
  std::printf("owned values: %zu eliminated pairs\n", eliminations);
}

}  // namespace
