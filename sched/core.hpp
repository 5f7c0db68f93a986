// sched::detail::scheduler_core, worker_core — what a task sees of the scheduler that runs it,
// without its deque type: where a task made runnable goes, and the registry of detached tasks.
//
// Progress: ready() on a worker is wait-free plus the deque's push; inject() is the injection
//   queue's push (lock-free). Adopting and releasing a detached task on the worker that spawned
//   it are wait-free; releasing it on another worker is one CAS push (lock-free); from a plain
//   thread both take the shared shard's spin lock (blocking, a few instructions).
// Ordering: the deque's and the injection queue's (a handle is published by their push and
//   taken by their pop or steal). spin_lock: O1 acquire exchange → O2 release store. The node of a
//   task completed on another worker: O4 release CAS pushing it → O5 acquire exchange in
//   collect() on its spawning worker, which unlinks and frees it. runnext, hop and a worker's own shard are
//   touched by that worker's thread only.
// Memory and ABA: a detached task has a registry node (from the frame pool, apart from its
//   frame) in the shard of the worker that spawned it (one more for other threads) until it
//   completes; the scheduler destroys the frames left at shutdown, so a frame still queued or
//   parked is not leaked. A frame is destroyed when its task completes, wherever that is; only
//   the node of one that completed on another worker waits for its worker's next collect()
//   (every 61 looks, and before it parks). The returned stack is only pushed and emptied
//   whole, so it has no ABA.
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

#include <lockstep/sched/frame_pool.hpp>
#include <lockstep/sync/executor.hpp>
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
    // O1 acquire: pairs with O2, the previous holder's release. Not machine-checked: the
    // scheduler is tested natively only; relaxed, the previous critical section's writes need
    // not be visible to this one (a data race on what the lock guards).
    while (held_.exchange(true, sync::acquire)) {
      do {
        contention.pause();
      } while (held_.load(sync::relaxed));
    }
  }
  // O2 release: publishes the critical section to the next O1. Not machine-checked: the
  // scheduler is tested natively only; relaxed, the next holder may miss this section's writes.
  void unlock() noexcept { held_.store(false, sync::release); }

 private:
  sync::atomic<bool> held_{false};
};

// A detached task's membership in the registry. Not in its frame: the frame goes when the
// task completes, while the node stays linked until the worker whose list holds it unlinks it.
struct detached_link {
  std::coroutine_handle<> self;
  detached_link* prev = nullptr;
  detached_link* next = nullptr;
  detached_link* returned_next = nullptr;  // in the spawning worker's stack of returned tasks
  std::size_t shard = 0;

  static void* operator new(std::size_t bytes) { return frame_pool::allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept {
    frame_pool::deallocate(p, bytes);
  }
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

class scheduler_core : public sync::executor {
 public:
  scheduler_core(std::size_t workers, std::function<void(std::exception_ptr)> on_exception)
      : shards_(workers + 1), on_exception_(std::move(on_exception)) {}
  scheduler_core(const scheduler_core&) = delete;
  scheduler_core& operator=(const scheduler_core&) = delete;

  // From any thread: onto the injection queue, then wakes an idle worker if none is searching.
  virtual void inject(std::coroutine_handle<> h) = 0;

  // A new task (spawn): onto the calling worker's deque if it is one of ours, where the
  // worker's LIFO pop runs it next unless a thief takes it first; else injected. Not runnext:
  // a child there would be invisible to thieves for as long as its parent keeps running.
  void make_spawned(std::coroutine_handle<> h) {
    worker_core* w = current_worker();
    if (w != nullptr && &w->owner() == this) {
      w->push(h);
    } else {
      inject(h);
    }
  }

  // Runnable again: next on the calling worker if it is one of ours, else injected. The
  // executor's make_ready: how a channel's waker resumes the coroutine it completed.
  void make_ready(std::coroutine_handle<> h) override {
    worker_core* w = current_worker();
    if (w != nullptr && &w->owner() == this) {
      w->ready(h);
    } else {
      inject(h);
    }
  }

  // Registers a detached task; its final suspension calls release(). On one of our workers
  // the task joins that worker's list, which only that worker changes; from any other thread
  // it joins the shared list, under its lock. Throws std::bad_alloc (the node) and then
  // registers nothing.
  detached_link* adopt(std::coroutine_handle<> self) {
    auto* const link = new detached_link{self};
    worker_core* const w = current_worker();
    if (w != nullptr && &w->owner() == this) {
      link->shard = w->index();
      shards_[link->shard].insert(*link);
      return link;
    }
    link->shard = shared();
    std::scoped_lock hold(shared_lock_);
    shards_[link->shard].insert(*link);
    return link;
  }

  // A detached task completed: reports its exception and lets go of its node; the caller then
  // destroys the frame, at once, whichever worker it is on (what the task owned is released
  // when it completes). The node of a task that was another worker's is handed back to that
  // worker, which unlinks and frees it (collect), so its list stays single-threaded.
  void release(detached_link* link, std::exception_ptr error) noexcept {
    if (error) on_exception_(std::move(error));
    shard& s = shards_[link->shard];
    if (link->shard == shared()) {
      std::scoped_lock hold(shared_lock_);
      s.erase(*link);
      delete link;
      return;
    }
    const worker_core* const w = current_worker();
    if (w != nullptr && &w->owner() == this && w->index() == link->shard) {
      s.erase(*link);
      delete link;
      return;
    }
    // The frame is about to go: shutdown must not destroy it again.
    link->self = {};
    // O3 relaxed: a guess for the CAS, which reads what it replaces.
    detached_link* head = s.returned.load(sync::relaxed);
    do {
      link->returned_next = head;
      // O4 release: self's reset and returned_next, before its owner's O5. Not machine-checked:
      // the scheduler is tested natively only; relaxed, collect() may read a stale returned_next
      // (losing or double-freeing nodes) and race with self's reset before the delete.
    } while (!s.returned.compare_exchange_weak(head, link, sync::release, sync::relaxed));
  }

 protected:
  ~scheduler_core() = default;

  // On worker `index`: frees the nodes of this worker's tasks that completed on others.
  void collect(std::size_t index) noexcept {
    shard& s = shards_[index];
    // A relaxed look first, so the common case writes nothing to the shared line.
    if (s.returned.load(sync::relaxed) == nullptr) return;
    // O5 acquire: pairs with O4; the nodes' fields are final before they are unlinked here.
    // Not machine-checked: the scheduler is tested natively only; relaxed, the returned_next
    // read and the delete below race with the pusher's writes (O4's).
    detached_link* l = s.returned.exchange(nullptr, sync::acquire);
    while (l != nullptr) {
      detached_link* const next = l->returned_next;
      s.erase(*l);
      delete l;
      l = next;
    }
  }

  // After the workers stopped, on one thread: destroys every detached task still linked —
  // queued, parked, or awaiting a child (its children go with its frame) — and frees every
  // node, those of tasks completed elsewhere and not yet collected included (their frames are
  // gone: self is null).
  void destroy_detached() noexcept {
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      collect(i);
      shard& s = shards_[i];
      while (detached_link* l = s.head) {
        s.head = l->next;
        l->self.destroy();
        delete l;
      }
    }
  }

 private:
  // The last shard is the shared one, for tasks spawned by threads that are not our workers.
  std::size_t shared() const noexcept { return shards_.size() - 1; }

  struct alignas(sync::cache_line) shard {
    detached_link* head = nullptr;                     // its worker's (or under shared_lock_)
    sync::atomic<detached_link*> returned{nullptr};  // completed elsewhere, for collect()

    void insert(detached_link& link) noexcept {
      link.prev = nullptr;
      link.next = head;
      if (head != nullptr) head->prev = &link;
      head = &link;
    }
    void erase(detached_link& link) noexcept {
      if (link.prev != nullptr) {
        link.prev->next = link.next;
      } else {
        head = link.next;
      }
      if (link.next != nullptr) link.next->prev = link.prev;
    }
  };

  std::vector<shard> shards_;
  spin_lock shared_lock_;
  std::function<void(std::exception_ptr)> on_exception_;
};

}  // namespace lockstep::sched::detail
