// sync::double_width_atomic<T>: an atomic 16-byte value (a pointer and a counter, say) built on
// x86-64's `lock cmpxchg16b`, with the subset of std::atomic's interface lockstep's structures
// use. sync::atomic<T> selects it natively for every 16-byte trivially copyable T.
//
// Why not std::atomic<T>: g++ 12 does not inline a 16-byte CAS, even with -mcx16, but calls
// libatomic's __atomic_compare_exchange_16, which chooses cmpxchg16b or a lock at run time and
// whose is_lock_free() answers false (measured by verify/no_hidden_lock/libatomic_control.cpp).
// A lock-free structure over such an atomic would not be lock-free. Here every operation is one
// or more `lock cmpxchg16b` in inline asm, so nothing can hide a lock; verify/no_hidden_lock
// checks the built binaries for libatomic calls.
//
// The CPU: cmpxchg16b is CPUID.01H:ECX.CX16 (bit 13). Inline asm assembles without -mcx16 (the
// flag only lets the compiler emit the instruction by itself), so it is the CPU that must have
// it. Debian 12's amd64 baseline is the original x86-64 (x86-64-v1), which does *not* include
// CX16 (the earliest AMD64 processors, early K8 Athlon 64 and Opteron, lack it); the x86-64-v2
// level, which RHEL 9 requires, does. So it is checked, not assumed: the
// constructor throws std::runtime_error on a CPU without CX16 (instead of a SIGILL at the first
// operation), and the unit suite asserts that the machine it runs on has it.
//
// Ordering: a locked instruction is a full barrier on x86-64 (locked instructions have a total
// order, Intel SDM vol. 3A "Memory Ordering"), so every operation is seq_cst whatever order is
// asked for; the asm's "memory" clobber makes it a compiler barrier too. The orders are still
// taken, for the interface and for ThreadSanitizer (below).
//
// ThreadSanitizer does not see inline asm, so it would not see the synchronisation this atomic
// provides and would report the data it publishes as raced. Under TSan each operation tells it
// what std::atomic would have: a release before a releasing operation, an acquire after an
// acquiring one, by the order asked for — so TSan still checks the algorithm's own ordering
// argument rather than the hardware's stronger one.
//
// Other architectures: instantiating the class stops the build with a static_assert (AArch64's
// casp / ldxp-stxp is a later issue); it never falls back to a lock.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <type_traits>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#if defined(__SANITIZE_THREAD__)
#define LOCKSTEP_TSAN_ANNOTATIONS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LOCKSTEP_TSAN_ANNOTATIONS 1
#endif
#endif
#ifdef LOCKSTEP_TSAN_ANNOTATIONS
#include <sanitizer/tsan_interface.h>
#endif

namespace lockstep::sync {

// Whether this CPU executes cmpxchg16b (CPUID leaf 1, ECX bit 13).
inline bool cpu_has_cx16() noexcept {
#if defined(__x86_64__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & bit_CMPXCHG16B) != 0;
#else
  return false;
#endif
}

namespace detail {

template <class T>
inline constexpr bool instantiated_on_unsupported_architecture = false;

inline bool releases(std::memory_order order) noexcept {
  return order == std::memory_order_release || order == std::memory_order_acq_rel ||
         order == std::memory_order_seq_cst;
}

inline bool acquires(std::memory_order order) noexcept {
  return order == std::memory_order_consume || order == std::memory_order_acquire ||
         order == std::memory_order_acq_rel || order == std::memory_order_seq_cst;
}

// The failure order of a CAS given only its success order, as std::atomic derives it.
inline std::memory_order cas_failure_order(std::memory_order order) noexcept {
  if (order == std::memory_order_acq_rel) return std::memory_order_acquire;
  if (order == std::memory_order_release) return std::memory_order_relaxed;
  return order;
}

}  // namespace detail

#if defined(__x86_64__)

template <class T>
class double_width_atomic {
  static_assert(sizeof(T) == 16, "double_width_atomic holds exactly 16 bytes");
  static_assert(std::is_trivially_copyable_v<T>, "an atomic value must be trivially copyable");
  static_assert(std::has_unique_object_representations_v<T>,
                "cmpxchg16b compares bytes: a type with padding could differ in its padding "
                "alone and make a CAS loop fail forever");
  struct words {
    std::uint64_t low;
    std::uint64_t high;
  };

 public:
  using value_type = T;

  // Never a lock: on a CPU without cmpxchg16b no object can be constructed at all.
  static constexpr bool is_always_lock_free = true;
  bool is_lock_free() const noexcept { return true; }

  double_width_atomic() : double_width_atomic(T{}) {}
  double_width_atomic(T initial) : bits_(std::bit_cast<words>(initial)) {
    static const bool cpu_supports_it = cpu_has_cx16();
    if (!cpu_supports_it) {
      throw std::runtime_error(
          "lockstep::sync::double_width_atomic: this CPU has no cmpxchg16b (CPUID CX16), "
          "so no lock-free 16-byte atomic is possible");
    }
  }

  double_width_atomic(const double_width_atomic&) = delete;
  double_width_atomic& operator=(const double_width_atomic&) = delete;

  // x86-64 has no plain 16-byte load that is atomic on every CPU: two 8-byte loads can tear,
  // and aligned 16-byte SSE/AVX loads are documented atomic only on CPUs with AVX (Intel SDM
  // vol. 3A, "Guaranteed Atomic Operations", since 2021), which would take a run-time CPU
  // dispatch and a second code path to test. So a load is a cmpxchg16b that compares
  // with zero and would write zero back: it either "replaces" zero with zero or fails and
  // returns the current value, and in both cases changes nothing. Its cost is that it writes
  // the line: the core takes it exclusive, so concurrent loads contend like stores, and it
  // would fault on read-only memory — which bits_ never is, being mutable, so even a const
  // object cannot be placed there. lockstep's structures load a link only to CAS it next, which
  // takes the line exclusive anyway, so the writing load costs them little and is correct on
  // every CPU with CX16.
  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    words current{0, 0};
    cmpxchg16b(current, current);
    after(order);
    return std::bit_cast<T>(current);
  }

  void store(T desired, std::memory_order order = std::memory_order_seq_cst) noexcept {
    before(order);
    swap(std::bit_cast<words>(desired));
  }

  T exchange(T desired, std::memory_order order = std::memory_order_seq_cst) noexcept {
    before(order);
    const words previous = swap(std::bit_cast<words>(desired));
    after(order);
    return std::bit_cast<T>(previous);
  }

  // cmpxchg16b never fails spuriously, so the weak CAS is the strong one.
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) noexcept {
    before(success);
    words current = std::bit_cast<words>(expected);
    const bool swapped = cmpxchg16b(current, std::bit_cast<words>(desired));
    if (!swapped) expected = std::bit_cast<T>(current);
    after(swapped ? success : failure);
    return swapped;
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) noexcept {
    return compare_exchange_strong(expected, desired, order, detail::cas_failure_order(order));
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) noexcept {
    return compare_exchange_strong(expected, desired, success, failure);
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) noexcept {
    return compare_exchange_strong(expected, desired, order, detail::cas_failure_order(order));
  }

 private:
  // If bits_ equals `expected`, writes `desired` and returns true; otherwise loads bits_ into
  // `expected` and returns false. One instruction, atomically, as a full barrier.
  bool cmpxchg16b(words& expected, words desired) const noexcept {
    bool equal;
    asm volatile("lock cmpxchg16b %1"
                 : "=@ccz"(equal), "+m"(bits_), "+a"(expected.low), "+d"(expected.high)
                 : "b"(desired.low), "c"(desired.high)
                 : "memory");
    return equal;
  }

  // Installs `next` and returns what it replaced: a CAS loop whose first guess (zero) is wrong
  // unless the value is zero; that failure loads the current value for the second attempt,
  // which fails only if another thread wrote in between.
  words swap(words next) noexcept {
    words current{0, 0};
    while (!cmpxchg16b(current, next)) {
    }
    return current;
  }

  void before(std::memory_order order) const noexcept {
#ifdef LOCKSTEP_TSAN_ANNOTATIONS
    if (detail::releases(order)) __tsan_release(&bits_);
#else
    (void)order;
#endif
  }
  void after(std::memory_order order) const noexcept {
#ifdef LOCKSTEP_TSAN_ANNOTATIONS
    if (detail::acquires(order)) __tsan_acquire(&bits_);
#else
    (void)order;
#endif
  }

  alignas(16) mutable words bits_;
};

#else

template <class T>
class double_width_atomic {
  static_assert(detail::instantiated_on_unsupported_architecture<T>,
                "lockstep::sync::double_width_atomic: a lock-free 16-byte CAS is implemented for "
                "x86-64 (cmpxchg16b) only; AArch64 (casp, ldxp/stxp) is not supported yet");
};

#endif

}  // namespace lockstep::sync
