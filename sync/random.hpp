// sync::random_below(n) — a uniformly random number in [0, n), for the choices an algorithm
// makes at random: select's choice among ready cases (Go's fairness), the elimination slot.
//
// Ordering: none; natively each thread has its own xorshift state (no shared state, no lock),
//   seeded from its thread index and the clock: good enough for fairness, not for secrets.
// Under Relacy: rl::rand, which the model checker treats as a scheduling choice, so a search
//   explores every outcome of the draw, not one.
// More: docs/seam.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include "thread.hpp"

namespace lockstep::sync {

#ifndef LOCKSTEP_RELACY

inline std::uint32_t random_below(std::uint32_t n) noexcept {
  // xorshift64* (Vigna 2016); the seed mixes the thread index and the clock so threads that
  // start together do not draw the same sequence. A zero state would stay zero: `| 1` avoids it.
  thread_local std::uint64_t state =
      (static_cast<std::uint64_t>(thread_index() + 1) * 0x9E3779B97F4A7C15ull ^
       static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) |
      1;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  const std::uint64_t r = state * 0x2545F4914F6CDD1Dull;
  // Lemire's multiply-shift: maps the high 32 bits onto [0, n) without a division.
  return static_cast<std::uint32_t>(((r >> 32) * n) >> 32);
}

#else

inline std::uint32_t random_below(std::uint32_t n) { return rl::rand(n); }

#endif

}  // namespace lockstep::sync
