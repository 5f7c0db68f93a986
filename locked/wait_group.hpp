// locked::wait_group: Go's sync.WaitGroup, with Go 1.25's WaitGroup.Go.
//
// A counter of outstanding tasks and a way to wait until it is zero: add(n) announces n tasks,
// done() retires one, wait() blocks until the counter is zero. go(fn) is Go 1.25's wg.Go(f):
// add(1), then run fn on a new thread that calls done() when fn returns. It follows no paper;
// it is the joining tool the Go patterns in examples/ are written with, as their Go originals
// are written with sync.WaitGroup.
//
// Unlike a goroutine, a std::thread must be joined, so the wait_group owns the threads go()
// started: wait() joins every one of them that it finds (they have all called done(), so each
// join only waits for the thread's last instructions), and the destructor joins whatever is
// left. Nothing started by go() outlives the wait_group.
//
// Errors are Go's panics made exceptions: a counter driven below zero (more done() than add())
// throws std::logic_error and leaves the counter as it was; a counter past the range of
// std::ptrdiff_t throws std::overflow_error. An exception escaping fn calls std::terminate, as
// a panic in a goroutine ends a Go program.
//
// Progress: blocking. Every operation takes one sync::mutex; wait() sleeps on a
// sync::condition_variable until the counter is zero.
//
// Memory ordering: the mutex's. done() decrements under the lock and wait() reads zero under the
// same lock, so everything a task did before its done() happens before wait() returns — Go's
// guarantee. Under the model checker (LOCKSTEP_RELACY) the counter is a sync::plain, so a
// missing lock would be reported as a data race. go() exists only natively: under Relacy the
// threads are its simulated fibers, which a std::thread cannot be.
#pragma once

#include <cstddef>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <utility>

#include <lockstep/sync/sync.hpp>

#ifndef LOCKSTEP_RELACY
#include <algorithm>
#include <functional>
#include <thread>
#include <type_traits>
#include <vector>
#endif

namespace lockstep::locked {

class wait_group {
 public:
  wait_group() = default;
  wait_group(const wait_group&) = delete;
  wait_group& operator=(const wait_group&) = delete;

#ifndef LOCKSTEP_RELACY
  // Joins every thread go() started. A thread that is still running holds the destructor until
  // its fn returns; a counter kept above zero by add() without done() does not, because only
  // the threads are the wait_group's to clean up.
  ~wait_group() {
    std::unique_lock<sync::mutex> lock(mutex_);
    while (!threads_.empty()) {
      std::vector<std::thread> started = std::exchange(threads_, {});
      lock.unlock();
      for (std::thread& t : started) t.join();
      lock.lock();
    }
  }
#endif

  // Go's Add(delta): delta may be negative, but the counter may never go below zero.
  void add(std::ptrdiff_t delta) {
    std::scoped_lock lock(mutex_);
    const std::ptrdiff_t now = counter_.read();
    // now >= 0, so now + delta cannot overflow when delta is negative.
    if (delta < 0 && now + delta < 0) {
      throw std::logic_error("wait_group: negative counter (more done() than add())");
    }
    if (delta > 0 && now > std::numeric_limits<std::ptrdiff_t>::max() - delta) {
      throw std::overflow_error("wait_group: counter overflow");
    }
    counter_.write() = now + delta;
    // Every waiter must see zero, not one: wait() has no hand-off, it is a barrier.
    if (now + delta == 0) zero_.notify_all();
  }

  void done() { add(-1); }

  // Blocks until the counter is zero, then joins the threads go() started (all of which have
  // called done() by then). Several threads may wait at once; each joins the threads it took.
  void wait() {
    std::unique_lock<sync::mutex> lock(mutex_);
    zero_.wait(lock, [this] { return counter_.read() == 0; });
#ifndef LOCKSTEP_RELACY
    std::vector<std::thread> started = std::exchange(threads_, {});
    lock.unlock();
    for (std::thread& t : started) t.join();
#endif
  }

#ifndef LOCKSTEP_RELACY
  // Go 1.25's wg.Go(f): counts fn as a task and runs it on a new thread, which calls done()
  // when fn returns. The count is raised before the thread exists, so a wait() that starts
  // after go() returns cannot miss it. If the thread cannot be started (std::system_error) the
  // count is restored and the error propagates: no task is announced that will never finish.
  template <class F>
    requires std::is_invocable_v<std::decay_t<F>&>
  void go(F&& fn) {
    std::scoped_lock lock(mutex_);
    // Room first, so that after the thread starts nothing can fail and lose it unjoined. The
    // capacity doubles, as push_back's would: reserving one more each time would copy the
    // vector on every call.
    if (threads_.size() == threads_.capacity()) {
      threads_.reserve(std::max<std::size_t>(8, 2 * threads_.size()));
    }
    const std::ptrdiff_t now = counter_.read();
    if (now == std::numeric_limits<std::ptrdiff_t>::max()) {
      throw std::overflow_error("wait_group: counter overflow");
    }
    counter_.write() = now + 1;
    try {
      threads_.emplace_back([this, task = std::decay_t<F>(std::forward<F>(fn))]() mutable {
        {
          // fn and what it captured die before done(), so they are gone once wait() returns,
          // also for a waiter that joins no thread.
          std::decay_t<F> run(std::move(task));
          std::invoke(run);
        }
        done();
      });
    } catch (...) {
      // The lock was held throughout, so no one saw the raised count: restoring it is enough.
      counter_.write() = now;
      throw;
    }
  }
#endif

 private:
  sync::mutex mutex_;
  sync::condition_variable zero_;
  sync::plain<std::ptrdiff_t> counter_{0};
#ifndef LOCKSTEP_RELACY
  std::vector<std::thread> threads_;  // started by go() and not yet joined
#endif
};

}  // namespace lockstep::locked
