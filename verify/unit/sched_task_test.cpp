// sched::task<T> on both schedulers: the value comes back through run() and through co_await,
// references and move-only results too; an exception reaches the awaiter; a task runs only when
// awaited or run; awaiting it twice, or after it was moved from, is a std::logic_error; and
// chains of co_await, long or deep, do not grow the stack (symmetric transfer).
#include "sched_support.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace {

namespace sched = lockstep::sched;
using namespace lockstep::verify;

template <class Scheduler>
class sched_task : public ::testing::Test {};
TYPED_TEST_SUITE(sched_task, scheduler_types, scheduler_names);

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int long_chain = 200'000;
#else
constexpr int long_chain = 1'000'000;
#endif

sched::task<int> answer() { co_return 42; }

sched::task<void> set_flag(bool& flag) {
  flag = true;
  co_return;
}

TYPED_TEST(sched_task, run_returns_the_value) {
  TypeParam s(2);
  EXPECT_EQ(s.run(answer()), 42);
  EXPECT_EQ(sched::sync_wait(s, answer()), 42);
}

sched::task<int> add_children(int n) {
  int sum = 0;
  for (int i = 1; i <= n; ++i) {
    auto child = [](int v) -> sched::task<int> { co_return v; };
    sum += co_await child(i);
  }
  co_return sum;
}

TYPED_TEST(sched_task, co_await_returns_the_child_value) {
  TypeParam s(2);
  EXPECT_EQ(s.run(add_children(100)), 5050);
}

sched::task<int&> reference_to(int& x) { co_return x; }

sched::task<bool> awaits_a_reference(int& x) {
  int& r = co_await reference_to(x);
  co_return &r == &x;
}

TYPED_TEST(sched_task, a_reference_result_refers_to_the_object) {
  TypeParam s(2);
  int x = 5;
  int& r = s.run(reference_to(x));
  EXPECT_EQ(&r, &x);
  EXPECT_TRUE(s.run(awaits_a_reference(x)));
}

// Move-only and not default-constructible: the promise must hold the result without making one
// up front, and destroy it exactly once.
class owned {
 public:
  explicit owned(int v) : value_(std::make_unique<int>(v)) { live.fetch_add(1); }
  owned(owned&& other) noexcept : value_(std::move(other.value_)) { live.fetch_add(1); }
  owned(const owned&) = delete;
  owned& operator=(const owned&) = delete;
  owned& operator=(owned&&) = delete;
  ~owned() { live.fetch_sub(1); }
  int value() const { return *value_; }
  static inline std::atomic<int> live{0};

 private:
  std::unique_ptr<int> value_;
};

sched::task<owned> make_owned(int v) { co_return owned(v); }

sched::task<int> awaits_owned() {
  owned o = co_await make_owned(3);
  co_return o.value();
}

TYPED_TEST(sched_task, a_move_only_result_is_moved_out_and_destroyed_once) {
  {
    TypeParam s(2);
    owned o = s.run(make_owned(7));
    EXPECT_EQ(o.value(), 7);
    EXPECT_EQ(s.run(awaits_owned()), 3);
  }
  EXPECT_EQ(owned::live.load(), 0);
}

sched::task<int> throws_at_once() {
  throw std::runtime_error("thrown before any suspension");
  co_return 0;
}

sched::task<void> throws_after_a_yield() {
  co_await sched::yield();
  throw std::runtime_error("thrown after a yield");
}

template <class T>
sched::task<std::string> what_awaiting_throws(sched::task<T> t) {
  try {
    co_await t;
  } catch (const std::runtime_error& e) {
    co_return e.what();
  }
  co_return "no exception";
}

sched::task<std::string> catches_child_exceptions() {
  std::string seen = co_await what_awaiting_throws(throws_at_once());
  seen += ";" + co_await what_awaiting_throws(throws_after_a_yield());
  co_return seen;
}

TYPED_TEST(sched_task, an_exception_reaches_the_awaiter) {
  TypeParam s(2);
  EXPECT_EQ(s.run(catches_child_exceptions()), "thrown before any suspension;thrown after a yield");
}

TYPED_TEST(sched_task, run_rethrows_what_the_task_threw) {
  TypeParam s(2);
  EXPECT_THROW(s.run(throws_at_once()), std::runtime_error);
  EXPECT_THROW(s.run(throws_after_a_yield()), std::runtime_error);
  EXPECT_THROW(sched::sync_wait(s, throws_after_a_yield()), std::runtime_error);
  // The scheduler is still usable after a task failed.
  EXPECT_EQ(s.run(answer()), 42);
}

TYPED_TEST(sched_task, a_task_does_not_run_until_it_is_run) {
  bool ran = false;
  { auto never = set_flag(ran); }
  EXPECT_FALSE(ran);
  TypeParam s(2);
  auto t = set_flag(ran);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(ran);
  s.run(std::move(t));
  EXPECT_TRUE(ran);
}

// A child created inside a task does not run until the task awaits it, even when the task
// suspends in between and other workers are idle.
sched::task<std::string> creates_then_awaits() {
  bool ran = false;
  auto child = set_flag(ran);
  for (int i = 0; i < 10; ++i) co_await sched::yield();
  std::string seen = ran ? "ran early;" : "waited;";
  co_await child;
  seen += ran ? "ran" : "did not run";
  co_return seen;
}

TYPED_TEST(sched_task, a_child_runs_only_when_awaited) {
  TypeParam s(4);
  EXPECT_EQ(s.run(creates_then_awaits()), "waited;ran");
}

// A task dropped without being awaited is destroyed, not run: its frame and what it owns are
// freed (LeakSanitizer and the token count).
sched::task<void> holds_a_token(frame_token, bool& ran) {
  ran = true;
  co_return;
}

sched::task<bool> drops_a_child() {
  bool ran = false;
  { auto dropped = holds_a_token(frame_token{}, ran); }
  co_await sched::yield();
  co_return ran;
}

TYPED_TEST(sched_task, a_task_dropped_unawaited_is_destroyed_not_run) {
  {
    TypeParam s(2);
    EXPECT_FALSE(s.run(drops_a_child()));
  }
  EXPECT_EQ(frame_token::live(), 0);
}

sched::task<std::string> awaits_twice() {
  auto child = answer();
  const int first = co_await child;
  std::string seen = std::to_string(first) + ";";
  try {
    co_await child;
    seen += "second await returned";
  } catch (const std::logic_error&) {
    seen += "logic_error";
  }
  co_return seen;
}

TYPED_TEST(sched_task, awaiting_a_task_twice_is_a_logic_error) {
  TypeParam s(2);
  EXPECT_EQ(s.run(awaits_twice()), "42;logic_error");
}

sched::task<std::string> awaits_a_moved_from_task() {
  auto child = answer();
  auto moved = std::move(child);
  std::string seen;
  try {
    co_await child;
    seen += "moved-from await returned;";
  } catch (const std::logic_error&) {
    seen += "logic_error;";
  }
  seen += std::to_string(co_await moved);
  co_return seen;
}

TYPED_TEST(sched_task, awaiting_a_moved_from_task_is_a_logic_error) {
  TypeParam s(2);
  EXPECT_EQ(s.run(awaits_a_moved_from_task()), "logic_error;42");
}

TYPED_TEST(sched_task, running_a_moved_from_task_is_a_logic_error) {
  TypeParam s(2);
  auto t = answer();
  auto moved = std::move(t);
  EXPECT_THROW(s.run(std::move(t)), std::logic_error);
  EXPECT_EQ(s.run(std::move(moved)), 42);
}

// Each child completes without suspending; without symmetric transfer every completion would
// resume the parent one stack frame deeper, and a million of them overflow a thread's stack.
sched::task<long> awaits_many_in_a_row(int n) {
  long sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await answer();
  co_return sum;
}

TYPED_TEST(sched_task, a_long_chain_of_completed_children_does_not_grow_the_stack) {
  TypeParam s(1);
  EXPECT_EQ(s.run(awaits_many_in_a_row(long_chain)), 42L * long_chain);
}

// Nested co_await, 100,000 deep: the frames are on the heap; starting each child and resuming
// each parent at completion must not take a stack frame per level either.
sched::task<int> depth(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await depth(n - 1);
}

TYPED_TEST(sched_task, a_deep_chain_of_nested_awaits_does_not_grow_the_stack) {
  TypeParam s(2);
  EXPECT_EQ(s.run(depth(100'000)), 100'000);
}

}  // namespace
