// What Go's channel tests are ported against (go_chan_test.cpp): a test body is written once,
// as a coroutine over a waiter kind W, and runs with either kind of waiter.
//
//   threads     each W::go is a std::thread; each operation is the blocking call, done before
//               the co_await that receives its result (the coroutine never suspends)
//   coroutines  each W::go is a task on a sched::scheduler of two workers; each operation is
//               its co_await form (async_send, async_recv, async_select ...)
//
// A body uses only W's operations, so the same lines test both. Go's goroutines are leaked
// when main returns; here W::run waits for every goroutine the body started, so each port
// ends its goroutines (by closing what they wait on, as Go's idiom has it).
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/wait_group.hpp>
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/sleep.hpp>
#include <lockstep/sched/task.hpp>
#include <lockstep/sched/wait_group.hpp>

#include "channel_types.hpp"
#include "sched_support.hpp"

namespace lockstep::verify::go {

// An awaitable whose result is already there: what a thread's blocking call returns.
template <class T>
struct ready {
  T value;
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  T await_resume() { return std::move(value); }
};
template <>
struct ready<void> {
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};

// A coroutine that runs to completion inside the call that creates it: the threads kind's
// task, whose every awaitable is ready. Awaiting one yields its result (or its exception).
template <class T = void>
class eager {
 public:
  struct promise_base {
    std::exception_ptr error;
    eager get_return_object() {
      return eager(std::coroutine_handle<promise_type>::from_promise(
          static_cast<promise_type&>(*this)));
    }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };
  struct value_promise : promise_base {
    std::optional<T> value;
    template <class U>
    void return_value(U&& v) {
      value.emplace(std::forward<U>(v));
    }
  };
  struct void_promise : promise_base {
    void return_void() const noexcept {}
  };
  struct promise_type : std::conditional_t<std::is_void_v<T>, void_promise, value_promise> {};

  eager(eager&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  eager(const eager&) = delete;
  eager& operator=(const eager&) = delete;
  eager& operator=(eager&&) = delete;
  ~eager() {
    if (handle_) handle_.destroy();
  }

  T get() {
    // Every awaitable of the threads kind is ready, so the body has run to its end.
    if (!handle_.done()) throw std::logic_error("eager: the body suspended");
    if (handle_.promise().error) std::rethrow_exception(handle_.promise().error);
    if constexpr (!std::is_void_v<T>) return std::move(*handle_.promise().value);
  }

  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  T await_resume() { return get(); }

 private:
  explicit eager(std::coroutine_handle<promise_type> h) : handle_(h) {}
  std::coroutine_handle<promise_type> handle_;
};

namespace detail {

// Unqualified, so that argument-dependent lookup picks the family's select (locked:: or
// lockfree::) from the cases' channel type.
template <class... Cases>
std::size_t blocking_select(const Cases&... cases) {
  return select(cases...);
}
template <class... Cases>
std::optional<std::size_t> polling_select(const Cases&... cases) {
  return try_select(cases...);
}
template <class Rep, class Period, class... Cases>
std::optional<std::size_t> timed_select(std::chrono::duration<Rep, Period> d,
                                        const Cases&... cases) {
  return select_for(d, cases...);
}
template <class... Cases>
auto awaiting_select(const Cases&... cases) {
  return async_select(cases...);
}
template <class Rep, class Period, class... Cases>
auto awaiting_timed_select(std::chrono::duration<Rep, Period> d, const Cases&... cases) {
  return async_select_for(d, cases...);
}

// A goroutine's exception is a failed test, named, rather than Go's crash of the program.
inline void report(const char* kind) {
  try {
    throw;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "a " << kind << " goroutine threw: " << e.what();
  } catch (...) {
    ADD_FAILURE() << "a " << kind << " goroutine threw a non-exception";
  }
}

}  // namespace detail

// Whether a sanitizer slows every thread start and every operation (some ports shrink then).
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif

// Threads: every goroutine is a thread, every operation blocks it.
struct threads {
  static constexpr const char* name = "threads";
  // How many goroutines a port starts where Go starts thousands: threads cost a stack each,
  // and under ThreadSanitizer about 20 ms a hundred.
  static constexpr int many = sanitized ? 25 : 100;

  template <class T = void>
  using task = eager<T>;
  using wait_group = locked::wait_group;

  template <class C>
  static ready<void> send(C& c, const typename C::value_type& v) {
    c.send(v);
    return {};
  }
  template <class C>
  static ready<std::optional<typename C::value_type>> recv(C& c) {
    return {c.recv()};
  }
  template <class C, class Rep, class Period>
  static ready<sync::channel_status> send_for(C& c, const typename C::value_type& v,
                                              std::chrono::duration<Rep, Period> d) {
    return {c.send_for(v, d)};
  }
  template <class C, class Rep, class Period>
  static ready<sync::recv_result<typename C::value_type>> recv_for(
      C& c, std::chrono::duration<Rep, Period> d) {
    return {c.recv_for(d)};
  }
  template <class... Cases>
  static ready<std::size_t> select(const Cases&... cases) {
    return {detail::blocking_select(cases...)};
  }
  template <class... Cases>
  static ready<std::optional<std::size_t>> try_select(const Cases&... cases) {
    return {detail::polling_select(cases...)};
  }
  template <class Rep, class Period, class... Cases>
  static ready<std::optional<std::size_t>> select_for(std::chrono::duration<Rep, Period> d,
                                                      const Cases&... cases) {
    return {detail::timed_select(d, cases...)};
  }
  template <class Rep, class Period>
  static ready<void> sleep(std::chrono::duration<Rep, Period> d) {
    std::this_thread::sleep_for(d);
    return {};
  }
  // Go's runtime.Gosched.
  static ready<void> yield() {
    std::this_thread::yield();
    return {};
  }
  static ready<void> wait(wait_group& wg) {
    wg.wait();
    return {};
  }

  // Go's `go f(args...)`. f and args are copied into the thread, so f may be a lambda with
  // captures that returns a task.
  template <class F, class... A>
  static void go(F f, A... args) {
    std::scoped_lock hold(mutex_);
    started_.emplace_back([f = std::move(f), ... args = std::move(args)]() mutable {
      try {
        f(std::move(args)...).get();
      } catch (...) {
        detail::report(name);
      }
    });
  }

  // Waits for every goroutine started so far and for those they start: a body's last step, as
  // its channels and locals go when it returns.
  static ready<void> join_all() {
    for (;;) {
      std::thread t;
      {
        std::scoped_lock hold(mutex_);
        if (started_.empty()) return {};
        t = std::move(started_.back());
        started_.pop_back();
      }
      t.join();
    }
  }

  // Runs body() on this thread.
  template <class F>
  static void run(F body) {
    const watchdog guard(std::chrono::seconds(120), "a port of a Go channel test (threads)");
    try {
      body().get();
    } catch (...) {
      detail::report(name);
    }
    (void)join_all();
  }

 private:
  static inline std::mutex mutex_;
  static inline std::vector<std::thread> started_;
};

// Coroutines: every goroutine is a task on a sched::scheduler of two workers, every operation
// its co_await form.
struct coroutines {
  static constexpr const char* name = "coroutines";
  static constexpr int many = 1000;

  template <class T = void>
  using task = sched::task<T>;
  using wait_group = sched::wait_group;

  // async_send(const T&): the awaitable holds a copy, so v may be a temporary of the caller's.
  template <class C>
  static auto send(C& c, const typename C::value_type& v) {
    return c.async_send(v);
  }
  template <class C>
  static auto recv(C& c) {
    return c.async_recv();
  }
  template <class C, class Rep, class Period>
  static auto send_for(C& c, const typename C::value_type& v,
                       std::chrono::duration<Rep, Period> d) {
    return c.async_send_for(v, d);
  }
  template <class C, class Rep, class Period>
  static auto recv_for(C& c, std::chrono::duration<Rep, Period> d) {
    return c.async_recv_for(d);
  }
  template <class... Cases>
  static auto select(const Cases&... cases) {
    return detail::awaiting_select(cases...);
  }
  template <class... Cases>
  static ready<std::optional<std::size_t>> try_select(const Cases&... cases) {
    return {detail::polling_select(cases...)};
  }
  template <class Rep, class Period, class... Cases>
  static auto select_for(std::chrono::duration<Rep, Period> d, const Cases&... cases) {
    return detail::awaiting_timed_select(d, cases...);
  }
  template <class Rep, class Period>
  static auto sleep(std::chrono::duration<Rep, Period> d) {
    return sched::sleep_for(d);
  }
  static auto yield() { return sched::yield(); }
  static auto wait(wait_group& wg) { return wg.wait(); }

  // Go's `go f(args...)`, from a task: f and args live in the new task's frame.
  template <class F, class... A>
  static void go(F f, A... args) {
    started_.add(1);
    sched::spawn(goroutine(std::move(f), std::move(args)...));
  }

  // As threads::join_all: every goroutine started so far and those they start.
  static auto join_all() { return started_.wait(); }

  // Runs body() as the root task of a scheduler of two workers.
  template <class F>
  static void run(F body) {
    const watchdog guard(std::chrono::seconds(120), "a port of a Go channel test (coroutines)");
    sched::scheduler s(2);
    s.run(root(std::move(body)));
  }

 private:
  template <class F, class... A>
  static task<> goroutine(F f, A... args) {
    try {
      co_await f(std::move(args)...);
    } catch (...) {
      detail::report(name);
    }
    started_.done();
  }
  template <class F>
  static task<> root(F body) {
    try {
      co_await body();
    } catch (...) {
      detail::report(name);
    }
    co_await join_all();
  }

  static inline wait_group started_;
};

// A typed test's parameter: a channel family (channel_types.hpp) and a waiter kind.
template <class Family, class Waiter>
struct kind {
  template <class T>
  using chan = typename Family::template type<T>;
  using W = Waiter;
  using family = Family;
};

struct kind_names {
  template <class Kind>
  static std::string GetName(int) {
    return channel_family_names::GetName<typename Kind::family>(0) + "_" + Kind::W::name;
  }
};

}  // namespace lockstep::verify::go
