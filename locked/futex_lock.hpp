// futex_lock: a mutex that spins, then yields, then sleeps on a futex — the lock of
// locked::channel.
//
// The sleeping part is Drepper's third mutex ("Futexes Are Tricky", 2011): one word, 0 free,
// 1 held, 2 held and perhaps with sleepers. lock() takes a free word with a CAS to 1; failing
// that it exchanges in 2 and sleeps while the exchange found the lock held. unlock() exchanges
// in 0 and makes the wake-up system call only if it found 2, so an uncontended lock and unlock
// cost one atomic each and no system call. A woken waiter exchanges in 2, never 1: it cannot
// know whether others still sleep, and storing 1 would let the next unlock skip the wake-up
// they need (the lost wake-up of Drepper's second mutex; verify/mutation/futex_lock_wakes_as_held
// is that bug, and Relacy reports the sleeper left behind as a deadlock).
//
// Before it sleeps a waiter spins and yields (sync::spin_then_yield), as glibc's adaptive
// mutex and Go's runtime lock (runtime/lock_futex.go) spin before futexsleep. Why the channel
// needs it: its critical sections are a few dozen nanoseconds, and std::mutex sleeps almost at
// once, each sleep costing a wake-up of tens of microseconds. On a 2-vCPU virtual machine an
// unbuffered 1/1 exchange ran at 0.35 M messages/s with std::mutex (0.74 even with waiters
// spinning without limit) and at about 2 M/s on this lock, both with the channel's own
// spin-then-yield wait.
//
// Progress: lock() is blocking and deadlock-free but not starvation-free: a running thread can
// take the lock past a sleeping one, as with std::mutex. try_lock() is one CAS; unlock() is one
// exchange and, when there may be sleepers, one wake-up.
//
// Memory ordering: the CAS or exchange that takes the lock is an acquire and the exchange that
// frees it a release, so each critical section happens before the next: the taking operation
// reads the freeing exchange's 0. Every other access only decides whether to retry or sleep.
// A sleeper cannot miss its wake-up: the futex compares the word with 2 and sleeps atomically,
// so an unlock that stores 0 after the waiter's exchange either precedes the comparison (no
// sleep) or follows the sleep (and, having read 2, wakes a sleeper).
#pragma once

#include <cstdint>

#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

class futex_lock {
 public:
  futex_lock() = default;
  futex_lock(const futex_lock&) = delete;
  futex_lock& operator=(const futex_lock&) = delete;

  void lock(sync::location loc = {}) {
    std::uint32_t seen = free;
    if (word_.compare_exchange_strong(seen, held, sync::acquire, loc)) return;
    for (sync::spin_then_yield patience(spins, yields); patience.pause(loc);) {
      seen = word_.load(sync::relaxed, loc);
      if (seen == free && word_.compare_exchange_strong(seen, held, sync::acquire, loc)) return;
    }
    if (seen != held_with_sleepers) seen = word_.exchange(held_with_sleepers, sync::acquire, loc);
    while (seen != free) {
      word_.wait(held_with_sleepers, sync::relaxed, loc);
      seen = word_.exchange(held_with_sleepers, sync::acquire, loc);  // 2, never 1: see above
    }
  }

  bool try_lock(sync::location loc = {}) {
    std::uint32_t seen = free;
    return word_.compare_exchange_strong(seen, held, sync::acquire, loc);
  }

  void unlock(sync::location loc = {}) {
    if (word_.exchange(free, sync::release, loc) == held_with_sleepers) word_.notify_one(loc);
  }

 private:
  static constexpr std::uint32_t free = 0;
  static constexpr std::uint32_t held = 1;
  static constexpr std::uint32_t held_with_sleepers = 2;

  // Shorter than a channel operation's wait: a lock is held for nanoseconds, so a waiter that
  // has not got it after a hundred pauses is likely waiting for a descheduled holder, which
  // yielding helps and spinning does not.
  static constexpr std::uint32_t spins = 100;
  static constexpr std::uint32_t yields = 4;

  sync::parking_word word_{free};
};

}  // namespace lockstep::locked
