// sched::detail::scheduler_core, worker_core — what a task sees of the scheduler that runs it,
// without its deque type: where a task made runnable goes, and the registry of detached tasks.
//
// Progress: ready() on a worker is wait-free plus the deque's push; inject() is the injection
//   queue's push (lock-free); adopting and releasing a detached task take one shard's lock
//   (a spin lock held for a few instructions; blocking).
// Ordering: the deque's and the injection queue's (a handle is published by their push and
//   taken by their pop or steal); the registry is under its shards' spin locks (O1 acquire
//   exchange → O2 release store). runnext is touched by its worker's thread only.
// Memory and ABA: a detached frame is linked into the shard of the worker that spawned it
//   (one more for plain threads) until it completes; the scheduler destroys what is left at
//   shutdown, so a frame still queued or parked is not leaked.
// Exceptions: adopt() and the report of a detached exception are noexcept: a handler that
//   throws ends the program, as an exception escaping a thread does.
// Policy: the thread's worker is a thread-local slot of the seam (sync::per_thread).
// Deviations: none; it follows no paper.
// More: docs/algorithms/scheduler.md.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include <lockstep/sync/sync.hpp>

namespace lockstep::sched::detail {

class scheduler_core;

// A test-and-test-and-set lock for critical sections of a few instructions (the registry's
// shards, a wait_group). Not sync::mutex: an uncontended pthread mutex pair cost more than
// the rest of a spawn (docs/algorithms/scheduler.md, "Locks"). Not locked::tatas_lock: that
// one is cache-line aligned, and a coroutine frame (where a wait_group lives) is only
// guaranteed the allocator's 16 bytes. unlock() is one store, so the holder touches nothing
// after it: whoever locks next may destroy the lock at once.
class spin_lock {
 public:
  void lock() noexcept {
    sync::backoff contention;
    // O1 acquire: pairs with O2, the previous holder's release.
    while (held_.exchange(true, sync::acquire)) {
      do {
        contention.pause();
      } while (held_.load(sync::relaxed));
    }
  }
  // O2 release: publishes the critical section to the next O1.
  void unlock() noexcept { held_.store(false, sync::release); }

 private:
  sync::atomic<bool> held_{false};
};

// A detached task's membership in the registry: lives in its promise.
struct detached_link {
  std::coroutine_handle<> self;
  detached_link* prev = nullptr;
  detached_link* next = nullptr;
  scheduler_core* owner = nullptr;
  std::size_t shard = 0;
};

// The part of a worker that tasks reach through the calling thread.
class worker_core {
 public:
  worker_core(scheduler_core& owner, std::size_t index) noexcept : owner_(owner), index_(index) {}
  worker_core(const worker_core&) = delete;
  worker_core& operator=(const worker_core&) = delete;

  scheduler_core& owner() const noexcept { return owner_; }
  std::size_t index() const noexcept { return index_; }

  // Go's runnext: a task this worker makes runnable runs next here (a woken waiter stays on
  // the waker's core); the task it displaces goes to the deque, where thieves see it.
  void ready(std::coroutine_handle<> h) {
    if (const std::coroutine_handle<> displaced = std::exchange(runnext_, h)) push(displaced);
  }

  // Onto this worker's deque, then wakes an idle worker if none is searching.
  virtual void push(std::coroutine_handle<> h) = 0;

  // Symmetric transfer to `next` (a child starting, a parent resumed by its child), bounded:
  // every max_transfers-th one returns to the worker's loop, which resumes `next` at once.
  // g++ makes the transfer a tail call only when it optimizes sibling calls and not under
  // AddressSanitizer; otherwise each one nests a call, and a long chain of awaits would
  // overflow the stack.
  std::coroutine_handle<> transfer(std::coroutine_handle<> next) noexcept {
    if (++transfers_ < max_transfers) return next;
    hop_ = next;
    return std::noop_coroutine();
  }

 protected:
  ~worker_core() = default;

  // What the loop resumes first: the transfer it was handed, then runnext. Either way the
  // count of nested transfers starts again.
  std::coroutine_handle<> take_hop() noexcept {
    transfers_ = 0;
    return std::exchange(hop_, {});
  }
  std::coroutine_handle<> take_runnext() noexcept { return std::exchange(runnext_, {}); }

 private:
  static constexpr unsigned max_transfers = 64;

  scheduler_core& owner_;
  std::size_t index_;
  // This worker's thread only, all three.
  std::coroutine_handle<> runnext_;
  std::coroutine_handle<> hop_;
  unsigned transfers_ = 0;
};

// The calling thread's worker, or null on a plain thread.
struct worker_slot {
  worker_core* worker = nullptr;
};

inline worker_core*& current_worker() noexcept {
  return sync::per_thread<worker_slot>{}.local().worker;
}

// A symmetric transfer, bounded on a worker (worker_core::transfer); plain on another thread.
inline std::coroutine_handle<> transfer_to(std::coroutine_handle<> next) noexcept {
  worker_core* const w = current_worker();
  return w != nullptr ? w->transfer(next) : next;
}

class scheduler_core {
 public:
  scheduler_core(std::size_t workers, std::function<void(std::exception_ptr)> on_exception)
      : shards_(workers + 1), on_exception_(std::move(on_exception)) {}
  scheduler_core(const scheduler_core&) = delete;
  scheduler_core& operator=(const scheduler_core&) = delete;

  // From any thread: onto the injection queue, then wakes an idle worker if none is searching.
  virtual void inject(std::coroutine_handle<> h) = 0;

  // Runnable again: next on the calling worker if it is one of ours, else injected.
  void make_ready(std::coroutine_handle<> h) {
    worker_core* w = current_worker();
    if (w != nullptr && &w->owner() == this) {
      w->ready(h);
    } else {
      inject(h);
    }
  }

  // Registers a detached task; its final suspension calls release().
  void adopt(detached_link& link, std::coroutine_handle<> self) noexcept {
    worker_core* w = current_worker();
    link.self = self;
    link.owner = this;
    link.shard = (w != nullptr && &w->owner() == this) ? w->index() : shards_.size() - 1;
    shard& s = shards_[link.shard];
    std::scoped_lock hold(s.lock);
    link.next = s.head;
    if (s.head != nullptr) s.head->prev = &link;
    s.head = &link;
  }

  // A detached task completed: reports its exception, unlinks it. The caller destroys it.
  void release(detached_link& link, std::exception_ptr error) noexcept {
    if (error) on_exception_(std::move(error));
    shard& s = shards_[link.shard];
    std::scoped_lock hold(s.lock);
    if (link.prev != nullptr) {
      link.prev->next = link.next;
    } else {
      s.head = link.next;
    }
    if (link.next != nullptr) link.next->prev = link.prev;
  }

 protected:
  ~scheduler_core() = default;

  // After the workers stopped: destroys every detached task that has not completed (queued,
  // parked, or awaiting a child; its children go with its frame).
  void destroy_detached() noexcept {
    for (shard& s : shards_) {
      for (;;) {
        detached_link* l = nullptr;
        {
          std::scoped_lock hold(s.lock);
          l = s.head;
          if (l == nullptr) break;
          s.head = l->next;
        }
        l->self.destroy();
      }
    }
  }

 private:
  struct alignas(sync::cache_line) shard {
    spin_lock lock;
    detached_link* head = nullptr;
  };

  std::vector<shard> shards_;
  std::function<void(std::exception_ptr)> on_exception_;
};

}  // namespace lockstep::sched::detail
