// What the scheduler suites share: the two schedulers every test runs on, a frame token that
// counts the copies living in coroutine frames (so a test sees that shutdown destroyed every
// frame exactly once), a watchdog that turns a lost task into a clear failure instead of a hang,
// and a program whose every task counts its own resumptions.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/task.hpp>
#include <lockstep/sched/wait_group.hpp>

#include <gtest/gtest.h>

namespace lockstep::verify {

using scheduler_types = ::testing::Types<sched::scheduler, sched::locked_scheduler>;

struct scheduler_names {
  template <class Scheduler>
  static std::string GetName(int index) {
    static const char* const names[] = {"chase_lev", "locked"};
    return names[index];
  }
};

// Counts its live copies. Passed by value to a coroutine, it is copied into the frame, so
// live() == 0 once every frame that held one was destroyed, and goes negative on a double
// destruction. Atomic: frames die on any worker.
class frame_token {
 public:
  frame_token() { live_.fetch_add(1, std::memory_order_relaxed); }
  frame_token(const frame_token&) { live_.fetch_add(1, std::memory_order_relaxed); }
  frame_token& operator=(const frame_token&) = default;
  ~frame_token() { live_.fetch_sub(1, std::memory_order_relaxed); }
  static long live() { return live_.load(std::memory_order_relaxed); }

 private:
  static inline std::atomic<long> live_{0};
};

// Aborts the process with `what` unless destroyed within `limit`: a lost wake-up or a lost task
// shows up as a named failure, not as a ctest timeout with no message. Declare it before what
// it guards, so that it is destroyed after.
class watchdog {
 public:
  watchdog(std::chrono::seconds limit, const char* what)
      : thread_([this, limit, what] {
          std::unique_lock hold(mutex_);
          if (!cv_.wait_for(hold, limit, [this] { return done_; })) {
            std::fprintf(stderr, "watchdog: %s did not finish within %lld s\n", what,
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  ~watchdog() {
    {
      std::scoped_lock hold(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// 1, 2, the cores and 4x the cores, without repeats: the worker counts of the issue.
inline std::vector<std::size_t> worker_counts() {
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::size_t> counts{1, 2, cores, 4 * cores};
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return counts;
}

// A 10-ary tree of `tasks` tasks; task n has children 10n+1 .. 10n+10 (those below `tasks`) and
// returns the sum of its subtree's ids, so the root returns tasks*(tasks-1)/2. Every task adds 1
// to its own slot at its start and after each co_await, so a task resumed twice for one
// suspension counts too many, and a lost one never lets run() return (the watchdog fires). The
// slots are plain integers: a task that moves between workers must see its own earlier writes,
// and run()'s caller every task's, which ThreadSanitizer checks.
//
// The suspensions mix what the scheduler offers: one task in three awaits its children one by
// one (co_await child), the others spawn them detached and await a wait_group; every seventh
// task yields once or twice first.
class resumption_program {
 public:
  static constexpr std::uint32_t fanout = 10;

  explicit resumption_program(std::uint32_t tasks) : tasks_(tasks), counts_(tasks, 0) {}

  sched::task<std::uint64_t> root() { return node(0); }

  std::uint64_t expected_sum() const { return std::uint64_t{tasks_} * (tasks_ - 1) / 2; }

  // The tasks whose count differs from what the program implies, reported by id, at most 10.
  std::vector<std::string> miscounted() const {
    std::vector<std::string> wrong;
    for (std::uint32_t id = 0; id < tasks_ && wrong.size() < 10; ++id) {
      if (counts_[id] != expected(id)) {
        wrong.push_back("task " + std::to_string(id) + ": " + std::to_string(counts_[id]) +
                        " resumptions, expected " + std::to_string(expected(id)));
      }
    }
    return wrong;
  }

 private:
  static std::uint32_t yields(std::uint32_t id) { return id % 7 == 0 ? 1 + id % 2 : 0; }
  static bool awaits_children(std::uint32_t id) { return id % 3 == 2; }
  std::uint32_t first_child(std::uint32_t id) const {
    return static_cast<std::uint32_t>(
        std::min<std::uint64_t>(std::uint64_t{id} * fanout + 1, tasks_));
  }
  std::uint32_t end_child(std::uint32_t id) const {
    return static_cast<std::uint32_t>(
        std::min<std::uint64_t>(std::uint64_t{id} * fanout + 1 + fanout, tasks_));
  }

  std::uint32_t expected(std::uint32_t id) const {
    const std::uint32_t children = end_child(id) - first_child(id);
    std::uint32_t after_children = 0;
    if (children > 0) after_children = awaits_children(id) ? children : 1;
    return 1 + yields(id) + after_children;
  }

  sched::task<void> detached(std::uint32_t id, sched::wait_group& wg, std::uint64_t& sum) {
    sum = co_await node(id);
    wg.done();
  }

  sched::task<std::uint64_t> node(std::uint32_t id) {
    ++counts_[id];
    for (std::uint32_t y = 0; y < yields(id); ++y) {
      co_await sched::yield();
      ++counts_[id];
    }
    std::uint64_t sum = id;
    const std::uint32_t first = first_child(id);
    const std::uint32_t end = end_child(id);
    if (first == end) co_return sum;
    if (awaits_children(id)) {
      for (std::uint32_t child = first; child < end; ++child) {
        sum += co_await node(child);
        ++counts_[id];
      }
      co_return sum;
    }
    std::vector<std::uint64_t> sums(end - first, 0);
    sched::wait_group wg;
    wg.add(static_cast<std::ptrdiff_t>(end - first));
    for (std::uint32_t child = first; child < end; ++child) {
      sched::spawn(detached(child, wg, sums[child - first]));
    }
    co_await wg.wait();
    ++counts_[id];
    for (std::uint64_t s : sums) sum += s;
    co_return sum;
  }

  std::uint32_t tasks_;
  std::vector<std::uint32_t> counts_;
};

}  // namespace lockstep::verify
