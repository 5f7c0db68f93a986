// sync::executor, continuation, timer — how a channel hands a suspended coroutine back to
// whatever runs it: the second kind of waiter beside a parked thread (sync/waiter.hpp).
//
// What: an executor runs coroutines. make_ready(h) makes the suspended h runnable, from any
// thread: lockstep's scheduler (sched/scheduler.hpp) runs it next on the calling worker
// (Go's runnext) or, from a plain thread, through its injection queue. start_timer(t) calls
// t.fire(t) once at or after t.deadline, on a thread of the executor's choosing, unless
// stop_timer(t) came first; stop_timer returns only when t's fire is neither running nor due,
// so the timer (in a coroutine frame) may then go. A fire must not block: it decides the race
// with the operation's own completion (a CAS on the waiter) and, if it wins, calls make_ready.
// A continuation is a handle and its executor. A suspension is one wait of a coroutine: the
// waiter publishes its operation (queues a record, CASes a cell), may still touch its frame
// (start a timer), and then calls suspend() as its last touch; the one waker that won the
// operation calls resume(). Of the two calls the second continues the coroutine: suspend()
// returns false (await_suspend does not suspend), or resume() calls make_ready. So a waker
// that wins before the waiter is done with its frame cannot run the coroutine under it.
// current_executor() is the executor whose worker the calling thread is (null on any other
// thread); an awaitable takes it when it suspends.
// Ordering: E1 acq_rel arrivals on a suspension: the waker's writes (the value it handed
//   over) before its arrival, and the waiter's before its own, are visible to whichever
//   arrives second, which continues the coroutine; make_ready then publishes them to the
//   resumed coroutine through the executor's queue (a push, then a pop or steal). stop_timer
//   and a fire are ordered by the executor's lock.
// Under Relacy: the same interface; a model check supplies its own executor (one that counts
//   resumptions) and sets current_executor() per simulated thread.
// More: docs/runtime.md ("Channels that await"), docs/algorithms/channel.md ("Waiters")
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "atomic.hpp"
#include "thread.hpp"

namespace lockstep::sync {

struct timer {
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t not_queued = std::numeric_limits<std::size_t>::max();

  clock::time_point deadline{};
  void (*fire)(timer&) = nullptr;
  void* context = nullptr;  // the fire's: the waiter it cancels
  std::size_t slot = not_queued;  // the executor's: where the timer sits in its queue
};

class executor {
 public:
  virtual void make_ready(std::coroutine_handle<> h) = 0;
  virtual void start_timer(timer& t) = 0;
  virtual void stop_timer(timer& t) = 0;

 protected:
  ~executor() = default;
};

struct continuation {
  std::coroutine_handle<> handle;
  executor* on = nullptr;

  explicit operator bool() const noexcept { return on != nullptr; }
  void resume() const { on->make_ready(handle); }
};

class suspension {
 public:
  explicit suspension(continuation k) noexcept : continuation_(k) {}
  suspension(const suspension&) = delete;
  suspension& operator=(const suspension&) = delete;

  // The waiter, after its last touch of the frame: true to suspend, false if the waker has
  // already been (the coroutine continues at once).
  bool suspend() noexcept {
    // E1 acq_rel: first, releases the frame to the waker; second, acquires the waker's writes.
    // Not machine-checked: without release, the waiter's last writes to its frame do not reach
    // the coroutine a second-arriving waker makes ready elsewhere; a frame is plain memory, which
    // Relacy does not see (relacy-limits.md, "Only the seam is seen").
    return arrivals_.fetch_add(1, acq_rel) == 0;
  }
  // The waker, once: continues the coroutine if it has suspended. Its last touch of the
  // waiter: the coroutine may run (and free this) as soon as it has arrived.
  void resume() {
    const continuation k = continuation_;
    // E1 acq_rel: as in suspend(). Not machine-checked: arriving second without acquire, the
    // waker passes on to make_ready none of the waiter's frame writes; see suspend().
    if (arrivals_.fetch_add(1, acq_rel) == 1) k.resume();
  }
  // A suspended waiter whose frame goes (its scheduler shuts down) after its withdrawal lost:
  // waits for the waker that won to arrive, its last touch of the suspension, so that the
  // frame may go. That waker is inside the few steps between its win and resume().
  void await_waker() const noexcept {
    // E1 acquire: the waker's arrival.
    while (arrivals_.load(acquire) < 2) cpu_relax();
  }

 private:
  continuation continuation_;
  atomic<std::uint32_t> arrivals_{0};
};

#ifndef LOCKSTEP_RELACY
inline executor*& current_executor() noexcept {
  thread_local executor* current = nullptr;
  return current;
}
#else
// Simulated threads are fibers of one OS thread, so a thread_local would be shared: one slot
// per simulated thread instead, which each model check sets in its threads.
inline executor*& current_executor() noexcept {
  static executor* current[64] = {};
  return current[thread_index()];
}
#endif

// The continuation of `h`, suspending in `what` (an operation's name, for the error): a
// coroutine can only wait where an executor will resume it.
inline continuation continuation_of(std::coroutine_handle<> h, const char* what) {
  executor* const e = current_executor();
  if (e == nullptr) {
    throw std::logic_error(std::string(what) +
                           ": awaited outside an executor's worker (a sched::scheduler's task)");
  }
  return {h, e};
}

}  // namespace lockstep::sync
