// The runtime benchmarks on the two C++ peers: oneTBB's tbb::task_group in a tbb::task_arena of
// the worker count, and Boost.Fiber's work_stealing scheduler on that many threads (fibers and
// join). Each is written the way its library's own examples write it.
#pragma once

#include <hwloc.h>

#include <array>
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#include <oneapi/tbb/task_scheduler_observer.h>
#include <boost/fiber/all.hpp>

#include "common.hpp"

namespace lockstep::bench::runtime {

namespace on_tbb {

inline std::uint64_t skynet(std::uint64_t num, std::uint64_t size) {
  if (size == 1) return num;
  std::array<std::uint64_t, 10> sums{};
  tbb::task_group g;
  for (std::uint64_t i = 0; i < 10; ++i)
    g.run([&sums, i, num, size] { sums[i] = skynet(num + i * (size / 10), size / 10); });
  g.wait();
  return std::accumulate(sums.begin(), sums.end(), std::uint64_t{0});
}

inline std::uint64_t fib(int n) {
  if (n < 2) return static_cast<std::uint64_t>(n);
  std::uint64_t x = 0;
  tbb::task_group g;
  g.run([&x, n] { x = fib(n - 1); });
  const std::uint64_t y = fib(n - 2);
  g.wait();
  return x + y;
}

// Pins each thread that joins the arena to its slot's PU, and unpins it when it leaves (the
// benchmark's own thread joins every arena it runs in).
class pin_observer final : public tbb::task_scheduler_observer {
 public:
  pin_observer(tbb::task_arena& arena, hwloc_topology_t topo, std::vector<unsigned> pus)
      : tbb::task_scheduler_observer(arena), topo_(topo), pus_(std::move(pus)) {
    if (!pus_.empty()) observe(true);
  }
  ~pin_observer() override { observe(false); }
  void on_scheduler_entry(bool) override {
    pin_worker(topo_, pus_, static_cast<std::size_t>(tbb::this_task_arena::current_thread_index()));
  }
  void on_scheduler_exit(bool) override { unpin(topo_); }

 private:
  hwloc_topology_t topo_;
  std::vector<unsigned> pus_;
};

class runtime {
 public:
  runtime(hwloc_topology_t topo, std::size_t workers, const std::vector<unsigned>& pus)
      : arena_(static_cast<int>(workers)), pins_(arena_, topo, pus) {
    arena_.initialize();
  }

  outcome skynet(std::uint64_t size) {
    std::uint64_t sum = 0;
    const auto t0 = clock::now();
    arena_.execute([&] { sum = on_tbb::skynet(0, size); });
    return checked(seconds_since(t0), skynet_tasks(size), sum, skynet_sum(size), "skynet");
  }

  outcome fib(int n) {
    std::uint64_t value = 0;
    const auto t0 = clock::now();
    arena_.execute([&] { value = on_tbb::fib(n); });
    return checked(seconds_since(t0), fib_spawned(n), value, fib_value(n), "fib");
  }

  outcome spawn_join(std::uint64_t n) {
    std::atomic<std::uint64_t> count{0};
    const auto t0 = clock::now();
    arena_.execute([&] {
      tbb::task_group g;
      for (std::uint64_t i = 0; i < n; ++i)
        g.run([&count] { count.fetch_add(1, std::memory_order_relaxed); });
      g.wait();
    });
    return checked(seconds_since(t0), n, count.load(), n, "spawn_join: tasks run");
  }

 private:
  tbb::task_arena arena_;
  pin_observer pins_;
};

}  // namespace on_tbb

namespace on_fiber {

// 16 KiB stacks from malloc: four pages, as Boost.Fiber's own skynet uses two; fib's inline
// recursion nests up to n/2 frames on one fiber. A fiber's stack lives until it is joined (or,
// detached, until it ends), and a first touch of a fresh one costs page faults: the tree
// benchmarks launch each child with dispatch, as Boost.Fiber's own skynet does, so the tree
// unfolds depth first instead of every node being alive at once (launch::post).
inline boost::fibers::fixedsize_stack stacks() { return boost::fibers::fixedsize_stack(16 * 1024); }

inline std::uint64_t skynet(std::uint64_t num, std::uint64_t size) {
  if (size == 1) return num;
  std::array<std::uint64_t, 10> sums{};
  std::array<boost::fibers::fiber, 10> children;
  for (std::uint64_t i = 0; i < 10; ++i)
    children[i] = boost::fibers::fiber(
        boost::fibers::launch::dispatch, std::allocator_arg, stacks(),
        [&sums, i, num, size] { sums[i] = skynet(num + i * (size / 10), size / 10); });
  for (auto& f : children) f.join();
  return std::accumulate(sums.begin(), sums.end(), std::uint64_t{0});
}

inline std::uint64_t fib(int n) {
  if (n < 2) return static_cast<std::uint64_t>(n);
  std::uint64_t x = 0;
  boost::fibers::fiber forked(boost::fibers::launch::dispatch, std::allocator_arg, stacks(),
                              [&x, n] { x = fib(n - 1); });
  const std::uint64_t y = fib(n - 2);
  forked.join();
  return x + y;
}

// Detached fibers and a count, as lockstep's spawn_join uses detached tasks and a wait_group:
// each stack goes back to malloc when its fiber ends, not when a join reaches it.
inline std::uint64_t spawn_join(std::uint64_t n) {
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> left{n};
  boost::fibers::mutex m;
  boost::fibers::condition_variable cv;
  bool all_done = n == 0;
  for (std::uint64_t i = 0; i < n; ++i)
    boost::fibers::fiber(std::allocator_arg, stacks(), [&] {
      count.fetch_add(1, std::memory_order_relaxed);
      if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::unique_lock lock(m);
        all_done = true;
        cv.notify_one();
      }
    }).detach();
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return all_done; });
  return count.load();
}

// Runs body on the calling thread with `workers` threads (itself included) under work_stealing.
// Boost.Fiber's work_stealing sizes its static table of schedulers once per process, so a
// process runs this for one worker count only: lockstep_runtime calls it in a child process.
template <class Body>
void with_workers(hwloc_topology_t topo, std::size_t workers, const std::vector<unsigned>& pus,
                  Body body) {
  const auto n = static_cast<std::uint32_t>(workers);
  // Every scheduler must be in work_stealing's table before any fiber can be stolen.
  std::barrier registered(static_cast<std::ptrdiff_t>(workers));
  bool finished = false;
  boost::fibers::mutex m;
  boost::fibers::condition_variable_any cv;
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers; ++i)
    threads.emplace_back([&, i] {
      pin_worker(topo, pus, i);
      boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(n);
      registered.arrive_and_wait();
      // This thread's main fiber waits here; the scheduler runs stolen fibers meanwhile.
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return finished; });
    });
  pin_worker(topo, pus, 0);
  boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(n);
  registered.arrive_and_wait();
  body();
  {
    std::unique_lock lock(m);
    finished = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
}

}  // namespace on_fiber

}  // namespace lockstep::bench::runtime
