// sync::statistic — a counter that instruments an algorithm without being part of it (retired
// and reclaimed nodes, say), readable by any thread while the algorithm runs.
//
// Ordering: relaxed unless the caller asks otherwise. An algorithm must never decide
//   anything on a statistic, so nothing synchronises through it.
// Under Relacy: still a std::atomic, on purpose. A modelled atomic would add a scheduling
//   point at every increment and multiply the state space for nothing. Simulated threads are
//   fibers of one OS thread, so the real atomic is exact there too.
// More: docs/seam.md.
#pragma once

#include <atomic>
#include <cstddef>

#include "atomic.hpp"

namespace lockstep::sync {

class statistic {
 public:
  statistic() = default;
  statistic(const statistic&) = delete;
  statistic& operator=(const statistic&) = delete;

  void add(std::size_t n, memory_order order = relaxed) noexcept { value_.fetch_add(n, order); }
  std::size_t read(memory_order order = relaxed) const noexcept { return value_.load(order); }

 private:
  std::atomic<std::size_t> value_{0};
};

}  // namespace lockstep::sync
