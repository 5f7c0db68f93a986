// sched::detail::timer_queue — the deadlines of a scheduler's timed waits (a channel's
// async_recv_for, async_select_for), fired on one timer thread.
//
// What: start(t) queues t by deadline; the timer thread calls t.fire(t) once the deadline has
// passed; stop(t) takes t out, or waits out its fire, so that when it returns the fire is
// neither running nor due and t (in a coroutine frame) may go. The thread starts with the
// queue, so that start() cannot fail for want of one: an awaitable starts its timer after its
// operation is published, where it could no longer back out.
// Progress: blocking: start and stop take the queue's lock for O(log n); a fire runs under it
//   and must not block (it is a withdrawal CAS and a make_ready).
// Ordering: the lock's: a fire and stop(t) are ordered by it, and the fire's writes reach the
//   resumed coroutine through make_ready's queue.
// Memory: intrusive: the heap holds pointers to the timers, each timer its slot in the heap.
// Exceptions: the constructor throws what std::thread does; start() is noexcept, so a heap
//   that cannot grow ends the program (std::terminate), as an allocation in Go's runtime does.
// Policy: a binary min-heap (std::vector) under a std::mutex, woken through a condition
//   variable when a new timer comes first. Not model-checked (Relacy checks waiters against a
//   model executor's timers): it is a plain lock-based queue.
// Deviations: from Go's per-P timer heaps: one heap and thread per scheduler, since a timed
//   wait is rare next to a plain one; the fire hands the task to the injection queue.
// More: docs/runtime.md ("Channels that await")
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <lockstep/sync/executor.hpp>

namespace lockstep::sched::detail {

class timer_queue {
 public:
  timer_queue() : thread_([this] { run(); }) {}
  timer_queue(const timer_queue&) = delete;
  timer_queue& operator=(const timer_queue&) = delete;
  ~timer_queue() {
    {
      std::scoped_lock hold(lock_);
      stopping_ = true;
    }
    changed_.notify_one();
    thread_.join();
  }

  void start(sync::timer& t) noexcept {
    bool first;
    {
      std::scoped_lock hold(lock_);
      t.slot = heap_.size();
      heap_.push_back(&t);
      sift_up(t.slot);
      first = t.slot == 0;
    }
    if (first) changed_.notify_one();
  }

  void stop(sync::timer& t) {
    std::scoped_lock hold(lock_);
    if (t.slot != sync::timer::not_queued) erase(t.slot);
  }

 private:
  void run() {
    std::unique_lock hold(lock_);
    while (!stopping_) {
      if (heap_.empty()) {
        changed_.wait(hold);
        continue;
      }
      sync::timer& first = *heap_.front();
      // A copy: stop() may take the timer out (and its frame go) while this thread waits.
      const sync::timer::clock::time_point due = first.deadline;
      if (sync::timer::clock::now() < due) {
        changed_.wait_until(hold, due);
        continue;
      }
      erase(0);
      // Under the lock: stop() on this timer returns only after the fire.
      first.fire(first);
    }
  }

  void erase(std::size_t slot) {
    heap_[slot]->slot = sync::timer::not_queued;
    const std::size_t last = heap_.size() - 1;
    if (slot != last) {
      place(slot, heap_[last]);
      heap_.pop_back();
      sift_down(slot);
      sift_up(slot);
    } else {
      heap_.pop_back();
    }
  }

  void place(std::size_t slot, sync::timer* t) {
    heap_[slot] = t;
    t->slot = slot;
  }
  bool earlier(std::size_t a, std::size_t b) const {
    return heap_[a]->deadline < heap_[b]->deadline;
  }
  void sift_up(std::size_t slot) {
    while (slot > 0) {
      const std::size_t parent = (slot - 1) / 2;
      if (!earlier(slot, parent)) return;
      swap_slots(slot, parent);
      slot = parent;
    }
  }
  void sift_down(std::size_t slot) {
    for (;;) {
      std::size_t least = slot;
      for (std::size_t child : {2 * slot + 1, 2 * slot + 2}) {
        if (child < heap_.size() && earlier(child, least)) least = child;
      }
      if (least == slot) return;
      swap_slots(slot, least);
      slot = least;
    }
  }
  void swap_slots(std::size_t a, std::size_t b) {
    sync::timer* const ta = heap_[a];
    place(a, heap_[b]);
    place(b, ta);
  }

  std::mutex lock_;
  std::condition_variable changed_;
  std::vector<sync::timer*> heap_;  // under lock_
  bool stopping_ = false;           // under lock_
  std::thread thread_;              // last: run() uses the members above
};

}  // namespace lockstep::sched::detail
