// sync::parking_word — a 32-bit atomic word a thread parks on until it changes, with or
// without a deadline: the sync::waiter (sync/waiter.hpp) of both channel families.
//
// What: load, store, exchange and CAS as an atomic, plus wait(old) and wait_until(old,
// deadline), and notify_one/notify_all. Natively Linux futexes (futex(2)): FUTEX_WAIT_BITSET
// takes an absolute CLOCK_MONOTONIC deadline (std::chrono::steady_clock on Linux), so a wait
// woken early keeps its deadline. The word does both sides itself: C++20 has no timed atomic
// wait, and libstdc++'s notify, which counts only its own waiters, would skip a raw futex
// sleeper. notify makes no system call while no thread sleeps on the word (a sleeper count).
// Ordering: the word is an ordinary atomic; wait returns after a load with the caller's order
//   has seen a value other than `old`, so a waker's release synchronises with the waiter's
//   acquire as without parking. P1 seq_cst fences, one in sleep() after counting the sleeper
//   and one in notify before reading the count (store buffering): the sleeper's futex sees
//   the new value, or the waker sees the sleeper. FUTEX_WAIT compares and sleeps atomically
//   with respect to FUTEX_WAKE.
// Under Relacy: a sync::atomic parked on with Relacy's futex wait-set; an untimed wait never
//   woken is reported as a deadlock (lost wake-ups), and a timed wait may time out at any
//   scheduling point (the deadline is not consulted).
// More: docs/algorithms/channel.md ("Waiters")
#pragma once

#include <chrono>
#include <cstdint>

#include "atomic.hpp"
#include "location.hpp"

#ifndef LOCKSTEP_RELACY
#include <atomic>
#include <climits>
#include <ctime>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace lockstep::sync {

#ifndef LOCKSTEP_RELACY

class parking_word {
 public:
  using clock = std::chrono::steady_clock;

  explicit parking_word(std::uint32_t initial = 0) noexcept : word_(initial) {}
  parking_word(const parking_word&) = delete;
  parking_word& operator=(const parking_word&) = delete;

  std::uint32_t load(memory_order order = seq_cst, location = {}) const noexcept {
    return word_.load(order);
  }
  void store(std::uint32_t value, memory_order order = seq_cst, location = {}) noexcept {
    word_.store(value, order);
  }
  std::uint32_t exchange(std::uint32_t value, memory_order order = seq_cst, location = {}) noexcept {
    return word_.exchange(value, order);
  }
  bool compare_exchange_strong(std::uint32_t& expected, std::uint32_t desired,
                               memory_order order = seq_cst, location = {}) noexcept {
    return word_.compare_exchange_strong(expected, desired, order);
  }
  bool compare_exchange_strong(std::uint32_t& expected, std::uint32_t desired,
                               memory_order success, memory_order failure,
                               location = {}) noexcept {
    return word_.compare_exchange_strong(expected, desired, success, failure);
  }

  // Returns once a load with `order` sees a value other than `old`.
  void wait(std::uint32_t old, memory_order order = seq_cst, location = {}) const noexcept {
    while (word_.load(order) == old) sleep(old, nullptr);
  }

  // The same, giving up at `deadline`: false when it passed with the word still `old`.
  bool wait_until(std::uint32_t old, clock::time_point deadline, memory_order order = seq_cst,
                  location = {}) const noexcept {
    const auto since_epoch = deadline.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const timespec at{static_cast<std::time_t>(seconds.count()),
                      static_cast<long>((since_epoch - seconds) / std::chrono::nanoseconds(1))};
    while (word_.load(order) == old) {
      if (clock::now() >= deadline) return false;
      sleep(old, &at);
    }
    return true;
  }

  // No system call while no thread sleeps on the word.
  void notify_one(location = {}) noexcept {
    if (sleeping()) futex(FUTEX_WAKE_PRIVATE, 1, nullptr);
  }
  void notify_all(location = {}) noexcept {
    if (sleeping()) futex(FUTEX_WAKE_PRIVATE, INT_MAX, nullptr);
  }

 private:
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                    std::atomic<std::uint32_t>::is_always_lock_free,
                "the kernel reads the futex word as a plain 32-bit integer");

  // A sleeper counts itself and then the kernel compares the word; a waker changed the word and
  // then reads the count. Of the two, at least one sees the other.
  void sleep(std::uint32_t old, const timespec* deadline) const noexcept {
    sleepers_.fetch_add(1, std::memory_order_relaxed);
    // P1 seq_cst fence: pairs with sleeping()'s; the count before the kernel's compare.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    futex(FUTEX_WAIT_BITSET_PRIVATE, old, deadline);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
  }
  bool sleeping() const noexcept {
    // P1 seq_cst fence: pairs with sleep()'s; the caller's change of the word before the count.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return sleepers_.load(std::memory_order_relaxed) != 0;
  }

  // EINTR, EAGAIN (the word had already changed) and ETIMEDOUT all send the caller back to its
  // re-check, which is where the answer comes from; so the result is not inspected.
  void futex(int op, std::uint32_t value, const timespec* deadline) const noexcept {
    ::syscall(SYS_futex, reinterpret_cast<const std::uint32_t*>(&word_), op, value, deadline,
              nullptr, FUTEX_BITSET_MATCH_ANY);
  }

  std::atomic<std::uint32_t> word_;
  mutable std::atomic<std::uint32_t> sleepers_{0};  // threads in or entering futex()
};

#else

class parking_word {
 public:
  using clock = std::chrono::steady_clock;

  explicit parking_word(std::uint32_t initial = 0, location loc = {}) : word_(initial, loc) {}
  parking_word(const parking_word&) = delete;
  parking_word& operator=(const parking_word&) = delete;

  std::uint32_t load(memory_order order = seq_cst, location loc = {}) const {
    return word_.load(order, loc);
  }
  void store(std::uint32_t value, memory_order order = seq_cst, location loc = {}) {
    word_.store(value, order, loc);
  }
  std::uint32_t exchange(std::uint32_t value, memory_order order = seq_cst, location loc = {}) {
    return word_.exchange(value, order, loc);
  }
  bool compare_exchange_strong(std::uint32_t& expected, std::uint32_t desired,
                               memory_order order = seq_cst, location loc = {}) {
    return word_.compare_exchange_strong(expected, desired, order, loc);
  }
  bool compare_exchange_strong(std::uint32_t& expected, std::uint32_t desired,
                               memory_order success, memory_order failure, location loc = {}) {
    return word_.compare_exchange_strong(expected, desired, success, failure, loc);
  }

  void wait(std::uint32_t old, memory_order order = seq_cst, location loc = {}) const {
    word_.wait(old, order, loc);
  }
  // No clock in the model: the deadline is not consulted, the scheduler decides when it passes.
  bool wait_until(std::uint32_t old, clock::time_point, memory_order order = seq_cst,
                  location loc = {}) const {
    return word_.wait_or_time_out(old, order, loc);
  }

  void notify_one(location loc = {}) { word_.notify_one(loc); }
  void notify_all(location loc = {}) { word_.notify_all(loc); }

 private:
  atomic<std::uint32_t> word_;
};

#endif

}  // namespace lockstep::sync
