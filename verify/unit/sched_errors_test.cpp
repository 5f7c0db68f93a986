// The error cases and shutdown of basic_scheduler on both deques: zero workers is
// std::invalid_argument; run() or sync_wait() from a worker, spawning a moved-from task, and the
// free sched::spawn on a plain thread are std::logic_error; an exception escaping a detached
// task reaches options.on_detached_exception, and the default handler prints it and terminates;
// a scheduler destroyed from one of its own workers dies with a message; and the destructor
// returns, destroying every frame exactly once, with tasks still queued, parked on a wait_group
// nobody completes, or yielding forever (the token count here, LeakSanitizer in the asan
// preset).
#include "sched_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace sched = lockstep::sched;
using namespace lockstep::verify;
using namespace std::chrono_literals;

template <class Scheduler>
class sched_errors : public ::testing::Test {
 protected:
  // "fast": fork and run the statement in the child. Safe here: the test's own threads
  // (the scheduler's workers) start in the child, after the fork, and no other test leaves a
  // thread running. "threadsafe" re-executes the binary, which qemu-user cannot do for an
  // AArch64 binary without binfmt_misc (Exec format error).
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "fast"); }
};
TYPED_TEST_SUITE(sched_errors, scheduler_types, scheduler_names);

sched::task<int> answer() { co_return 42; }
sched::task<void> answer_void() { co_return; }

sched::task<void> queued(frame_token, std::atomic<int>& ran) {
  ran.fetch_add(1);
  co_return;
}

// Waits, in slices, until `done` holds or 10 s pass; the caller then checks `done` again.
template <class Done>
void wait_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
}

TYPED_TEST(sched_errors, zero_workers_is_an_invalid_argument) {
  EXPECT_THROW(TypeParam s(0), std::invalid_argument);
  sched::options o;
  o.workers = 0;
  EXPECT_THROW(TypeParam s(o), std::invalid_argument);
}

// Two workers, so that a run() which wrongly blocked would finish instead of deadlocking and
// the test would fail on its result rather than on a timeout.
template <class Scheduler>
sched::task<std::string> runs_from_a_worker(Scheduler& s) {
  std::string seen;
  try {
    seen += std::to_string(s.run(answer())) + ";";
  } catch (const std::logic_error&) {
    seen += "logic_error;";
  }
  try {
    seen += std::to_string(sched::sync_wait(s, answer()));
  } catch (const std::logic_error&) {
    seen += "logic_error";
  }
  co_return seen;
}

TYPED_TEST(sched_errors, run_from_a_worker_is_a_logic_error) {
  TypeParam s(2);
  EXPECT_EQ(s.run(runs_from_a_worker(s)), "logic_error;logic_error");
}

TYPED_TEST(sched_errors, spawning_a_moved_from_task_is_a_logic_error) {
  TypeParam s(1);
  auto t = answer_void();
  auto moved = std::move(t);
  EXPECT_THROW(s.spawn(std::move(t)), std::logic_error);
  EXPECT_NO_THROW(s.run(std::move(moved)));
}

// The free sched::spawn needs a worker to say which scheduler; on a plain thread it is an error,
// and the task is destroyed unrun with its caller's copy (the token count).
TYPED_TEST(sched_errors, the_free_spawn_outside_a_worker_is_a_logic_error) {
  std::atomic<int> ran{0};
  EXPECT_THROW(sched::spawn(queued(frame_token{}, ran)), std::logic_error);
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(frame_token::live(), 0);
}

sched::task<void> throws_detached(std::string message) {
  throw std::runtime_error(message);
  co_return;
}

sched::task<void> throws_after_yield(std::string message) {
  co_await sched::yield();
  throw std::runtime_error(message);
}

sched::task<void> spawns_a_thrower() {
  sched::spawn(throws_after_yield("from sched::spawn"));
  co_return;
}

sched::task<int> catches_its_child() {
  try {
    co_await throws_after_yield("awaited, not detached");
  } catch (const std::runtime_error&) {
    co_return 1;
  }
  co_return 0;
}

TYPED_TEST(sched_errors, a_detached_exception_reaches_the_handler) {
  std::mutex mutex;
  std::vector<std::string> reported;
  sched::options o;
  o.workers = 2;
  o.on_detached_exception = [&](std::exception_ptr e) {
    std::scoped_lock hold(mutex);
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      reported.push_back(x.what());
    }
  };
  TypeParam s(o);
  s.spawn(throws_detached("from spawn"));
  s.go([]() -> sched::task<void> {
    co_await sched::yield();
    throw std::runtime_error("from go");
  });
  s.run(spawns_a_thrower());
  // An exception that an awaiter catches is not a detached one.
  EXPECT_EQ(s.run(catches_its_child()), 1);
  wait_until([&] {
    std::scoped_lock hold(mutex);
    return reported.size() >= 3;
  });
  // The scheduler keeps working after a detached task failed.
  EXPECT_EQ(s.run(answer()), 42);
  std::scoped_lock hold(mutex);
  std::sort(reported.begin(), reported.end());
  EXPECT_EQ(reported, (std::vector<std::string>{"from go", "from sched::spawn", "from spawn"}));
}

TYPED_TEST(sched_errors, the_default_handler_prints_and_terminates) {
  EXPECT_DEATH(
      {
        TypeParam s(1);
        s.spawn(throws_after_yield("escaped-from-a-detached-task"));
        std::this_thread::sleep_for(10s);
      },
      "escaped-from-a-detached-task");
}

template <class Scheduler>
sched::task<void> destroys(Scheduler* s) {
  delete s;
  co_return;
}

TYPED_TEST(sched_errors, destroying_the_scheduler_from_its_worker_dies_with_a_message) {
  EXPECT_DEATH(
      {
        auto* s = new TypeParam(2);
        s->run(destroys(s));
      },
      "worker");
}

// Shutdown ------------------------------------------------------------------------------------

sched::task<void> blocks_worker(std::atomic<bool>& started, std::atomic<bool>& release) {
  started.store(true);
  while (!release.load()) std::this_thread::sleep_for(1ms);
  co_return;
}

// The only worker is busy when the destructor starts, so the queued tasks are still queued:
// the destructor returns once the worker is released and destroys them (or runs them) — each
// frame exactly once.
TYPED_TEST(sched_errors, shutdown_with_tasks_still_queued_returns_and_frees_them) {
  constexpr int tasks = 1000;
  std::atomic<bool> started{false};
  std::atomic<bool> release{false};
  std::atomic<int> ran{0};
  std::thread releaser;
  {
    watchdog guard(60s, "the destructor with tasks queued");
    TypeParam s(1);
    s.spawn(blocks_worker(started, release));
    wait_until([&] { return started.load(); });
    ASSERT_TRUE(started.load());
    for (int i = 0; i < tasks; ++i) s.spawn(queued(frame_token{}, ran));
    releaser = std::thread([&] {
      std::this_thread::sleep_for(100ms);
      release.store(true);
    });
  }
  releaser.join();
  EXPECT_EQ(frame_token::live(), 0);
  EXPECT_LE(ran.load(), tasks);
}

TYPED_TEST(sched_errors, shutdown_right_after_spawning_returns_and_frees_everything) {
  std::atomic<int> ran{0};
  {
    watchdog guard(60s, "the destructor right after spawning");
    TypeParam s(2);
    for (int i = 0; i < 10'000; ++i) s.spawn(queued(frame_token{}, ran));
  }
  EXPECT_EQ(frame_token::live(), 0);
}

sched::task<void> parks(frame_token, sched::wait_group& gate, std::atomic<int>& parked) {
  parked.fetch_add(1);
  co_await gate.wait();
  ADD_FAILURE() << "a task parked on a wait_group nobody completes was resumed";
}

// The parent is parked in co_await on a child that is parked on the gate: destroying the
// parent's frame must destroy the child's too.
sched::task<void> awaits_a_parked_child(frame_token token, sched::wait_group& gate,
                                        std::atomic<int>& parked) {
  co_await parks(token, gate, parked);
  ADD_FAILURE() << "a task awaiting a parked child was resumed";
}

TYPED_TEST(sched_errors, shutdown_with_tasks_parked_on_a_wait_group_returns_and_frees_them) {
  constexpr int tasks = 200;
  sched::wait_group gate;
  gate.add(1);
  std::atomic<int> parked{0};
  {
    watchdog guard(60s, "the destructor with tasks parked");
    TypeParam s(2);
    for (int i = 0; i < tasks; ++i) {
      if (i % 2 == 0) {
        s.spawn(parks(frame_token{}, gate, parked));
      } else {
        s.spawn(awaits_a_parked_child(frame_token{}, gate, parked));
      }
    }
    wait_until([&] { return parked.load() == tasks; });
    EXPECT_EQ(parked.load(), tasks);
  }
  EXPECT_EQ(frame_token::live(), 0);
}

sched::task<void> yields_then_done(frame_token, sched::wait_group& wg) {
  co_await sched::yield();
  wg.done();
}

sched::task<void> spawns_yielders(int n) {
  sched::wait_group wg;
  wg.add(n);
  for (int i = 0; i < n; ++i) sched::spawn(yields_then_done(frame_token{}, wg));
  co_await wg.wait();
}

// A detached task that completes on another worker than its spawner's is handed back to the
// spawner to destroy; those not yet collected when the scheduler goes must be destroyed by it,
// once each.
TYPED_TEST(sched_errors, shutdown_destroys_completed_tasks_not_yet_collected) {
  for (std::size_t workers : worker_counts()) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    {
      TypeParam s(workers);
      s.run(spawns_yielders(2000));
    }
    EXPECT_EQ(frame_token::live(), 0);
  }
}

// Tasks that never finish on their own: one yields forever, one respawns itself forever.
sched::task<void> yields_forever(frame_token) {
  for (;;) co_await sched::yield();
}

sched::task<void> respawns_forever(frame_token token) {
  co_await sched::yield();
  sched::spawn(respawns_forever(token));
}

// The queued handle is the child's, the registered detached frame the parent's: destroying the
// parent destroys the child, so the queue's copy must not be destroyed or resumed again.
sched::task<void> awaits_a_child_yielding_forever(frame_token token) {
  co_await yields_forever(token);
}

TYPED_TEST(sched_errors, shutdown_stops_tasks_that_never_finish) {
  {
    watchdog guard(60s, "the destructor with tasks running forever");
    TypeParam s(2);
    for (int i = 0; i < 4; ++i) s.spawn(yields_forever(frame_token{}));
    for (int i = 0; i < 4; ++i) s.spawn(awaits_a_child_yielding_forever(frame_token{}));
    s.spawn(respawns_forever(frame_token{}));
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(frame_token::live(), 0);
}

}  // namespace
