// sync::detail::words and the order helpers — what the double-width CAS backends
// (double_width_cas_x86_64.hpp, double_width_cas_aarch64.hpp) share: the 16 bytes as two
// words, and a memory order split into its acquire and release halves.
//
// Ordering: releases() and acquires() decide which instruction forms a backend uses and which
//   ThreadSanitizer annotations double_width_atomic.hpp makes; cas_failure_order derives a
//   CAS's failure order as std::atomic does.
// Under Relacy: unused; the Relacy sync::atomic is generic over T.
// More: docs/algorithms/double_width_cas.md.
#pragma once

#include <atomic>
#include <cstdint>

namespace lockstep::sync::detail {

// The low word is at the lower address: the first register of a cmpxchg16b pair (rax/rbx), of
// an ldxp/stxp pair and of a casp pair alike, on these little-endian targets.
struct words {
  std::uint64_t low;
  std::uint64_t high;
};

inline constexpr bool releases(std::memory_order order) noexcept {
  return order == std::memory_order_release || order == std::memory_order_acq_rel ||
         order == std::memory_order_seq_cst;
}

inline constexpr bool acquires(std::memory_order order) noexcept {
  return order == std::memory_order_consume || order == std::memory_order_acquire ||
         order == std::memory_order_acq_rel || order == std::memory_order_seq_cst;
}

// The failure order of a CAS given only its success order, as std::atomic derives it.
inline constexpr std::memory_order cas_failure_order(std::memory_order order) noexcept {
  if (order == std::memory_order_acq_rel) return std::memory_order_acquire;
  if (order == std::memory_order_release) return std::memory_order_relaxed;
  return order;
}

}  // namespace lockstep::sync::detail
