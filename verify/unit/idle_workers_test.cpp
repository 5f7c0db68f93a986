// sched::idle_workers with real threads: workers that spin, find work, park and are woken by
// submitters (plain threads, and tasks submitting from a worker) run every task; a lost
// wake-up shows as a task never run, caught by a deadline instead of a hang; stop() wakes
// every parked worker and later parks return at once; 0 workers is rejected.
#include <lockstep/sched/idle_workers.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using lockstep::sched::idle_workers;
using clock_type = std::chrono::steady_clock;

constexpr auto patience = std::chrono::seconds(20);

// The queues, abstractly: a count of tasks every worker can take from. A task may submit
// `children` more from its worker, as a spawn inside a task would.
struct pool {
  explicit pool(std::size_t workers) : idle(workers) {}

  void submit(std::uint64_t count) {
    queued.fetch_add(count);
    submitted.fetch_add(count);
    idle.notify_work();
  }

  bool take() {
    std::uint64_t n = queued.load();
    while (n != 0) {
      if (queued.compare_exchange_weak(n, n - 1)) return true;
    }
    return false;
  }

  // The scheduler's loop over the protocol, with local deques left out.
  void work(std::uint64_t children) {
    bool spinning = false;
    for (;;) {
      if (!spinning) spinning = idle.try_spin();
      if (spinning && take()) {
        idle.spinner_found_work();
        spinning = false;
        run(children);
        continue;
      }
      spinning = idle.park(spinning, [this] { return queued.load() != 0; });
      if (!spinning) return;  // stopped
    }
  }

  void run(std::uint64_t children) {
    const std::uint64_t id = ran.fetch_add(1);
    if (children != 0 && id % 8 == 0) submit(children);
  }

  // True once every submitted task has run, false when the deadline passed first.
  bool drained() const {
    const auto deadline = clock_type::now() + patience;
    while (ran.load() != submitted.load() || queued.load() != 0) {
      if (clock_type::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return true;
  }

  bool all_parked(std::size_t workers) const {
    const auto deadline = clock_type::now() + patience;
    while (idle.idle() != workers) {
      if (clock_type::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return true;
  }

  idle_workers idle;
  std::atomic<std::uint64_t> queued{0};
  std::atomic<std::uint64_t> submitted{0};
  std::atomic<std::uint64_t> ran{0};
};

void join(std::vector<std::thread>& threads) {
  for (std::thread& t : threads) t.join();
  threads.clear();
}

TEST(idle_workers, zero_workers_is_rejected) {
  EXPECT_THROW(idle_workers{0}, std::invalid_argument);
}

TEST(idle_workers, park_after_stop_returns_false_at_once) {
  idle_workers idle(2);
  EXPECT_FALSE(idle.stopped());
  idle.stop();
  EXPECT_TRUE(idle.stopped());
  EXPECT_FALSE(idle.park(false, [] { return false; }));
  EXPECT_FALSE(idle.park(true, [] { return false; }));
}

TEST(idle_workers, park_with_work_returns_as_a_spinner_without_sleeping) {
  idle_workers idle(1);
  EXPECT_TRUE(idle.park(false, [] { return true; }));
  EXPECT_EQ(idle.idle(), 0u);
  // The caller is a spinner: a second one is refused while it is the only busy worker.
  EXPECT_FALSE(idle.try_spin());
  idle.spinner_found_work();
  EXPECT_TRUE(idle.try_spin());
}

// The re-check's exception leaves park as has_work() == true would: withdrawn, a spinner.
TEST(idle_workers, an_exception_from_the_recheck_withdraws_the_announcement) {
  idle_workers idle(1);
  EXPECT_THROW((void)idle.park(false, []() -> bool { throw std::runtime_error("scan"); }),
               std::runtime_error);
  EXPECT_EQ(idle.idle(), 0u);
  EXPECT_FALSE(idle.try_spin());
  idle.spinner_found_work();
  EXPECT_TRUE(idle.try_spin());
}

TEST(idle_workers, stop_wakes_every_parked_worker) {
  constexpr std::size_t workers = 4;
  pool p(workers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) threads.emplace_back([&] { p.work(0); });
  ASSERT_TRUE(p.all_parked(workers));
  p.idle.stop();
  join(threads);
}

// One task at a time, each submitted once its predecessor ran: every submit meets workers
// that are parking or parked, where a lost wake-up would leave the task unrun.
TEST(idle_workers, one_task_at_a_time_is_always_run) {
  constexpr std::size_t workers = 3;
  constexpr std::uint64_t rounds = 5000;
  pool p(workers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) threads.emplace_back([&] { p.work(0); });
  for (std::uint64_t r = 0; r < rounds; ++r) {
    p.submit(1);
    ASSERT_TRUE(p.drained()) << "round " << r << ": a task was left with every worker asleep";
  }
  p.idle.stop();
  join(threads);
  EXPECT_EQ(p.ran.load(), rounds);
}

TEST(idle_workers, submitters_and_spawning_tasks_run_every_task) {
  constexpr std::size_t workers = 4;
  constexpr std::size_t submitters = 2;
  constexpr std::uint64_t per_submitter = 20000;
  pool p(workers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) threads.emplace_back([&] { p.work(3); });
  std::vector<std::thread> sources;
  for (std::size_t s = 0; s < submitters; ++s) {
    sources.emplace_back([&, s] {
      for (std::uint64_t i = 0; i < per_submitter; ++i) {
        p.submit(1);
        // Now and then a pause long enough for the workers to park.
        if ((i + s) % 1024 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  join(sources);
  ASSERT_TRUE(p.drained()) << "tasks left unrun: " << p.queued.load();
  EXPECT_GE(p.ran.load(), submitters * per_submitter);
  p.idle.stop();
  join(threads);
}

}  // namespace
