// sync::thread_index, yield, backoff, sync::thread — thread identity, spin hints and the
// threads a helper may start, for lockstep's algorithms.
//
// What: thread_index() numbers each thread in order of its first call, never reused (so not an
//   index into a fixed array). Every spin loop calls yield() or a backoff. sync::thread is
//   what a wait_group's go() starts its tasks on.
// Ordering: none; thread_index()'s counter is relaxed (a number, not a publication).
// Under Relacy: thread_index() is the simulated thread's index (a thread_local would be shared
//   by all simulated threads, fibers of one OS thread); yield() is the scheduling hint without
//   which a bounded or full search reports a false livelock (natively a pause instruction or
//   sched_yield); sync::thread is an empty, join-only type and can_start_threads is false, so
//   a function that starts threads is declared `requires sync::can_start_threads` and is
//   absent from model checks (a std::thread cannot be a simulated fiber).
// More: docs/seam.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "location.hpp"

#if !defined(LOCKSTEP_RELACY) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif

namespace lockstep::sync {

#ifndef LOCKSTEP_RELACY

inline unsigned thread_index() noexcept {
  static std::atomic<unsigned> next{0};
  thread_local const unsigned index = next.fetch_add(1, std::memory_order_relaxed);
  return index;
}

// One spin-wait iteration: tells the core (and an SMT sibling) that this thread is waiting.
inline void cpu_relax(location = {}) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Gives the core away: what a waiter must do when the thread it waits for may be descheduled.
inline void yield(location = {}) noexcept { std::this_thread::yield(); }

using thread = std::thread;
inline constexpr bool can_start_threads = true;

#else

inline unsigned thread_index() noexcept { return rl::thread_index(); }
inline void cpu_relax(location loc = {}) { rl::yield(1, loc); }
inline void yield(location loc = {}) { rl::yield(1, loc); }

// No object of it starts anything: see the header comment.
class thread {
 public:
  thread() = default;
  void join() noexcept {}
};
inline constexpr bool can_start_threads = false;

#endif

// Exponential backoff for contended CAS loops and spinlocks: spins with cpu_relax doubling up
// to a cap, then yields the core. Yielding past the cap is what keeps a spinning waiter from
// burning the time slice of the thread it waits for when threads outnumber cores.
class backoff {
 public:
  explicit backoff(std::uint32_t cap = 1024) noexcept : cap_(cap) {}

  void pause(location loc = {}) {
#ifdef LOCKSTEP_RELACY
    yield(loc);
#else
    if (spins_ > cap_) {
      yield(loc);
      return;
    }
    for (std::uint32_t i = 0; i < spins_; ++i) cpu_relax(loc);
    spins_ *= 2;
#endif
  }

  void reset() noexcept { spins_ = 1; }

 private:
  std::uint32_t spins_ = 1;
  std::uint32_t cap_;
};

// The wait before a thread parks: `spins` pause instructions, then `yields` sched_yields, each
// step followed by the caller's look at what it waits for; pause() is false once the budget is
// spent and the caller should park. The yield phase is what makes parking rare on a busy
// machine: waking a parked thread costs a futex system call and a scheduler round trip (tens of
// microseconds on a virtual machine, whose idle vCPU the host has to wake as well), while the
// counterpart a thread waits for is usually one time slice away; and unlike spinning, a yield
// gives that counterpart the core when threads outnumber cores. crossbeam's Backoff::snooze is
// the same idea with a smaller budget; its two phases are these.
//
// Under Relacy the budget is empty: the caller goes straight to parking, the part that must be
// proved free of lost wake-ups, and parking re-checks the word first, which covers a wait that
// would have ended while spinning. Even one step would hide it: Relacy's yield lets the other
// threads run first, so in a small scenario the thread waited for always finished during that
// one step, and the parking path was never reached (a futex_lock whose unlock woke nobody
// passed a full search).
class spin_then_yield {
 public:
  constexpr spin_then_yield([[maybe_unused]] std::uint32_t spins,
                            [[maybe_unused]] std::uint32_t yields) noexcept
#ifdef LOCKSTEP_RELACY
      : left_(0), yields_from_(0) {}
#else
      : left_(spins + yields), yields_from_(yields) {}
#endif

  bool pause(location loc = {}) {
    if (left_ == 0) return false;
    if (left_-- > yields_from_) {
      cpu_relax(loc);
    } else {
      yield(loc);
    }
    return true;
  }

 private:
  std::uint32_t left_;         // steps still allowed
  std::uint32_t yields_from_;  // once no more than this many are left, they are yields
};

}  // namespace lockstep::sync
