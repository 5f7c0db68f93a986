// sched::scheduler and locked_scheduler, the implementer's smoke test: every entry point once
// (run, spawn, go, co_await on a child, wait_group, yield), a small fork-join tree, and a
// shutdown with tasks left queued and parked. The thorough suites are sched_*_test.cpp.
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/wait_group.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace {

namespace sched = lockstep::sched;

template <class S>
class sched_smoke : public ::testing::Test {};

using schedulers = ::testing::Types<sched::scheduler, sched::locked_scheduler>;
TYPED_TEST_SUITE(sched_smoke, schedulers);

sched::task<int> answer() { co_return 42; }

sched::task<int> sum_of_children() {
  const int a = co_await answer();
  sched::task<int> b = answer();
  co_return a + co_await b;
}

TYPED_TEST(sched_smoke, run_returns_the_value_of_nested_awaits) {
  TypeParam s(2);
  EXPECT_EQ(s.run(sum_of_children()), 84);
  EXPECT_EQ(s.workers(), 2u);
}

sched::task<void> fails() {
  throw std::runtime_error("boom");
  co_return;
}

sched::task<std::string> catches() {
  try {
    co_await fails();
  } catch (const std::runtime_error& e) {
    co_return e.what();
  }
  co_return "not thrown";
}

TYPED_TEST(sched_smoke, exceptions_reach_the_awaiter_and_run) {
  TypeParam s(2);
  EXPECT_EQ(s.run(catches()), "boom");
  EXPECT_THROW(s.run(fails()), std::runtime_error);
}

sched::task<void> leaf(std::atomic<long>& sum, long n, sched::wait_group& wg) {
  sum.fetch_add(n, std::memory_order_relaxed);
  wg.done();
  co_return;
}

// skynet in miniature: a 10-ary tree, each node spawning its children and waiting for them.
sched::task<void> node(std::atomic<long>& sum, long n, int depth, sched::wait_group& parent) {
  if (depth == 0) {
    co_await leaf(sum, n, parent);
    co_return;
  }
  sched::wait_group wg;
  wg.add(10);
  for (long i = 0; i < 10; ++i) sched::spawn(node(sum, n * 10 + i, depth - 1, wg));
  co_await wg.wait();
  parent.done();
}

sched::task<long> tree(int depth) {
  std::atomic<long> sum{0};
  sched::wait_group wg;
  wg.add(1);
  sched::spawn(node(sum, 0, depth, wg));
  co_await wg.wait();
  co_return sum.load();
}

TYPED_TEST(sched_smoke, spawn_and_wait_group_sum_a_tree) {
  for (std::size_t workers : {1u, 2u, 5u}) {
    TypeParam s(workers);
    EXPECT_EQ(s.run(tree(4)), 10000L * 9999 / 2) << workers << " workers";
  }
}

TYPED_TEST(sched_smoke, go_keeps_the_callable_alive_and_spawn_from_a_plain_thread) {
  TypeParam s(2);
  std::atomic<int> done{0};
  auto counter = std::make_shared<int>(7);
  s.go([counter, &done](int add) -> sched::task<void> {
    done.fetch_add(*counter + add);
    co_return;
  }, 3);
  s.spawn([](std::atomic<int>& d) -> sched::task<void> {
    d.fetch_add(100);
    co_return;
  }(done));
  while (done.load() != 110) std::this_thread::yield();
}

sched::task<void> ping(std::atomic<int>& turn, int me, int rounds, std::string& log) {
  for (int i = 0; i < rounds; ++i) {
    while (turn.load() != me) co_await sched::yield();
    log += static_cast<char>('a' + me);
    turn.store(1 - me);
  }
}

sched::task<std::string> ping_pong() {
  std::atomic<int> turn{0};
  std::string log;
  sched::wait_group wg;
  wg.add(2);
  for (int me = 0; me < 2; ++me) {
    sched::spawn([](std::atomic<int>& t, int m, std::string& l,
                    sched::wait_group& g) -> sched::task<void> {
      co_await ping(t, m, 3, l);
      g.done();
    }(turn, me, log, wg));
  }
  co_await wg.wait();
  co_return log;
}

TYPED_TEST(sched_smoke, yield_lets_the_other_task_run_on_one_worker) {
  TypeParam s(1);
  EXPECT_EQ(s.run(ping_pong()), "ababab");
}

TYPED_TEST(sched_smoke, errors_are_reported) {
  EXPECT_THROW(TypeParam(0), std::invalid_argument);
  TypeParam s(1);
  sched::task<int> t = answer();
  sched::task<int> moved = std::move(t);
  EXPECT_THROW(s.run(std::move(t)), std::logic_error);
  EXPECT_EQ(s.run(std::move(moved)), 42);
  EXPECT_THROW(s.run([&s]() -> sched::task<int> { co_return s.run(answer()); }()),
               std::logic_error);
}

TYPED_TEST(sched_smoke, detached_exceptions_go_to_the_handler) {
  std::atomic<int> reported{0};
  sched::options o;
  o.workers = 2;
  o.on_detached_exception = [&reported](std::exception_ptr) { reported.fetch_add(1); };
  TypeParam s(std::move(o));
  for (int i = 0; i < 3; ++i) s.spawn(fails());
  while (reported.load() != 3) std::this_thread::yield();
}

TYPED_TEST(sched_smoke, shutdown_destroys_queued_and_parked_tasks) {
  auto alive = std::make_shared<int>(0);
  {
    TypeParam s(2);
    for (int i = 0; i < 1000; ++i) {
      s.go([alive]() -> sched::task<void> {
        sched::wait_group never;
        never.add(1);
        co_await never.wait();
      });
    }
  }
  EXPECT_EQ(alive.use_count(), 1);
}

}  // namespace
