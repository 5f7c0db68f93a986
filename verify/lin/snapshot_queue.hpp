// snapshot_queue<T>: a deliberately NOT linearizable queue, the negative control of the
// linearizability checker (verify/unit/lin_checker_test.cpp must see the random driver report
// it, with the offending history). It follows no paper; it is the classic mistake of acting on a
// snapshot after the lock that made it was released.
//
// push appends under the lock, and is fine. try_pop reads the oldest element under the lock,
// releases the lock, yields the core (the window, made wide so that the mistake shows within a
// few scenarios even on a loaded 2-core machine), and then, under the lock again, removes that
// element if it is still there and returns the value it read. Two pops whose windows overlap
// both read the same oldest element: both return it, one removes it, and the other removes
// nothing. A value that comes out twice is a history no sequential queue produces.
//
// Progress: blocking (a mutex). Linearization points: none — that is the point; push alone
// would be linearizable at its critical section. Memory ordering: the mutex's; the queue is
// free of data races (the element is read and removed only under the lock, by a sequence number
// that identifies it), so ThreadSanitizer has nothing to say and only the checker can catch it.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

#include <lockstep/sync/mutex.hpp>
#include <lockstep/sync/thread.hpp>

namespace lockstep::verify::lin {

template <class T>
class snapshot_queue {
 public:
  using value_type = T;

  snapshot_queue() = default;
  snapshot_queue(const snapshot_queue&) = delete;
  snapshot_queue& operator=(const snapshot_queue&) = delete;

  void push(const T& value) {
    std::scoped_lock hold(lock_);
    items_.push_back({pushed_++, value});
  }
  void push(T&& value) {
    std::scoped_lock hold(lock_);
    items_.push_back({pushed_++, std::move(value)});
  }

  std::optional<T> try_pop() {
    std::optional<entry> oldest;
    {
      std::scoped_lock hold(lock_);
      if (items_.empty()) return std::nullopt;
      oldest = items_.front();
    }
    sync::yield();
    std::scoped_lock hold(lock_);
    if (!items_.empty() && items_.front().sequence == oldest->sequence) items_.pop_front();
    return std::move(oldest->value);
  }

 private:
  struct entry {
    std::uint64_t sequence;
    T value;
  };

  sync::mutex lock_;
  std::deque<entry> items_;
  std::uint64_t pushed_ = 0;
};

}  // namespace lockstep::verify::lin
