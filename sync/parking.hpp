// sync::parking_word: a 32-bit atomic word a thread can park on until it changes, with or
// without a deadline — the blocking primitive of both channels (a waiting sender or receiver
// parks on its own word; whoever completes its operation stores the new state and wakes it).
//
// Why not sync::atomic's wait/notify (std::atomic::wait): C++20 has no timed atomic wait, and
// send_for/recv_for need one. Mixing a raw futex wait with libstdc++'s notify is not an option
// either: libstdc++ counts its own waiters and may skip the wake-up system call for a thread
// that parked behind its back. So natively this word does both sides itself, with Linux futexes
// (futex(2)): FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, which is
// std::chrono::steady_clock on Linux, so a wait woken early (spuriously or by another change)
// keeps its original deadline instead of restarting the duration.
//
// Under LOCKSTEP_RELACY it is a sync::atomic<std::uint32_t> parked on with Relacy's futex
// wait-set: an untimed wait that is never woken is reported as a deadlock (that is how the
// checks prove there is no lost wake-up), and a timed wait may time out at any scheduling point.
//
// Ordering: the word is an ordinary atomic; wait() returns after a load with the caller's order
// has seen a value other than `old`, so a waker's release store of the new state synchronises
// with the waiter's acquire load exactly as it would without parking. The futex calls carry no
// ordering of their own and need none: FUTEX_WAIT compares the word in the kernel and sleeps
// atomically with respect to FUTEX_WAKE, so a store followed by a wake can never fall between
// the waiter's check and its sleep.
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

  // Returns once a load with `order` sees a value other than `old`.
  void wait(std::uint32_t old, memory_order order = seq_cst, location = {}) const noexcept {
    while (word_.load(order) == old) futex(FUTEX_WAIT_BITSET_PRIVATE, old, nullptr);
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
      futex(FUTEX_WAIT_BITSET_PRIVATE, old, &at);
    }
    return true;
  }

  void notify_one(location = {}) noexcept { futex(FUTEX_WAKE_PRIVATE, 1, nullptr); }
  void notify_all(location = {}) noexcept { futex(FUTEX_WAKE_PRIVATE, INT_MAX, nullptr); }

 private:
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                    std::atomic<std::uint32_t>::is_always_lock_free,
                "the kernel reads the futex word as a plain 32-bit integer");

  // EINTR, EAGAIN (the word had already changed) and ETIMEDOUT all send the caller back to its
  // re-check, which is where the answer comes from; so the result is not inspected.
  void futex(int op, std::uint32_t value, const timespec* deadline) const noexcept {
    ::syscall(SYS_futex, reinterpret_cast<const std::uint32_t*>(&word_), op, value, deadline,
              nullptr, FUTEX_BITSET_MATCH_ANY);
  }

  std::atomic<std::uint32_t> word_;
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
