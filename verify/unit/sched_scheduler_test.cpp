// basic_scheduler on both deques: every task resumed exactly once per suspension (a small
// resumption program at each worker count of the issue; the stress suite runs a million tasks);
// spawn and go from a plain thread and from a task, go's callable and arguments kept alive in the
// frame; wait_group (wait, many waiters, reuse, the negative counter); yield letting another task
// run; run() from several plain threads at once; workers() and on_worker_start.
#include "sched_support.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <latch>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace sched = lockstep::sched;
using namespace lockstep::verify;
using namespace std::chrono_literals;

template <class Scheduler>
class sched_scheduler : public ::testing::Test {};
TYPED_TEST_SUITE(sched_scheduler, scheduler_types, scheduler_names);

sched::task<int> answer() { co_return 42; }

TYPED_TEST(sched_scheduler, every_task_is_resumed_once_per_suspension) {
  for (std::size_t workers : worker_counts()) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    resumption_program program(5'000);
    TypeParam s(workers);
    watchdog guard(60s, "the resumption program");
    EXPECT_EQ(s.run(program.root()), program.expected_sum());
    EXPECT_EQ(program.miscounted(), std::vector<std::string>{});
  }
}

TYPED_TEST(sched_scheduler, workers_reports_the_count) {
  TypeParam s(3);
  EXPECT_EQ(s.workers(), 3u);
  sched::options o;
  o.workers = 5;
  TypeParam t(o);
  EXPECT_EQ(t.workers(), 5u);
}

TYPED_TEST(sched_scheduler, on_worker_start_runs_once_per_worker_on_that_worker) {
  std::mutex mutex;
  std::vector<std::size_t> indices;
  std::set<std::thread::id> threads;
  {
    sched::options o;
    o.workers = 4;
    o.on_worker_start = [&](std::size_t index) {
      std::scoped_lock hold(mutex);
      indices.push_back(index);
      threads.insert(std::this_thread::get_id());
    };
    TypeParam s(o);
    EXPECT_EQ(s.run(answer()), 42);
  }
  std::sort(indices.begin(), indices.end());
  EXPECT_EQ(indices, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(threads.size(), 4u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

// "Before it takes work": every task finds the start hook already run on its thread.
thread_local bool worker_started = false;

sched::task<void> checks_started(std::atomic<int>& unstarted, sched::wait_group& wg) {
  co_await sched::yield();
  if (!worker_started) unstarted.fetch_add(1);
  wg.done();
}

sched::task<void> spawns_checkers(std::atomic<int>& unstarted, int n) {
  sched::wait_group wg;
  wg.add(n);
  for (int i = 0; i < n; ++i) sched::spawn(checks_started(unstarted, wg));
  co_await wg.wait();
}

TYPED_TEST(sched_scheduler, on_worker_start_runs_before_the_worker_takes_work) {
  std::atomic<int> unstarted{0};
  sched::options o;
  o.workers = 4;
  o.on_worker_start = [](std::size_t) { worker_started = true; };
  TypeParam s(o);
  s.run(spawns_checkers(unstarted, 1000));
  EXPECT_EQ(unstarted.load(), 0);
}

sched::task<void> counts_down(std::latch& done, int& slot) {
  co_await sched::yield();
  ++slot;
  done.count_down();
}

TYPED_TEST(sched_scheduler, spawn_from_a_plain_thread_runs_each_task_once) {
  constexpr int tasks = 1000;
  std::vector<int> runs(tasks, 0);
  std::latch done(tasks);
  TypeParam s(2);
  for (int i = 0; i < tasks; ++i) s.spawn(counts_down(done, runs[i]));
  done.wait();
  EXPECT_EQ(std::count(runs.begin(), runs.end(), 1), tasks);
}

TYPED_TEST(sched_scheduler, spawn_from_several_plain_threads_at_once) {
  constexpr int per_thread = 500;
  constexpr int threads = 4;
  std::vector<int> runs(per_thread * threads, 0);
  std::latch done(per_thread * threads);
  TypeParam s(2);
  std::vector<std::thread> spawners;
  for (int t = 0; t < threads; ++t) {
    spawners.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) s.spawn(counts_down(done, runs[t * per_thread + i]));
    });
  }
  for (std::thread& t : spawners) t.join();
  done.wait();
  EXPECT_EQ(std::count(runs.begin(), runs.end(), 1), per_thread * threads);
}

sched::task<void> spawns_from_a_task(std::latch& done, std::vector<int>& runs) {
  for (int& slot : runs) sched::spawn(counts_down(done, slot));
  co_return;
}

TYPED_TEST(sched_scheduler, spawn_from_a_task_runs_each_task_once) {
  constexpr int tasks = 1000;
  std::vector<int> runs(tasks, 0);
  std::latch done(tasks);
  TypeParam s(2);
  s.run(spawns_from_a_task(done, runs));
  done.wait();
  EXPECT_EQ(std::count(runs.begin(), runs.end(), 1), tasks);
}

// The lambda is a temporary and its captures own heap memory: the task reads them after a
// suspension, long after go() returned, so go must have moved the callable into the frame
// (AddressSanitizer reports the use after free otherwise).
TYPED_TEST(sched_scheduler, go_keeps_a_temporary_lambda_and_its_captures_alive) {
  std::latch done(1);
  std::string seen;
  TypeParam s(2);
  s.go([text = std::string(100, 'x'), owned = std::make_unique<int>(7), &seen,
        &done]() -> sched::task<void> {
    co_await sched::yield();
    co_await sched::yield();
    seen = text + std::to_string(*owned);
    done.count_down();
  });
  done.wait();
  EXPECT_EQ(seen, std::string(100, 'x') + "7");
}

TYPED_TEST(sched_scheduler, go_keeps_its_arguments_alive) {
  std::latch done(1);
  std::string seen;
  TypeParam s(2);
  s.go(
      [](std::string text, int n, std::string* out, std::latch* latch) -> sched::task<void> {
        co_await sched::yield();
        *out = text + std::to_string(n);
        latch->count_down();
      },
      std::string(100, 'y'), 3, &seen, &done);
  done.wait();
  EXPECT_EQ(seen, std::string(100, 'y') + "3");
}

// A detached task's frame is destroyed when the task completes, and with it its parameters (go's
// callable and captures among them): what a finished task owned is released even when it
// finished on another worker than its spawner's, which may be parked by then.
sched::task<void> owns_until_done(std::shared_ptr<int>, std::thread::id spawner,
                                  std::atomic<bool>& finished) {
  for (int i = 0; i < 100'000 && std::this_thread::get_id() == spawner; ++i) {
    co_await sched::yield();
  }
  std::this_thread::sleep_for(20ms);  // the spawning worker runs dry and parks meanwhile
  finished.store(true);
}

sched::task<void> spawns_an_owner(std::shared_ptr<int> resource, std::atomic<bool>& finished) {
  sched::spawn(owns_until_done(std::move(resource), std::this_thread::get_id(), finished));
  co_return;
}

TYPED_TEST(sched_scheduler, a_detached_task_releases_what_it_owns_when_it_completes) {
  TypeParam s(2);
  int lingering = 0;
  for (int i = 0; i < 5; ++i) {
    auto resource = std::make_shared<int>(i);
    const std::weak_ptr<int> watch = resource;
    std::atomic<bool> finished{false};
    s.run(spawns_an_owner(std::move(resource), finished));
    while (!finished.load()) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(50ms);
    if (!watch.expired()) ++lingering;
  }
  EXPECT_EQ(lingering, 0);
}

TYPED_TEST(sched_scheduler, run_from_several_plain_threads_at_once) {
  TypeParam s(2);
  constexpr int threads = 4;
  std::vector<std::uint64_t> sums(threads, 0);
  std::vector<std::uint64_t> expected(threads, 0);
  std::vector<std::thread> runners;
  for (int t = 0; t < threads; ++t) {
    runners.emplace_back([&, t] {
      resumption_program program(static_cast<std::uint32_t>(500 + 100 * t));
      sums[t] = s.run(program.root());
      expected[t] = program.expected_sum();
      EXPECT_EQ(program.miscounted(), std::vector<std::string>{});
    });
  }
  for (std::thread& t : runners) t.join();
  EXPECT_EQ(sums, expected);
}

// Lost wake-ups: between runs every worker has time to park, so each run() must wake one.
TYPED_TEST(sched_scheduler, run_wakes_a_worker_after_all_of_them_parked) {
  for (std::size_t workers : worker_counts()) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    TypeParam s(workers);
    watchdog guard(60s, "run() after the workers parked");
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(1ms);
      EXPECT_EQ(s.run(answer()), 42);
    }
    for (int i = 0; i < 2000; ++i) EXPECT_EQ(s.run(answer()), 42);
  }
}

sched::task<int> waits_for(sched::wait_group& wg) {
  co_await wg.wait();
  co_return 1;
}

// done() on a plain thread makes the parked task ready through the injection queue; a worker
// must wake for it, though none is searching.
TYPED_TEST(sched_scheduler, done_from_a_plain_thread_wakes_a_parked_task) {
  TypeParam s(2);
  watchdog guard(60s, "a task woken from a plain thread");
  int resumed = 0;
  for (int i = 0; i < 100; ++i) {
    sched::wait_group wg;
    wg.add(1);
    std::thread waker([&wg, i] {
      std::this_thread::sleep_for(std::chrono::microseconds(100 * (i % 20)));
      wg.done();
    });
    resumed += s.run(waits_for(wg));
    waker.join();
  }
  EXPECT_EQ(resumed, 100);
}

// wait_group ------------------------------------------------------------------------------

sched::task<bool> waits_on_zero() {
  sched::wait_group wg;
  co_await wg.wait();
  wg.add(2);
  wg.add(-1);
  wg.done();
  co_await wg.wait();
  co_return true;
}

TYPED_TEST(sched_scheduler, wait_on_a_zero_counter_returns_at_once) {
  TypeParam s(1);
  EXPECT_TRUE(s.run(waits_on_zero()));
}

// The results are plain ints: only the wait_group's done → wait edge makes reading them
// race-free (ThreadSanitizer).
sched::task<void> writes_then_done(int& slot, int value, sched::wait_group& wg) {
  co_await sched::yield();
  slot = value;
  wg.done();
}

sched::task<int> sums_what_tasks_wrote(int n) {
  std::vector<int> results(static_cast<std::size_t>(n), 0);
  sched::wait_group wg;
  wg.add(n);
  for (int i = 0; i < n; ++i) sched::spawn(writes_then_done(results[i], i + 1, wg));
  co_await wg.wait();
  int sum = 0;
  for (int r : results) sum += r;
  co_return sum;
}

TYPED_TEST(sched_scheduler, wait_sees_what_every_task_wrote_before_done) {
  for (std::size_t workers : worker_counts()) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    TypeParam s(workers);
    EXPECT_EQ(s.run(sums_what_tasks_wrote(200)), 200 * 201 / 2);
  }
}

sched::task<void> waits_at_gate(sched::wait_group& gate, sched::wait_group& finished,
                                std::atomic<int>& parked, std::atomic<int>& woken) {
  parked.fetch_add(1);
  co_await gate.wait();
  woken.fetch_add(1);
  finished.done();
}

sched::task<std::string> many_waiters(int n) {
  sched::wait_group gate;
  sched::wait_group finished;
  std::atomic<int> parked{0};
  std::atomic<int> woken{0};
  gate.add(1);
  finished.add(n);
  for (int i = 0; i < n; ++i) sched::spawn(waits_at_gate(gate, finished, parked, woken));
  for (int spins = 0; parked.load() < n && spins < 100'000; ++spins) co_await sched::yield();
  std::string seen = "woken before done: " + std::to_string(woken.load());
  gate.done();
  co_await finished.wait();
  seen += ", after: " + std::to_string(woken.load());
  co_return seen;
}

TYPED_TEST(sched_scheduler, done_wakes_every_waiter) {
  for (std::size_t workers : worker_counts()) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    TypeParam s(workers);
    watchdog guard(60s, "the many-waiters test");
    EXPECT_EQ(s.run(many_waiters(100)), "woken before done: 0, after: 100");
  }
}

sched::task<int> reuses_a_wait_group(int rounds) {
  sched::wait_group wg;
  std::vector<int> results(8, 0);
  int total = 0;
  for (int r = 0; r < rounds; ++r) {
    wg.add(8);
    for (int i = 0; i < 8; ++i) sched::spawn(writes_then_done(results[i], r, wg));
    co_await wg.wait();
    for (int v : results) total += v;
  }
  co_return total;
}

TYPED_TEST(sched_scheduler, a_wait_group_is_reusable_after_wait) {
  TypeParam s(2);
  EXPECT_EQ(s.run(reuses_a_wait_group(20)), 8 * (19 * 20 / 2));
}

TYPED_TEST(sched_scheduler, done_below_zero_is_a_logic_error) {
  sched::wait_group wg;
  EXPECT_THROW(wg.done(), std::logic_error);
  wg.add(1);
  wg.done();
  EXPECT_THROW(wg.done(), std::logic_error);
}

sched::task<std::string> done_below_zero_in_a_task() {
  sched::wait_group wg;
  wg.add(1);
  wg.done();
  try {
    wg.done();
  } catch (const std::logic_error&) {
    co_return "logic_error";
  }
  co_return "no error";
}

TYPED_TEST(sched_scheduler, done_below_zero_in_a_task_is_a_logic_error) {
  TypeParam s(1);
  EXPECT_EQ(s.run(done_below_zero_in_a_task()), "logic_error");
}

// yield -------------------------------------------------------------------------------------

// Two tasks take turns on one worker, each waiting for its turn with yield(): they finish only
// if yield lets the other task run. A bound on the yields turns a yield that reschedules the
// yielder at once into a failure instead of a hang.
struct turns {
  int turn = 0;
  int rounds[2] = {0, 0};
  bool stuck = false;
};

sched::task<void> player(int me, turns& t, int rounds, sched::wait_group& wg) {
  for (int r = 0; r < rounds; ++r) {
    for (int spins = 0; t.turn != me; ++spins) {
      if (spins == 1000) {
        t.stuck = true;
        wg.done();
        co_return;
      }
      co_await sched::yield();
    }
    t.turn = 1 - me;
    ++t.rounds[me];
  }
  wg.done();
}

sched::task<turns> two_players(int rounds) {
  turns t;
  sched::wait_group wg;
  wg.add(2);
  sched::spawn(player(0, t, rounds, wg));
  sched::spawn(player(1, t, rounds, wg));
  co_await wg.wait();
  co_return t;
}

TYPED_TEST(sched_scheduler, yield_lets_another_task_run_on_one_worker) {
  TypeParam s(1);
  const turns t = s.run(two_players(200));
  EXPECT_FALSE(t.stuck);
  EXPECT_EQ(t.rounds[0], 200);
  EXPECT_EQ(t.rounds[1], 200);
}

// A task spinning on yield() must not starve one spawned from outside onto the same worker.
sched::task<int> yields_until(std::atomic<bool>& flag) {
  int spins = 0;
  while (!flag.load() && spins < 1'000'000) {
    co_await sched::yield();
    ++spins;
  }
  co_return flag.load() ? 1 : 0;
}

sched::task<void> raises(std::atomic<bool>& flag) {
  flag.store(true);
  co_return;
}

TYPED_TEST(sched_scheduler, a_yielding_task_does_not_starve_an_injected_one) {
  TypeParam s(1);
  std::atomic<bool> flag{false};
  std::thread injector([&] {
    std::this_thread::sleep_for(20ms);
    s.spawn(raises(flag));
  });
  EXPECT_EQ(s.run(yields_until(flag)), 1);
  injector.join();
}

// Two tasks handing a turn back and forth through wait_groups keep refilling runnext on one
// worker; a bystander ready in that worker's deque must still run (once in 61 looks the worker
// takes its deque's oldest task). Before that rule it never ran in a million hand-offs.
struct ping_pong {
  std::array<sched::wait_group, 2> turn;
  std::atomic<bool> bystander_ran{false};
  int handoffs = 0;
  bool over = false;  // the first player to leave lets the other out
};

sched::task<void> hands_turns(ping_pong& game, int me) {
  for (;;) {
    co_await game.turn[me].wait();
    if (game.over) co_return;
    if (game.bystander_ran.load() || game.handoffs == 1'000'000) {
      game.over = true;
      game.turn[1 - me].done();
      co_return;
    }
    game.turn[me].add(1);
    ++game.handoffs;
    game.turn[1 - me].done();
  }
}

sched::task<void> stands_by(std::atomic<bool>& ran) {
  ran.store(true);
  co_return;
}

sched::task<int> turns_beside_a_bystander() {
  ping_pong game;
  game.turn[1].add(1);  // player 0 goes first
  sched::wait_group players;
  players.add(2);
  sched::spawn(stands_by(game.bystander_ran));
  for (int me = 0; me < 2; ++me) {
    sched::spawn([](ping_pong& g, int m, sched::wait_group& done) -> sched::task<void> {
      co_await hands_turns(g, m);
      done.done();
    }(game, me, players));
  }
  co_await players.wait();
  co_return game.bystander_ran.load() ? game.handoffs : -1;
}

TYPED_TEST(sched_scheduler, a_task_ready_in_the_deque_runs_beside_a_runnext_ping_pong) {
  TypeParam s(1);
  watchdog guard(60s, "runnext ping-pong beside a bystander");
  const int handoffs = s.run(turns_beside_a_bystander());
  EXPECT_GE(handoffs, 0) << "the bystander never ran";
  EXPECT_LT(handoffs, 1'000'000);
}

// A spawned child is visible to thieves while its parent keeps running: with two workers, a
// parent that spins until its child has run must not wait for ever (in runnext, the child was
// hidden from the idle worker).
sched::task<void> sets(std::atomic<bool>& flag) {
  flag.store(true);
  co_return;
}

sched::task<bool> spawns_then_spins() {
  std::atomic<bool> child_ran{false};
  sched::spawn(sets(child_ran));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!child_ran.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  co_return child_ran.load();
}

TYPED_TEST(sched_scheduler, a_spawned_child_is_stolen_while_its_parent_runs) {
  TypeParam s(2);
  EXPECT_TRUE(s.run(spawns_then_spins()));
}

}  // namespace
