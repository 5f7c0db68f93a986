// locked::wait_group with real threads: Go's WaitGroup contract (wait returns once every add is
// matched by a done, and sees what the tasks wrote), Go 1.25's go(fn), the negative-counter
// error, reuse after wait, and that every thread go() started is joined — by wait() or, failing
// that, by the destructor.
#include <lockstep/locked/wait_group.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace {

using lockstep::locked::wait_group;

constexpr std::size_t tasks = 16;  // 8x the cores of the reference machine: oversubscribed

TEST(wait_group, wait_on_a_zero_counter_returns_at_once) {
  wait_group wg;
  wg.wait();
  wg.add(2);
  wg.add(-2);
  wg.wait();
}

// The values are plain ints: only wait()'s happens-before makes reading them race-free, which
// ThreadSanitizer checks.
TEST(wait_group, wait_sees_what_every_task_wrote_before_done) {
  wait_group wg;
  std::vector<int> results(tasks, 0);
  std::vector<std::thread> threads;
  wg.add(static_cast<std::ptrdiff_t>(tasks));
  for (std::size_t t = 0; t < tasks; ++t) {
    threads.emplace_back([&, t] {
      results[t] = static_cast<int>(t) + 1;
      wg.done();
    });
  }
  wg.wait();
  for (std::size_t t = 0; t < tasks; ++t) EXPECT_EQ(results[t], static_cast<int>(t) + 1);
  for (std::thread& t : threads) t.join();
}

TEST(wait_group, go_runs_each_function_once_and_wait_joins_them) {
  wait_group wg;
  std::vector<int> runs(tasks, 0);
  for (std::size_t t = 0; t < tasks; ++t) wg.go([&runs, t] { ++runs[t]; });
  wg.wait();
  for (int r : runs) EXPECT_EQ(r, 1);
}

TEST(wait_group, go_accepts_move_only_functions) {
  wait_group wg;
  auto owned = std::make_unique<int>(7);
  int seen = 0;
  wg.go([owned = std::move(owned), &seen] { seen = *owned; });
  wg.wait();
  EXPECT_EQ(seen, 7);
}

// A task may start tasks: the inner go() raises the counter before the outer task's done(), so
// the counter cannot touch zero in between and wait() covers both.
TEST(wait_group, tasks_started_by_tasks_are_waited_for) {
  wait_group wg;
  std::atomic<int> inner{0};
  for (std::size_t t = 0; t < 4; ++t) {
    wg.go([&] {
      for (int i = 0; i < 4; ++i) wg.go([&] { inner.fetch_add(1, std::memory_order_relaxed); });
    });
  }
  wg.wait();
  EXPECT_EQ(inner.load(), 16);
}

TEST(wait_group, several_threads_may_wait_at_once) {
  wait_group wg;
  std::atomic<bool> release{false};
  int value = 0;
  wg.go([&] {
    while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
    value = 42;
  });
  std::vector<int> seen(4, 0);
  std::vector<std::thread> waiters;
  for (std::size_t w = 0; w < seen.size(); ++w) {
    waiters.emplace_back([&, w] {
      wg.wait();
      seen[w] = value;
    });
  }
  release.store(true, std::memory_order_release);
  for (std::thread& t : waiters) t.join();
  for (int s : seen) EXPECT_EQ(s, 42);
}

TEST(wait_group, can_be_reused_after_wait) {
  wait_group wg;
  int rounds = 0;
  for (int round = 0; round < 3; ++round) {
    wg.go([&rounds] { ++rounds; });
    wg.wait();
  }
  EXPECT_EQ(rounds, 3);
}

// Go panics with "sync: negative WaitGroup counter"; here it is a logic_error that leaves the
// counter as it was, so the group stays usable.
TEST(wait_group, a_negative_counter_is_a_logic_error_and_changes_nothing) {
  wait_group wg;
  EXPECT_THROW(wg.done(), std::logic_error);
  wg.add(1);
  EXPECT_THROW(wg.add(-2), std::logic_error);
  wg.done();
  wg.wait();
  EXPECT_THROW(wg.add(std::numeric_limits<std::ptrdiff_t>::min()), std::logic_error);
}

TEST(wait_group, counter_overflow_is_reported) {
  wait_group wg;
  wg.add(std::numeric_limits<std::ptrdiff_t>::max());
  EXPECT_THROW(wg.add(1), std::overflow_error);
  EXPECT_THROW(wg.go([] {}), std::overflow_error);
  wg.add(-std::numeric_limits<std::ptrdiff_t>::max());
  wg.wait();
}

// Without a wait(), the destructor still joins: the task is still running when the group goes
// out of scope, and has finished (and is joined, so nothing leaks) when the scope is left.
TEST(wait_group, the_destructor_joins_threads_never_waited_for) {
  std::atomic<bool> release{false};
  std::atomic<bool> finished{false};
  std::thread releaser;
  {
    wait_group wg;
    wg.go([&] {
      while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
      finished.store(true, std::memory_order_release);
    });
    releaser = std::thread([&] { release.store(true, std::memory_order_release); });
  }
  EXPECT_TRUE(finished.load(std::memory_order_acquire));
  releaser.join();
}

}  // namespace
