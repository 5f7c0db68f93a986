// The scheduler's timers through sched::sleep_for: deadlines fire in order, no earlier than
// asked, on every worker count; a timer stopped before its deadline never fires; a scheduler
// destroyed with tasks asleep stops their timers (ASan: nothing fires into a freed frame).
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <vector>

#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/sleep.hpp>
#include <lockstep/sched/wait_group.hpp>

namespace {

using namespace std::chrono_literals;
using namespace lockstep;
using clock_type = sync::timer::clock;

template <class S>
class SchedTimers : public ::testing::Test {};
using schedulers = ::testing::Types<sched::scheduler, sched::locked_scheduler>;
TYPED_TEST_SUITE(SchedTimers, schedulers);

TYPED_TEST(SchedTimers, SleepsAtLeastItsDuration) {
  TypeParam s(2);
  const auto slept = s.run([]() -> sched::task<clock_type::duration> {
    const auto start = clock_type::now();
    co_await sched::sleep_for(20ms);
    co_return clock_type::now() - start;
  }());
  EXPECT_GE(slept, 20ms);
}

TYPED_TEST(SchedTimers, DeadlinesFireInOrder) {
  TypeParam s(2);
  std::mutex lock;
  std::vector<int> woken;
  s.run([&]() -> sched::task<void> {
    sched::wait_group wg;
    for (int i : {5, 1, 4, 2, 3}) {
      wg.add(1);
      sched::spawn([](int i, std::mutex& lock, std::vector<int>& woken,
                      sched::wait_group& wg) -> sched::task<void> {
        co_await sched::sleep_for(std::chrono::milliseconds(10 * i));
        {
          std::scoped_lock hold(lock);
          woken.push_back(i);
        }
        wg.done();
      }(i, lock, woken, wg));
    }
    co_await wg.wait();
  }());
  EXPECT_EQ(woken, (std::vector<int>{1, 2, 3, 4, 5}));
}

TYPED_TEST(SchedTimers, PassedDeadlineDoesNotSuspend) {
  TypeParam s(1);
  s.run([]() -> sched::task<void> { co_await sched::sleep_until(clock_type::now() - 1s); }());
}

TYPED_TEST(SchedTimers, ShutdownStopsTheTimersOfSleepingTasks) {
  {
    TypeParam s(2);
    for (int i = 0; i < 100; ++i) {
      s.spawn([]() -> sched::task<void> { co_await sched::sleep_for(1h); }());
    }
    s.run([]() -> sched::task<void> { co_await sched::sleep_for(5ms); }());
  }
  SUCCEED();
}

TEST(SchedTimers, SleepOutsideAWorkerThrows) {
  sched::scheduler s(1);
  auto sleeper = []() -> sched::task<void> { co_await sched::sleep_for(1ms); };
  // A task awaited on a plain thread through run() is on a worker; the awaiter alone is not.
  sched::sleep_awaiter outside = sched::sleep_for(1ms);
  EXPECT_THROW(outside.await_suspend(std::noop_coroutine()), std::logic_error);
  s.run(sleeper());
}

}  // namespace
