// What every runtime of lockstep_runtime shares: one measured run, the expected results, the
// resident set and pinning a worker.
#pragma once

#include <hwloc.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <lockstep/bench/placement.hpp>

namespace lockstep::bench::runtime {

// The sizes of one run of each benchmark (the command line's, the Go twin's alike).
struct sizes {
  std::uint64_t skynet = 1'000'000;  // leaves, a power of 10
  int fib = 30;
  std::uint64_t spawn = 1'000'000;   // tasks spawned and joined
  std::uint64_t memory = 1'000'000;  // tasks parked at once
};

// One repetition: its wall time, how many tasks it ran, the value it computed (memory: the
// resident bytes per parked task) and an error when that value is wrong.
struct outcome {
  double seconds = 0;
  std::uint64_t tasks = 0;
  double value = 0;
  std::optional<std::string> error;
};

// Tasks a skynet tree with `size` leaves runs: every node is one.
constexpr std::uint64_t skynet_tasks(std::uint64_t size) {
  return size == 1 ? 1 : 1 + 10 * skynet_tasks(size / 10);
}

constexpr std::uint64_t skynet_sum(std::uint64_t size) { return size * (size - 1) / 2; }

constexpr std::uint64_t fib_value(int n) {
  std::uint64_t a = 0, b = 1;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t next = a + b;
    a = b;
    b = next;
  }
  return a;
}

// Tasks fib(n) forks: one per call with n >= 2 (its fib(n-1)).
constexpr std::uint64_t fib_spawned(int n) {
  std::uint64_t s0 = 0, s1 = 0;
  for (int i = 2; i <= n; ++i) {
    const std::uint64_t next = 1 + s1 + s0;
    s0 = s1;
    s1 = next;
  }
  return n < 2 ? 0 : s1;
}

inline outcome checked(double seconds, std::uint64_t tasks, std::uint64_t got, std::uint64_t want,
                       const char* what) {
  outcome o{seconds, tasks, static_cast<double>(got), std::nullopt};
  if (got != want)
    o.error = std::string(what) + " = " + std::to_string(got) + ", want " + std::to_string(want);
  return o;
}

using clock = std::chrono::steady_clock;

inline double seconds_since(clock::time_point t0) {
  return std::chrono::duration<double>(clock::now() - t0).count();
}

// Resident bytes of this process (the second field of /proc/self/statm, in pages).
inline double resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) : 0;
}

// Worker i's PU under a plan (placement.hpp); an empty plan binds nothing.
inline void pin_worker(hwloc_topology_t topo, const std::vector<unsigned>& pus, std::size_t i) {
  if (!pus.empty()) bind_current_thread(topo, pus[i % pus.size()]);
}

// Gives the calling thread every PU back (a thread that joined a pinned team and leaves it).
inline void unpin(hwloc_topology_t topo) {
  hwloc_set_cpubind(topo, hwloc_topology_get_allowed_cpuset(topo), HWLOC_CPUBIND_THREAD);
}

}  // namespace lockstep::bench::runtime
