// sync::detail::double_width_cas, AArch64 — the backend of sync::double_width_atomic, in two
// builds chosen by the compiler's target:
// - Armv8.0: load/store-exclusive pair (LL/SC), ldxp/stxp and their acquire/release forms
//   ldaxp/stlxp. No ABA at the instruction level. A store-exclusive may fail *spuriously*
//   (interrupts, evictions), so compare_exchange_weak is one attempt and reports that failure;
//   compare_exchange_strong retries.
// - Armv8.1 LSE (__ARM_FEATURE_ATOMICS): casp and its forms caspa, caspl, caspal; never fails
//   spuriously. The CPU must have it: checked at construction (HWCAP_ATOMICS).
//
// Ordering: acquire forms for an acquiring order (a CAS's failure order included), release
//   forms for a releasing one: O1 casp's forms; O2 ldaxp and O3 stlxp in LL/SC. They are RCsc,
//   so an acq_rel pair is also the seq_cst read-modify-write, as the Arm mapping of C++
//   atomics has it. A pair is read atomically only by a store-exclusive that succeeds: every
//   LL/SC path that returns what it read writes it back with a plain stxp (O4, O5) and
//   retries if that fails.
// Under Relacy: not compiled; Relacy's sync::atomic is generic over T.
// More: docs/algorithms/double_width_cas.md (why inline asm, the LDXP atomicity rule).
#pragma once

#include <sys/auxv.h>
#include <atomic>
#include <cstdint>

#include "double_width_words.hpp"

namespace lockstep::sync {

// Whether this CPU has the Armv8.1 LSE atomics, casp among them (the kernel's HWCAP_ATOMICS).
inline bool cpu_has_lse_atomics() noexcept { return (getauxval(AT_HWCAP) & HWCAP_ATOMICS) != 0; }

namespace detail::double_width_cas {

// Calls op.template operator()<Acquire, Release>() with the orders as constants, so each asm
// below is assembled with exactly the instruction forms its order needs.
template <class Op>
inline auto with_orders(bool acquire, bool release, Op op) {
  if (acquire) {
    return release ? op.template operator()<true, true>() : op.template operator()<true, false>();
  }
  return release ? op.template operator()<false, true>() : op.template operator()<false, false>();
}

#if defined(__ARM_FEATURE_ATOMICS)

inline bool same(words a, words b) noexcept { return a.low == b.low && a.high == b.high; }

inline constexpr bool weak_may_fail_spuriously = false;

inline bool supported() noexcept { return cpu_has_lse_atomics(); }
inline constexpr const char* unsupported =
    "lockstep::sync::double_width_atomic: built for the Armv8.1 LSE atomics (casp), which this "
    "CPU lacks (no HWCAP_ATOMICS); build with -march=armv8-a for the ldxp/stxp form";

// casp: if `bits` equals `expected`, writes `desired`; either way `expected` receives what
// `bits` held. Each register pair must start at an even register, which only explicit register
// variables can ask of g++.
template <bool Acquire, bool Release>
inline void casp(words& bits, words& expected, words desired) noexcept {
  register std::uint64_t old_low asm("x4") = expected.low;
  register std::uint64_t old_high asm("x5") = expected.high;
  register std::uint64_t new_low asm("x6") = desired.low;
  register std::uint64_t new_high asm("x7") = desired.high;
  // O1: caspal (acquire and release), caspa (acquire), caspl (release) or casp (neither), as
  // the caller's order asks; pairs with whatever the caller's own labels name.
  // clang-format off
  asm volatile(
      ".if %c[acquire] && %c[release]\n\t"
      "caspal %[old_low], %[old_high], %[new_low], %[new_high], %[bits]\n\t"
      ".elseif %c[acquire]\n\t"
      "caspa %[old_low], %[old_high], %[new_low], %[new_high], %[bits]\n\t"
      ".elseif %c[release]\n\t"
      "caspl %[old_low], %[old_high], %[new_low], %[new_high], %[bits]\n\t"
      ".else\n\t"
      "casp %[old_low], %[old_high], %[new_low], %[new_high], %[bits]\n\t"
      ".endif"
      : [old_low] "+r"(old_low), [old_high] "+r"(old_high), [bits] "+Q"(bits)
      : [new_low] "r"(new_low), [new_high] "r"(new_high), [acquire] "i"(Acquire),
        [release] "i"(Release)
      : "memory");
  // clang-format on
  expected = {old_low, old_high};
}

// A casp that would write zero over zero: it changes nothing and returns the value (as the
// x86-64 load does; LSE2's atomic ldp is Armv8.4, beyond this build's target).
inline words load(words& bits, std::memory_order order) noexcept {
  words current{0, 0};
  with_orders(acquires(order), false, [&]<bool A, bool R>() {
    casp<A, R>(bits, current, current);
    return 0;
  });
  return current;
}

inline words exchange(words& bits, words next, std::memory_order order) noexcept {
  words current{0, 0};
  for (;;) {
    words seen = current;
    with_orders(acquires(order), releases(order), [&]<bool A, bool R>() {
      casp<A, R>(bits, seen, next);
      return 0;
    });
    if (same(seen, current)) return seen;
    current = seen;
  }
}

inline bool compare_exchange(words& bits, words& expected, words desired, std::memory_order success,
                             std::memory_order failure, bool /*weak*/) noexcept {
  words seen = expected;
  with_orders(acquires(success) || acquires(failure), releases(success), [&]<bool A, bool R>() {
    casp<A, R>(bits, seen, desired);
    return 0;
  });
  const bool swapped = same(seen, expected);
  expected = seen;
  return swapped;
}

#else

inline constexpr bool weak_may_fail_spuriously = true;

// ldxp/stxp are in the Armv8.0 base: every AArch64 CPU has them.
inline bool supported() noexcept { return true; }
inline constexpr const char* unsupported = "";

// The two halves of every LL/SC sequence below, as asm text (a macro, because an asm template
// must be a string literal): load-exclusive the pair into [low], [high], in the acquire form
// when the asm's [acquire] operand is 1; store-exclusive [store_low], [store_high], in the
// release form when [release] is 1, leaving 0 in [status] if the store happened and 1 if the
// reservation was lost.
// O2: ldaxp is the acquire half (RCsc): later accesses stay after it.
// O3: stlxp is the release half (RCsc): earlier accesses stay before it.
#define LOCKSTEP_LOAD_EXCLUSIVE_PAIR   \
  ".if %c[acquire]\n\t"                \
  "ldaxp %[low], %[high], %[bits]\n\t" \
  ".else\n\t"                          \
  "ldxp %[low], %[high], %[bits]\n\t"  \
  ".endif\n\t"
#define LOCKSTEP_STORE_EXCLUSIVE_PAIR                          \
  ".if %c[release]\n\t"                                        \
  "stlxp %w[status], %[store_low], %[store_high], %[bits]\n\t" \
  ".else\n\t"                                                  \
  "stxp %w[status], %[store_low], %[store_high], %[bits]\n\t"  \
  ".endif\n\t"

// What one load-exclusive / store-exclusive attempt ended in; the values are the asm's.
enum class attempt : std::uint32_t { stored = 0, reservation_lost = 1, differed = 2 };

// One LL/SC compare-and-swap: load-exclusive the pair; if it equals `expected`, store-exclusive
// `desired` (stored, or reservation_lost when the monitor was cleared); if not, store the read
// value back so the read is known atomic (re-reading until that succeeds) and return it in
// `expected` (differed).
template <bool Acquire, bool Release>
inline attempt ll_sc_cas(words& bits, words& expected, words desired) noexcept {
  std::uint64_t low;
  std::uint64_t high;
  std::uint32_t status;
  // clang-format off
  asm volatile(
      "1:\n\t"
      LOCKSTEP_LOAD_EXCLUSIVE_PAIR
      "cmp %[low], %[expected_low]\n\t"
      "ccmp %[high], %[expected_high], #0, eq\n\t"
      "b.ne 2f\n\t"
      LOCKSTEP_STORE_EXCLUSIVE_PAIR
      "b 3f\n"
      "2:\n\t"
      // O4, relaxed on purpose: writes back the value read, so the read is known atomic. It
      // publishes nothing; an acquiring order already took O2.
      "stxp %w[status], %[low], %[high], %[bits]\n\t"
      "cbnz %w[status], 1b\n\t"
      "mov %w[status], #2\n"
      "3:"
      : [low] "=&r"(low), [high] "=&r"(high), [status] "=&r"(status), [bits] "+Q"(bits)
      : [expected_low] "r"(expected.low), [expected_high] "r"(expected.high),
        [store_low] "r"(desired.low), [store_high] "r"(desired.high),
        [acquire] "i"(Acquire), [release] "i"(Release)
      : "cc", "memory");
  // clang-format on
  expected = {low, high};
  return static_cast<attempt>(status);
}

// Load-exclusive, then store the same value back exclusively: retried until the store
// succeeds, which is what makes the 16-byte read single-copy atomic.
template <bool Acquire>
inline words ll_sc_load(words& bits) noexcept {
  std::uint64_t low;
  std::uint64_t high;
  std::uint32_t status;
  // clang-format off
  asm volatile(
      "1:\n\t"
      LOCKSTEP_LOAD_EXCLUSIVE_PAIR
      // O5, relaxed on purpose: a load stores nothing new, so its write-back needs no release.
      "stxp %w[status], %[low], %[high], %[bits]\n\t"
      "cbnz %w[status], 1b"
      : [low] "=&r"(low), [high] "=&r"(high), [status] "=&r"(status), [bits] "+Q"(bits)
      : [acquire] "i"(Acquire)
      : "memory");
  // clang-format on
  return {low, high};
}

template <bool Acquire, bool Release>
inline words ll_sc_exchange(words& bits, words next) noexcept {
  std::uint64_t low;
  std::uint64_t high;
  std::uint32_t status;
  // clang-format off
  asm volatile(
      "1:\n\t"
      LOCKSTEP_LOAD_EXCLUSIVE_PAIR
      LOCKSTEP_STORE_EXCLUSIVE_PAIR
      "cbnz %w[status], 1b"
      : [low] "=&r"(low), [high] "=&r"(high), [status] "=&r"(status), [bits] "+Q"(bits)
      : [store_low] "r"(next.low), [store_high] "r"(next.high), [acquire] "i"(Acquire),
        [release] "i"(Release)
      : "memory");
  // clang-format on
  return {low, high};
}

inline words load(words& bits, std::memory_order order) noexcept {
  return acquires(order) ? ll_sc_load<true>(bits) : ll_sc_load<false>(bits);
}

inline words exchange(words& bits, words next, std::memory_order order) noexcept {
  return with_orders(acquires(order), releases(order),
                     [&]<bool A, bool R>() { return ll_sc_exchange<A, R>(bits, next); });
}

// weak: one attempt, so a lost reservation is a spurious failure (expected keeps its value,
// which is what was read). strong: attempts until the value is stored or differs.
inline bool compare_exchange(words& bits, words& expected, words desired, std::memory_order success,
                             std::memory_order failure, bool weak) noexcept {
  for (;;) {
    words seen = expected;
    const attempt result =
        with_orders(acquires(success) || acquires(failure), releases(success),
                    [&]<bool A, bool R>() { return ll_sc_cas<A, R>(bits, seen, desired); });
    if (result == attempt::stored) return true;
    if (result == attempt::differed) {
      expected = seen;
      return false;
    }
    if (weak) return false;
  }
}

#undef LOCKSTEP_LOAD_EXCLUSIVE_PAIR
#undef LOCKSTEP_STORE_EXCLUSIVE_PAIR

#endif

}  // namespace detail::double_width_cas
}  // namespace lockstep::sync
