// sched::task<T> — a lazy C++20 coroutine that yields one T to the task that awaits it.
//
// What: a task does not run until it is awaited (`co_await t` starts it on the awaiting
//   worker and suspends the awaiter), spawned (sched::spawn, scheduler::spawn: detached), or
//   run (scheduler::run). It is move-only and owns its frame until it is spawned.
// Progress: starting a child and returning to the parent are symmetric transfers, with no
//   queue between; every 64th goes through the worker's loop, so the stack stays bounded
//   even where the compiler makes no tail call of them (worker_core::transfer).
// Ordering: none of its own. The parent is resumed by the child's final suspension on the
//   thread that finished the child, so the child's writes happen before the parent goes on.
// Memory and ABA: frames come from frame_pool (per-thread size classes). An awaited task's
//   frame lives until the task object is destroyed; a detached one destroys itself when it
//   completes, or at the scheduler's shutdown if it never does.
// Exceptions: an exception escaping the coroutine is rethrown by `co_await` in the awaiter.
//   Awaiting a moved-from task, or one already awaited, throws std::logic_error at the
//   `co_await`. A detached task's exception goes to options::on_detached_exception.
// Policy: the result is moved out on `co_await`; a task<T&> yields the reference.
// Deviations: none; it follows no paper (the shape of cppcoro's and folly's task).
// More: docs/runtime.md, docs/algorithms/scheduler.md.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <lockstep/sched/core.hpp>
#include <lockstep/sched/frame_pool.hpp>

namespace lockstep::sched {

template <class T = void>
class task;

namespace detail {

class promise_base {
 public:
  static void* operator new(std::size_t bytes) { return frame_pool::allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept {
    frame_pool::deallocate(p, bytes);
  }

  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }

    // The coroutine is suspended here, so its frame may be destroyed from inside.
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
      promise_base& p = h.promise();
      if (p.detached_owner_ != nullptr) {
        p.detached_owner_->release(p.detached_, std::move(p.error_));
        h.destroy();
        return std::noop_coroutine();
      }
      return transfer_to(p.continuation_);
    }

    void await_resume() const noexcept {}
  };

  final_awaiter final_suspend() const noexcept { return {}; }

  void unhandled_exception() noexcept { error_ = std::current_exception(); }

  void set_continuation(std::coroutine_handle<> awaiter) noexcept { continuation_ = awaiter; }

  // spawn: from now on the task owns itself; `owner` destroys it if it never completes.
  // Throws std::bad_alloc and then changes nothing.
  void detach(scheduler_core& owner, std::coroutine_handle<> self) {
    detached_ = owner.adopt(self);
    detached_owner_ = &owner;
  }

 protected:
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::coroutine_handle<> continuation_;
  std::exception_ptr error_;
  scheduler_core* detached_owner_ = nullptr;
  detached_link* detached_ = nullptr;
};

template <class T>
class promise final : public promise_base {
 public:
  task<T> get_return_object() noexcept;

  template <class U = T>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }

  T take() {
    rethrow_if_failed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <class T>
class promise<T&> final : public promise_base {
 public:
  task<T&> get_return_object() noexcept;

  void return_value(T& value) noexcept { value_ = &value; }

  T& take() {
    rethrow_if_failed();
    return *value_;
  }

 private:
  T* value_ = nullptr;
};

template <>
class promise<void> final : public promise_base {
 public:
  task<void> get_return_object() noexcept;

  void return_void() const noexcept {}

  void take() const { rethrow_if_failed(); }
};

// What the scheduler needs of a task and a user must not call: taking its frame.
struct task_access {
  template <class T>
  static std::coroutine_handle<promise<T>> release(task<T>& t, const char* what) {
    t.check_awaitable(what);
    return std::exchange(t.frame_, {});
  }
};

}  // namespace detail

template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::promise<T>;
  using value_type = T;

  task() noexcept = default;
  task(task&& other) noexcept
      : frame_(std::exchange(other.frame_, {})), awaited_(std::exchange(other.awaited_, false)) {}
  task& operator=(task&& other) noexcept {
    if (this != &other) {
      destroy();
      frame_ = std::exchange(other.frame_, {});
      awaited_ = std::exchange(other.awaited_, false);
    }
    return *this;
  }
  ~task() { destroy(); }

  // Whether the task still holds a frame that was never awaited (nor moved, nor spawned).
  bool valid() const noexcept { return frame_ && !awaited_; }

  class awaiter {
   public:
    explicit awaiter(std::coroutine_handle<promise_type> child) noexcept : child_(child) {}
    bool await_ready() const noexcept { return false; }
    // Symmetric transfer: the child starts on this thread at once, without a queue.
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) const noexcept {
      child_.promise().set_continuation(parent);
      return detail::transfer_to(child_);
    }
    decltype(auto) await_resume() const { return child_.promise().take(); }

   private:
    std::coroutine_handle<promise_type> child_;
  };

  awaiter operator co_await() {
    check_awaitable("co_await");
    awaited_ = true;
    return awaiter(frame_);
  }

 private:
  friend promise_type;
  friend detail::task_access;

  explicit task(std::coroutine_handle<promise_type> frame) noexcept : frame_(frame) {}

  void check_awaitable(const char* what) const {
    if (!frame_) {
      throw std::logic_error(std::string("lockstep::sched::task: ") + what +
                             " of a moved-from (empty) task");
    }
    if (awaited_) {
      throw std::logic_error(std::string("lockstep::sched::task: ") + what +
                             " of a task already awaited (a task yields its result once)");
    }
  }

  void destroy() noexcept {
    if (frame_) frame_.destroy();
  }

  std::coroutine_handle<promise_type> frame_;
  bool awaited_ = false;
};

namespace detail {

template <class T>
task<T> promise<T>::get_return_object() noexcept {
  return task<T>(std::coroutine_handle<promise<T>>::from_promise(*this));
}

template <class T>
task<T&> promise<T&>::get_return_object() noexcept {
  return task<T&>(std::coroutine_handle<promise<T&>>::from_promise(*this));
}

inline task<void> promise<void>::get_return_object() noexcept {
  return task<void>(std::coroutine_handle<promise<void>>::from_promise(*this));
}

}  // namespace detail

}  // namespace lockstep::sched
