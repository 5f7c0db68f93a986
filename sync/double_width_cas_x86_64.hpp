// sync::detail::double_width_cas, x86-64 — the backend of sync::double_width_atomic: every
// operation is one or more `lock cmpxchg16b` in inline asm.
//
// Ordering: O1, the locked cmpxchg16b, is a full barrier (locked instructions have a total
//   order, Intel SDM vol. 3A "Memory Ordering"). So every operation is seq_cst whatever order
//   is asked for; the asm's "memory" clobber makes it a compiler barrier too.
// CPU: cmpxchg16b is CPUID CX16, which Debian 12's amd64 baseline (x86-64-v1) does not
//   include. So supported() checks it at run time, and the unit suite asserts it.
// Under Relacy: not compiled; Relacy's sync::atomic is generic over T.
// More: docs/algorithms/double_width_cas.md (the CPU levels, the writing load).
#pragma once

#include <cpuid.h>
#include <atomic>

#include "double_width_words.hpp"

namespace lockstep::sync {

// Whether this CPU executes cmpxchg16b (CPUID leaf 1, ECX bit 13).
inline bool cpu_has_cx16() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & bit_CMPXCHG16B) != 0;
}

namespace detail::double_width_cas {

// cmpxchg16b never fails spuriously, so a weak CAS is the strong one.
inline constexpr bool weak_may_fail_spuriously = false;

inline bool supported() noexcept { return cpu_has_cx16(); }
inline constexpr const char* unsupported =
    "lockstep::sync::double_width_atomic: this CPU has no cmpxchg16b (CPUID CX16), so no "
    "lock-free 16-byte atomic is possible";

// If `bits` equals `expected`, writes `desired` and returns true; otherwise loads `bits` into
// `expected` and returns false. One instruction, atomically, as a full barrier.
inline bool cmpxchg16b(words& bits, words& expected, words desired) noexcept {
  bool equal;
  // O1 seq_cst: the lock prefix orders it totally with every other locked instruction and
  // fences all loads and stores around it; it gives each caller's order, whatever it asked.
  asm volatile("lock cmpxchg16b %1"
               : "=@ccz"(equal), "+m"(bits), "+a"(expected.low), "+d"(expected.high)
               : "b"(desired.low), "c"(desired.high)
               : "memory");
  return equal;
}

// x86-64 has no plain 16-byte load that is atomic on every CPU: two 8-byte loads can tear, and
// aligned 16-byte SSE/AVX loads are documented atomic only on CPUs with AVX (Intel SDM vol. 3A,
// "Guaranteed Atomic Operations", since 2021), which would take a run-time CPU dispatch and a
// second code path to test. So a load is a cmpxchg16b that compares with zero and would write
// zero back: it either "replaces" zero with zero or fails and returns the current value, and in
// both cases changes nothing. Its cost is that it writes the line: the core takes it
// exclusive, so concurrent loads contend like stores, and it would fault on read-only memory —
// which the atomic's storage never is, being mutable. lockstep's structures load a link only to
// CAS it next, which takes the line exclusive anyway, so the writing load costs them little.
// Ordering: O1's, so even a relaxed load is seq_cst here.
inline words load(words& bits, std::memory_order) noexcept {
  words current{0, 0};
  cmpxchg16b(bits, current, current);
  return current;
}

// Installs `next` and returns what it replaced: a CAS loop whose first guess (zero) is wrong
// unless the value is zero; that failure loads the current value for the second attempt,
// which fails only if another thread wrote in between.
inline words exchange(words& bits, words next, std::memory_order) noexcept {
  words current{0, 0};
  while (!cmpxchg16b(bits, current, next)) {
  }
  return current;
}

inline bool compare_exchange(words& bits, words& expected, words desired, std::memory_order,
                             std::memory_order, bool /*weak*/) noexcept {
  return cmpxchg16b(bits, expected, desired);
}

}  // namespace detail::double_width_cas
}  // namespace lockstep::sync
