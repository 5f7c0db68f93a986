// sync::mutex, sync::condition_variable — the blocking primitives of the lock-based twins.
// Both have the standard Lockable / condition-variable shapes, so std::scoped_lock and
// std::unique_lock work on either build.
//
// Ordering: the standard's. An unlock synchronises with the next lock of the same mutex; a
//   condition-variable wait re-acquires its mutex before it returns.
// Under Relacy: Relacy's mutex and condition variable, which model lock-order deadlocks and
//   spurious wake-ups (so a wait under `if` instead of `while` is found). Natively
//   std::mutex and std::condition_variable.
// More: docs/seam.md.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "location.hpp"

namespace lockstep::sync {

#ifndef LOCKSTEP_RELACY

using mutex = std::mutex;
using condition_variable = std::condition_variable;

#else

class mutex {
 public:
  mutex() = default;
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;

  void lock(location loc = {}) { impl_.lock(loc); }
  bool try_lock(location loc = {}) { return impl_.try_lock(loc); }
  void unlock(location loc = {}) { impl_.unlock(loc); }

  rl::mutex& native_handle() noexcept { return impl_; }

 private:
  rl::mutex impl_;
};

class condition_variable {
 public:
  condition_variable() = default;
  condition_variable(const condition_variable&) = delete;
  condition_variable& operator=(const condition_variable&) = delete;

  void notify_one(location loc = {}) { impl_.notify_one(loc); }
  void notify_all(location loc = {}) { impl_.notify_all(loc); }

  void wait(std::unique_lock<mutex>& lock, location loc = {}) {
    impl_.wait(lock.mutex()->native_handle(), loc);
  }
  template <class Predicate>
  void wait(std::unique_lock<mutex>& lock, Predicate ready, location loc = {}) {
    while (!ready()) wait(lock, loc);
  }
  // Relacy has no clock: a timed wait may time out at any point the scheduler chooses, which
  // is exactly the set of behaviours a caller must already handle.
  template <class Rep, class Period>
  std::cv_status wait_for(std::unique_lock<mutex>& lock, const std::chrono::duration<Rep, Period>& d,
                          location loc = {}) {
    return impl_.wait_for(lock.mutex()->native_handle(), d, loc) ? std::cv_status::no_timeout
                                                                 : std::cv_status::timeout;
  }
  template <class Rep, class Period, class Predicate>
  bool wait_for(std::unique_lock<mutex>& lock, const std::chrono::duration<Rep, Period>& d,
                Predicate ready, location loc = {}) {
    while (!ready()) {
      if (wait_for(lock, d, loc) == std::cv_status::timeout) return ready();
    }
    return true;
  }

 private:
  rl::condition_variable impl_;
};

#endif

}  // namespace lockstep::sync
