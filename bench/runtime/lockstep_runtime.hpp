// The four runtime benchmarks on lockstep's scheduler, for either deque (basic_scheduler<Deque>):
// every fork is a sched::spawn of a task<void> and every join a sched::wait_group, which is
// what a user of the runtime writes. And skynet as Go writes it, over channels (co_await).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <lockstep/bench/placement.hpp>
#include <lockstep/locked/channel.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/task.hpp>
#include <lockstep/sched/wait_group.hpp>
#include <lockstep/sync/channel.hpp>

#include "common.hpp"

namespace lockstep::bench::runtime::on_lockstep {

// A node stores its sum in its parent's slot before the parent's wait_group hears of it.
inline sched::task<void> skynet(std::uint64_t num, std::uint64_t size, std::uint64_t& out,
                                sched::wait_group* parent) {
  if (size == 1) {
    out = num;
  } else {
    std::array<std::uint64_t, 10> sums{};
    sched::wait_group children;
    children.add(10);
    for (std::uint64_t i = 0; i < 10; ++i)
      sched::spawn(skynet(num + i * (size / 10), size / 10, sums[i], &children));
    co_await children.wait();
    out = std::accumulate(sums.begin(), sums.end(), std::uint64_t{0});
  }
  if (parent != nullptr) parent->done();
}

// bench/go/runtime.go's skynet: a node starts ten children, each sending its sum on the node's
// channel of capacity 10, and sends the total to its parent. The channel is shared with the
// children, as Go's collector keeps it alive for them: a child may still be inside its send
// when the parent has received all ten and returned.
template <class Channel>
sched::task<void> skynet_over(std::shared_ptr<Channel> out, std::uint64_t num,
                              std::uint64_t size) {
  if (size == 1) {
    co_await out->async_send(num);
    co_return;
  }
  auto sums = std::make_shared<Channel>(10);
  for (std::uint64_t i = 0; i < 10; ++i)
    sched::spawn(skynet_over(sums, num + i * (size / 10), size / 10));
  std::uint64_t sum = 0;
  for (int i = 0; i < 10; ++i) {
    const std::optional<std::uint64_t> v = co_await sums->async_recv();
    sum += v.value_or(0);
  }
  co_await out->async_send(sum);
}

template <class Channel>
sched::task<std::uint64_t> skynet_over_root(std::uint64_t size) {
  auto out = std::make_shared<Channel>(1);
  sched::spawn(skynet_over(out, 0, size));
  const std::optional<std::uint64_t> v = co_await out->async_recv();
  co_return v.value_or(0);
}

// Forks fib(n-1), runs fib(n-2) itself (an awaited child task), joins.
inline sched::task<void> fib(int n, std::uint64_t& out, sched::wait_group* parent) {
  if (n < 2) {
    out = static_cast<std::uint64_t>(n);
  } else {
    std::uint64_t x = 0, y = 0;
    sched::wait_group forked;
    forked.add(1);
    sched::spawn(fib(n - 1, x, &forked));
    co_await fib(n - 2, y, nullptr);
    co_await forked.wait();
    out = x + y;
  }
  if (parent != nullptr) parent->done();
}

inline sched::task<void> tiny(std::atomic<std::uint64_t>& count, sched::wait_group& joined) {
  count.fetch_add(1, std::memory_order_relaxed);
  joined.done();
  co_return;
}

inline sched::task<void> spawn_join(std::uint64_t n, std::atomic<std::uint64_t>& count) {
  sched::wait_group joined;
  joined.add(static_cast<std::ptrdiff_t>(n));
  for (std::uint64_t i = 0; i < n; ++i) sched::spawn(tiny(count, joined));
  co_await joined.wait();
}

inline sched::task<void> parked(sched::wait_group& started, sched::wait_group& gate,
                                sched::wait_group& finished) {
  started.done();
  co_await gate.wait();
  finished.done();
}

// Parks n tasks on one wait_group and reads the resident set before and once all have started.
inline sched::task<void> park(std::uint64_t n, double& seconds, double& bytes_per_task) {
  sched::wait_group started, gate, finished;
  started.add(static_cast<std::ptrdiff_t>(n));
  gate.add(1);
  finished.add(static_cast<std::ptrdiff_t>(n));
  const double before = resident_bytes();
  const auto t0 = clock::now();
  for (std::uint64_t i = 0; i < n; ++i) sched::spawn(parked(started, gate, finished));
  co_await started.wait();
  seconds = seconds_since(t0);
  bytes_per_task = (resident_bytes() - before) / static_cast<double>(n);
  gate.done();
  co_await finished.wait();
}

template <class Scheduler>
class runtime {
 public:
  runtime(hwloc_topology_t topo, std::size_t workers, const std::vector<unsigned>& pus)
      : s_(options(topo, workers, pus)) {}

  outcome skynet(std::uint64_t size) {
    std::uint64_t sum = 0;
    const auto t0 = clock::now();
    s_.run(on_lockstep::skynet(0, size, sum, nullptr));
    return checked(seconds_since(t0), skynet_tasks(size), sum, skynet_sum(size), "skynet");
  }

  // skynet over a channel of either family (lockfree::channel or locked::channel), when the
  // channels have their awaitable operations.
  template <class Channel>
  outcome skynet_channels(std::uint64_t size) {
    if constexpr (sync::awaitable_channel<Channel>) {
      const auto t0 = clock::now();
      const std::uint64_t sum = s_.run(skynet_over_root<Channel>(size));
      return checked(seconds_since(t0), skynet_tasks(size), sum, skynet_sum(size), "skynet");
    } else {
      return {0, 0, 0, "the channels have no awaitable operations in this build"};
    }
  }

  outcome fib(int n) {
    std::uint64_t value = 0;
    const auto t0 = clock::now();
    s_.run(on_lockstep::fib(n, value, nullptr));
    return checked(seconds_since(t0), fib_spawned(n), value, fib_value(n), "fib");
  }

  outcome spawn_join(std::uint64_t n) {
    std::atomic<std::uint64_t> count{0};
    const auto t0 = clock::now();
    s_.run(on_lockstep::spawn_join(n, count));
    return checked(seconds_since(t0), n, count.load(), n, "spawn_join: tasks run");
  }

  outcome memory(std::uint64_t n) {
    outcome o{0, n, 0, std::nullopt};
    s_.run(park(n, o.seconds, o.value));
    if (o.value <= 0) o.error = "no resident bytes per parked task: " + std::to_string(o.value);
    return o;
  }

 private:
  static sched::options options(hwloc_topology_t topo, std::size_t workers,
                                const std::vector<unsigned>& pus) {
    sched::options o;
    o.workers = workers;
    o.on_worker_start = [topo, pus](std::size_t i) { pin_worker(topo, pus, i); };
    return o;
  }

  Scheduler s_;
};

}  // namespace lockstep::bench::runtime::on_lockstep
