// sched::sleep_for, sleep_until — `co_await sched::sleep_for(d)` suspends the task, not the
// worker, until the duration has passed: Go's time.Sleep for tasks.
//
// Progress: blocking (by definition); the task holds no worker while it sleeps.
// Ordering: none of its own: the executor's timer (sync/executor.hpp) fires on its timer
//   thread and makes the task ready through the executor's queue.
// Memory: the timer lives in the awaiter, in the sleeping task's frame; a frame destroyed
//   while it sleeps (scheduler shutdown) stops the timer first.
// Exceptions: awaited outside an executor's worker: std::logic_error.
// Policy: a deadline already passed does not suspend.
// More: docs/runtime.md ("Channels that await")
#pragma once

#include <chrono>
#include <coroutine>

#include <lockstep/sync/executor.hpp>

namespace lockstep::sched {

class sleep_awaiter {
 public:
  using clock = sync::timer::clock;

  explicit sleep_awaiter(clock::time_point deadline) noexcept { timer_.deadline = deadline; }
  sleep_awaiter(const sleep_awaiter&) = delete;
  sleep_awaiter& operator=(const sleep_awaiter&) = delete;
  ~sleep_awaiter() {
    if (continuation_) continuation_.on->stop_timer(timer_);
  }

  bool await_ready() const noexcept { return clock::now() >= timer_.deadline; }
  void await_suspend(std::coroutine_handle<> h) {
    continuation_ = sync::continuation_of(h, "lockstep::sched::sleep_for");
    timer_.context = this;
    timer_.fire = [](sync::timer& t) {
      static_cast<sleep_awaiter*>(t.context)->continuation_.resume();
    };
    // The last touch of the frame: the fire may resume the task at once.
    continuation_.on->start_timer(timer_);
  }
  void await_resume() const noexcept {}

 private:
  sync::continuation continuation_;
  sync::timer timer_;
};

[[nodiscard]] inline sleep_awaiter sleep_until(sleep_awaiter::clock::time_point deadline) noexcept {
  return sleep_awaiter(deadline);
}

template <class Rep, class Period>
[[nodiscard]] sleep_awaiter sleep_for(std::chrono::duration<Rep, Period> d) noexcept {
  return sleep_awaiter(sleep_awaiter::clock::now() +
                       std::chrono::ceil<sleep_awaiter::clock::duration>(d));
}

}  // namespace lockstep::sched
