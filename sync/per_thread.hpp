// sync::per_thread<T> and sync::process_static<T>: the per-thread and process-wide state of
// lockstep's algorithms, owned by the seam so that no algorithm asks which build it is in.
//
// per_thread<T> is a member that gives each thread its own T: local() is the calling thread's,
// value-initialised on its first call. T is a per-thread cache or pool, correct whether or not
// several owners share it: natively every per_thread<T> of one T shares one thread_local T per
// thread (the member is empty); under Relacy each owner keeps one T per simulated thread.
// destroyed() says that the calling thread's T is gone (natively: its thread is exiting);
// construct_now() makes the calling thread's T at once, for a T whose destructor must run when
// the main thread exits even if main never used it.
//
// process_static<T>::get() is one T for the whole process, made on first use and never
// destroyed: a static that retires into it from its own destructor still finds it at exit.
//
// bookkeeping_allocator<T> allocates what per-thread state keeps about itself (a cache's
// entries, the block they share with their owner): natively std::allocator.
// bookkeeping_flag is a flag of that bookkeeping (does a cached entry's owner still live?).
//
// Ordering: none. A thread's T is touched by that thread only; sharing it is the owner's job.
//
// Under Relacy: a thread_local would be one T for every simulated thread, since they are
// fibers of one OS thread. So the owner holds an array indexed by sync::thread_index(), made
// and destroyed with the owner inside each execution, and a T may hold modelled atomics. A
// simulated thread never exits before the test ends, so destroyed() is false. A process-wide
// static would outlive the execution: process_static<T>::get() is declared but not defined,
// so a model check that uses one fails to link; a check builds its own T instead.
// bookkeeping_allocator is the C library's malloc, which Relacy does not track: Relacy makes
// every free it tracks a scheduling choice, and bookkeeping is no part of an algorithm.
// bookkeeping_flag is a real std::atomic in both builds, outside the model like a statistic.
//
// More: docs/algorithms/thread_registry.md (how the reclamation domains use both).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

#include "thread.hpp"

namespace lockstep::sync {

#ifndef LOCKSTEP_RELACY

template <class T>
class per_thread {
 public:
  T& local() { return slot(); }

  static bool destroyed() noexcept { return gone(); }

  static void construct_now() { (void)slot(); }

 private:
  struct holder {
    T value{};
    ~holder() { gone() = true; }
  };

  static T& slot() {
    if constexpr (std::is_trivially_destructible_v<T>) {
      // No destructor: readable for as long as the thread's storage exists.
      thread_local T value{};
      return value;
    } else {
      thread_local holder h;
      return h.value;
    }
  }

  // Trivially destructible, so still readable while the thread's destructors run.
  static bool& gone() noexcept {
    thread_local bool flag = false;
    return flag;
  }
};

template <class T>
using bookkeeping_allocator = std::allocator<T>;

template <class T>
class process_static {
 public:
  static T& get() {
    static T* const object = new T();
    return *object;
  }
};

#else

template <class T>
class per_thread {
 public:
  // Simulated threads per model check; the checks use at most four.
  static constexpr std::size_t max_threads = 8;

  T& local() { return slots_.at(sync::thread_index()); }

  static bool destroyed() noexcept { return false; }

  static void construct_now() noexcept {}

 private:
  std::array<T, max_threads> slots_{};
};

template <class T>
class process_static {
 public:
  static T& get();  // not defined: see the header comment
};

template <class T>
struct bookkeeping_allocator {
  using value_type = T;

  bookkeeping_allocator() = default;
  template <class U>
  bookkeeping_allocator(const bookkeeping_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (void* p = std::malloc(n * sizeof(T))) return static_cast<T*>(p);
    throw std::bad_alloc();
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }

  template <class U>
  bool operator==(const bookkeeping_allocator<U>&) const noexcept {
    return true;
  }
};

#endif

class bookkeeping_flag {
 public:
  explicit bookkeeping_flag(bool set) noexcept : set_(set) {}
  bookkeeping_flag(const bookkeeping_flag&) = delete;
  bookkeeping_flag& operator=(const bookkeeping_flag&) = delete;

  // Relaxed: a cache only prunes by it; nothing is published through it.
  void clear() noexcept { set_.store(false, std::memory_order_relaxed); }
  bool is_set() const noexcept { return set_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> set_;
};

}  // namespace lockstep::sync
