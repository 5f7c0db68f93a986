// sched::wait_group — Go's sync.WaitGroup for tasks: `co_await wg.wait()` suspends the task,
// not the worker, until the counter is zero.
//
// Progress: add and done lock-free while the counter stays above zero (one CAS); the change
//   that reaches zero, and wait, take a spin lock for a few instructions (blocking). A waiting
//   task parks without holding a worker.
// Linearization: L1 add/done at their successful CAS (O2, O3); L2 wait at the load under the
//   lock that reads zero (it does not suspend) or links the waiter (woken by the O3 after it).
// Ordering: O2 acq_rel CAS on the counter → O3 (release sequence): every change before the
//   one reaching zero. O3 acq_rel CAS under the lock → the unlock → O4 (a waiter's load under
//   the lock) or the waiter's ready through a queue: everything a task did before its done()
//   happens before a waiter resumes. O1 relaxed guess, O4 relaxed under the lock.
// Memory and ABA: a waiter is a node in the awaiting task's frame, linked while it is parked.
//   The waker unlinks the whole list under the lock and reads each node's fields before making
//   its task ready, after which that frame (and this wait_group in it) may already be gone.
//   Zero is reached and read only under the lock, whose unlock is the last touch: a waiter
//   that sees zero may destroy the wait_group at once.
// Exceptions: a counter driven below zero throws std::logic_error and is left as it was;
//   waiting outside a worker of a scheduler throws std::logic_error.
// Policy: the waiters woken by a done() on a worker are made ready there: the first that
//   parked runs next (runnext), the others go to that worker's deque; woken from a plain
//   thread, they go to their scheduler's injection queue.
// Deviations: from Go's: the waiters are a list under a lock beside the counter, not a count
//   in the counter's word with a semaphore.
// More: docs/runtime.md, docs/algorithms/scheduler.md ("Waiting").
#pragma once

#include <coroutine>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include <lockstep/sched/core.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::sched {

class wait_group {
  struct waiter {
    std::coroutine_handle<> task;
    detail::scheduler_core* owner = nullptr;
    waiter* next = nullptr;
  };

 public:
  wait_group() = default;
  wait_group(const wait_group&) = delete;
  wait_group& operator=(const wait_group&) = delete;

  void add(std::ptrdiff_t delta) { change(delta, "add"); }
  void done() { change(-1, "done"); }

  class awaiter {
   public:
    explicit awaiter(wait_group& group) noexcept : group_(group) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) { return group_.park(self_, h); }
    void await_resume() const noexcept {}

   private:
    wait_group& group_;
    waiter self_;
  };

  [[nodiscard]] awaiter wait() noexcept { return awaiter(*this); }

 private:
  void change(std::ptrdiff_t delta, const char* what) {
    // O1 relaxed: only a guess for the CAS below, which reads the value it changes.
    std::ptrdiff_t c = count_.load(sync::relaxed);
    for (;;) {
      if (c + delta < 0) {
        throw std::logic_error(std::string("lockstep::sched::wait_group::") + what +
                               ": the counter would go below zero");
      }
      if (c + delta > 0) {
        // O2 acq_rel: a release sequence on the counter carries this task's writes to the
        // change that reaches zero (O3); no waiter can act on a nonzero count, so no lock.
        // Not machine-checked: the scheduler is tested natively only. Release is needed: without
        // it, a waiter resumed after O3 may miss this task's writes. Acquire is stronger than
        // needed (O3 acquires every earlier change); kept so that every change is alike.
        if (count_.compare_exchange_weak(c, c + delta, sync::acq_rel, sync::relaxed)) return;
        continue;
      }
      waiter* woken = nullptr;
      {
        // Reaching zero under the lock: a waiter reads zero only under it too, so it cannot
        // destroy this wait_group while this change is still inside.
        std::scoped_lock hold(lock_);
        // O3 acq_rel: acquires every earlier change (O2); the unlock publishes them to O4.
        // Not machine-checked: the scheduler is tested natively only. Acquire is needed: without
        // it, the waiters resume without the other tasks' writes. Release is stronger than
        // needed (the unlock publishes to O4); kept as O2.
        if (!count_.compare_exchange_strong(c, 0, sync::acq_rel, sync::relaxed)) continue;
        woken = std::exchange(waiters_, nullptr);
      }
      while (woken != nullptr) {
        // Read before make_ready: from then on the waiter's frame may be resumed and freed.
        waiter* const next = woken->next;
        woken->owner->make_ready(woken->task);
        woken = next;
      }
      return;
    }
  }

  // false: the counter is zero, the task goes on without suspending.
  bool park(waiter& w, std::coroutine_handle<> h) {
    detail::worker_core* const worker = detail::current_worker();
    if (worker == nullptr) {
      throw std::logic_error(
          "lockstep::sched::wait_group::wait: awaited outside a scheduler's worker");
    }
    std::scoped_lock hold(lock_);
    // O4 relaxed: the lock orders it after the O3 that wrote zero; a nonzero count read here
    // is one whose change to zero (O3) has not taken the lock yet, and will find this waiter.
    if (count_.load(sync::relaxed) == 0) return false;
    w.task = h;
    w.owner = &worker->owner();
    w.next = waiters_;
    waiters_ = &w;
    return true;
  }

  detail::spin_lock lock_;
  sync::atomic<std::ptrdiff_t> count_{0};
  waiter* waiters_ = nullptr;  // under lock_
};

}  // namespace lockstep::sched
