// locked::wait_group — Go's sync.WaitGroup, with Go 1.25's WaitGroup.Go.
//
// add(n) announces n tasks, done() retires one, wait() blocks until the counter is zero.
// go(fn) is Go 1.25's wg.Go(f): add(1), then run fn on a new thread that calls done() when
// fn returns. It is the joining tool the Go patterns in examples/ are written with.
// Progress: blocking; every operation takes one sync::mutex, and wait() sleeps on a
//   sync::condition_variable until the counter is zero.
// Linearization: L1 add/done at their unlock of the mutex; L2 wait() at the lock under which
//   it reads zero.
// Ordering: the mutex's. done() decrements under the lock and wait() reads zero under the
//   same lock, so everything a task did before its done() happens-before wait() returns (Go's
//   guarantee). The counter is a sync::plain, so a missing lock is a data race to Relacy.
// Memory and ABA: the wait_group owns the threads go() started. wait() joins every one it
//   finds (all have called done(), so a join waits only for the thread's last instructions);
//   the destructor joins the rest. Nothing started by go() outlives the wait_group.
// Exceptions: a counter driven below zero throws std::logic_error and is left as it was; past
//   std::ptrdiff_t it throws std::overflow_error. go() that cannot start a thread restores the
//   count and rethrows std::system_error. An exception escaping fn calls std::terminate, as a
//   panic in a goroutine ends a Go program.
// Deviations: go() needs sync::can_start_threads: model checks (Relacy) have only the test's
//   simulated threads, so there it does not exist.
// More: docs/algorithms/wait_group.md.
#pragma once

#include <cstddef>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <utility>

#include <lockstep/sync/sync.hpp>

#include <algorithm>
#include <functional>
#include <type_traits>
#include <vector>

namespace lockstep::locked {

class wait_group {
 public:
  wait_group() = default;
  wait_group(const wait_group&) = delete;
  wait_group& operator=(const wait_group&) = delete;

  // Joins every thread go() started. A thread that is still running holds the destructor until
  // its fn returns; a counter kept above zero by add() without done() does not, because only
  // the threads are the wait_group's to clean up.
  ~wait_group() {
    std::unique_lock<sync::mutex> lock(mutex_);
    while (!threads_.empty()) {
      std::vector<sync::thread> started = std::exchange(threads_, {});
      lock.unlock();
      for (sync::thread& t : started) t.join();
      lock.lock();
    }
  }

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
    std::vector<sync::thread> started = std::exchange(threads_, {});
    lock.unlock();
    for (sync::thread& t : started) t.join();
  }

  // Go 1.25's wg.Go(f): counts fn as a task and runs it on a new thread, which calls done()
  // when fn returns. The count is raised before the thread exists, so a wait() that starts
  // after go() returns cannot miss it. If the thread cannot be started (std::system_error) the
  // count is restored and the error propagates: no task is announced that will never finish.
  template <class F>
    requires std::is_invocable_v<std::decay_t<F>&> && sync::can_start_threads
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

 private:
  sync::mutex mutex_;
  sync::condition_variable zero_;
  sync::plain<std::ptrdiff_t> counter_{0};
  std::vector<sync::thread> threads_;  // started by go() and not yet joined
};

}  // namespace lockstep::locked
