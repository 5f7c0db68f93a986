// sync::double_width_atomic<T> — an atomic 16-byte value (a pointer and a counter, say),
// lock-free by construction, with the subset of std::atomic's interface lockstep uses.
// sync::atomic<T> selects it natively for every 16-byte trivially copyable T. Not
// std::atomic: g++ 12 sends 16 bytes to libatomic, which may take a lock (its is_lock_free()
// is false on x86-64). Here every operation is inline asm of one architecture's backend, which
// verify/no_hidden_lock and verify/isa check; elsewhere a static_assert stops the build.
//
// Ordering: the order asked for, or stronger. x86-64's lock cmpxchg16b is always seq_cst;
//   AArch64 uses the acquire and release forms the order needs. ThreadSanitizer does not see
//   inline asm, so O1 and O2 tell it what std::atomic would have: a release before a
//   releasing operation, an acquire after an acquiring one. TSan then checks the
//   algorithm's ordering argument, not the hardware's.
// Under Relacy: not compiled; Relacy's sync::atomic is generic over T.
// More: docs/algorithms/double_width_cas.md.
#pragma once

#include <atomic>
#include <bit>
#include <stdexcept>
#include <type_traits>

#include "double_width_words.hpp"
#include "tsan.hpp"

#if defined(__x86_64__)
#include "double_width_cas_x86_64.hpp"
#define LOCKSTEP_DOUBLE_WIDTH_CAS 1
#elif defined(__aarch64__)
#include "double_width_cas_aarch64.hpp"
#define LOCKSTEP_DOUBLE_WIDTH_CAS 1
#endif


namespace lockstep::sync {

namespace detail {
template <class T>
inline constexpr bool instantiated_on_unsupported_architecture = false;
}  // namespace detail

#ifdef LOCKSTEP_DOUBLE_WIDTH_CAS

template <class T>
class double_width_atomic {
  static_assert(sizeof(T) == 16, "double_width_atomic holds exactly 16 bytes");
  static_assert(std::is_trivially_copyable_v<T>, "an atomic value must be trivially copyable");
  static_assert(std::has_unique_object_representations_v<T>,
                "a double-width CAS compares bytes: a type with padding could differ in its "
                "padding alone and make a CAS loop fail forever");
  using words = detail::words;

 public:
  using value_type = T;

  // Never a lock: on a CPU without the instruction no object can be constructed at all.
  static constexpr bool is_always_lock_free = true;
  bool is_lock_free() const noexcept { return true; }

  // Whether compare_exchange_weak can fail with the expected value in place: only in the LL/SC
  // build, where a store-exclusive loses its reservation.
  static constexpr bool weak_may_fail_spuriously =
      detail::double_width_cas::weak_may_fail_spuriously;

  double_width_atomic() : double_width_atomic(T{}) {}
  double_width_atomic(T initial) : bits_(std::bit_cast<words>(initial)) {
    static const bool cpu_supports_it = detail::double_width_cas::supported();
    if (!cpu_supports_it) throw std::runtime_error(detail::double_width_cas::unsupported);
  }

  double_width_atomic(const double_width_atomic&) = delete;
  double_width_atomic& operator=(const double_width_atomic&) = delete;

  // A load writes the line on both architectures (the backends say why), so the storage is
  // mutable and the object never lives in read-only memory.
  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    const words current = detail::double_width_cas::load(bits_, order);
    after(order);
    return std::bit_cast<T>(current);
  }

  void store(T desired, std::memory_order order = std::memory_order_seq_cst) noexcept {
    before(order);
    detail::double_width_cas::exchange(bits_, std::bit_cast<words>(desired), order);
  }

  T exchange(T desired, std::memory_order order = std::memory_order_seq_cst) noexcept {
    before(order);
    const words previous =
        detail::double_width_cas::exchange(bits_, std::bit_cast<words>(desired), order);
    after(order);
    return std::bit_cast<T>(previous);
  }

  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) noexcept {
    return compare_exchange(expected, desired, success, failure, false);
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) noexcept {
    return compare_exchange_strong(expected, desired, order, detail::cas_failure_order(order));
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) noexcept {
    return compare_exchange(expected, desired, success, failure, true);
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) noexcept {
    return compare_exchange_weak(expected, desired, order, detail::cas_failure_order(order));
  }

 private:
  bool compare_exchange(T& expected, T desired, std::memory_order success,
                        std::memory_order failure, bool weak) noexcept {
    before(success);
    words current = std::bit_cast<words>(expected);
    const bool swapped = detail::double_width_cas::compare_exchange(
        bits_, current, std::bit_cast<words>(desired), success, failure, weak);
    if (!swapped) expected = std::bit_cast<T>(current);
    after(swapped ? success : failure);
    return swapped;
  }

  // O1 (TSan only): the release half of a releasing order, before the instruction.
  void before(std::memory_order order) const noexcept {
    if (detail::releases(order)) tsan_release(&bits_);
  }
  // O2 (TSan only): the acquire half of an acquiring order, after the instruction; pairs with
  // the O1 of whichever operation wrote the value read.
  void after(std::memory_order order) const noexcept {
    if (detail::acquires(order)) tsan_acquire(&bits_);
  }

  alignas(16) mutable words bits_;
};

#else

template <class T>
class double_width_atomic {
  static_assert(detail::instantiated_on_unsupported_architecture<T>,
                "lockstep::sync::double_width_atomic: a lock-free 16-byte CAS is implemented for "
                "x86-64 (cmpxchg16b) and AArch64 (ldxp/stxp, casp) only");
};

#endif

}  // namespace lockstep::sync
