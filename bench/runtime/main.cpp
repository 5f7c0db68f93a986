// lockstep_runtime: lockstep's M:N scheduler (sched::scheduler over the Chase-Lev deque,
// sched::locked_scheduler over its locked twin) against oneTBB's task_group and Boost.Fiber's
// work_stealing scheduler on the runtime benchmarks of issue 17; bench/go runs the same ones
// with goroutines (go run . -suite=runtime). Names, one key per path segment as lockstep_bench's:
//   runtime/skynet/<runtime>/threads:<w>/pin:<p>      a 10-ary tree of --skynet_size leaf tasks
//       (1,111,111 tasks for 10^6 leaves), each node summing its children's numbers
//   runtime/fib/<runtime>/threads:<w>/pin:<p>         fib(--fib), forking fib(n-1) at every level
//   runtime/spawn_join/<runtime>/threads:<w>/pin:<p>  --spawn_tasks tiny tasks spawned by one task
//       and joined
//   runtime/memory/<runtime>/threads:<w>/pin:<p>      resident bytes per task (bytes_per_task) with
//       --memory_tasks tasks parked on a wait_group, at the largest worker count only
//   runtime/skynet/scheduler_channels/threads:<w>/pin:<p>  skynet as Go writes it, each node
//       sending its sum to its parent over a lockstep::lockfree::channel with co_await (the
//       Go twin's skynet is this one); scheduler_locked_channels over a locked::channel
// With --channels, Boost.Fiber's channels on lockstep_bench's channel workloads instead, under
// its names (channel/<workload>/boost_fiber/cap:<c>/threads:<t>/pin:none; fiber_channels.hpp),
// sized by the same --channel_* flags, one child process per repetition.
// With --name_sizes every name ends in /size:<n>, the benchmark's own size (skynet's leaves,
// fib's n, the tasks spawned), and memory is not run: scripts/bench runs Boost.Fiber at a
// reduced size so, and the plots never put a sized run beside one of another size.
// Every repetition is one run, timed on its own (manual time), checked (the sum, fib's value,
// the tasks counted) and failed with Google Benchmark's error when wrong; items_per_second is
// tasks per second. <w> is the worker count (TBB's arena slots and Boost.Fiber's threads include
// the benchmark's own thread, which lockstep's run() blocks instead). Boost.Fiber and memory
// run in a child process each: work_stealing keeps one static table per process, and a fresh
// process is the only honest baseline for a resident-set difference.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <lockstep/bench/names.hpp>
#include <lockstep/bench/placement.hpp>

#include "common.hpp"
#if __has_include(<lockstep/sched/scheduler.hpp>)
#include "lockstep_runtime.hpp"
#define LOCKSTEP_RUNTIME_HAS_SCHED 1
#endif
// After lockstep's headers: Boost.Fiber defines a function-like macro cpu_relax, which is also
// the name of a function of lockstep's seam (sync/thread.hpp).
#include "peer_runtimes.hpp"
#include "fiber_channels.hpp"

namespace {

using namespace lockstep::bench;
using namespace lockstep::bench::runtime;

struct flags {
  std::vector<std::size_t> workers;
  std::vector<pin_policy> pins{pin_policy::scatter};
  sizes size;
  bool name_sizes = false;
  std::string child;  // internal: "<benchmark>/<runtime>/<workers>/<pin>"
  // --channels: Boost.Fiber's channel benchmarks, with lockstep_bench's sizes and defaults.
  bool channels = false;
  std::size_t channel_ops = 1 << 15;
  std::size_t channel_work = 1 << 17;
  std::size_t channel_roundtrips = 1 << 12;
  std::size_t channel_pattern_cap = 64;
  std::size_t channel_cap_ms = 2000;  // per run, as lockstep_bench's --channel_cap_ms
  std::vector<std::size_t> channel_threads{1, 2, 4, 8};
  std::vector<std::size_t> channel_caps{1, 64, 1024};
  std::string channel_child;  // internal: "<workload>/<cap>/<threads>/<iterations>"
};

std::optional<std::vector<std::size_t>> parse_counts(std::string_view s) {
  std::vector<std::size_t> out;
  while (!s.empty()) {
    const std::size_t comma = s.find(',');
    const std::string item(s.substr(0, comma));
    char* end = nullptr;
    const unsigned long v = std::strtoul(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v == 0) return std::nullopt;
    out.push_back(v);
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

const char* const usage_text =
    "[benchmark flags] [--workers=1,N] [--pin=scatter] [--skynet_size=1000000] [--fib=30]\n"
    "  [--spawn_tasks=1000000] [--memory_tasks=1000000] [--name_sizes]\n"
    "  --workers  worker counts (default 1 and the number of PUs)\n"
    "  --pin      pinning policies of the workers: none, compact, scatter (bench/placement.hpp)\n"
    "  --name_sizes  end every name in /size:<n>, the benchmark's size; no memory benchmark\n"
    "  --channels  Boost.Fiber's channels on lockstep_bench's channel workloads instead, sized by\n"
    "    --channel_ops=N --channel_work=N --channel_roundtrips=N --channel_pattern_cap=N\n"
    "    --channel_threads=1,2,4,8 --channel_caps=1,64,1024 --channel_cap_ms=2000\n"
    "    (lockstep_bench's flags; a repetition of n runs that outlasts n caps is capped)\n";

bool parse(int argc, char** argv, flags& f) {
  const long pus = sysconf(_SC_NPROCESSORS_ONLN);
  f.workers = {1};
  if (pus > 1) f.workers.push_back(static_cast<std::size_t>(pus));
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&](std::string_view key) -> std::optional<std::string_view> {
      if (arg.substr(0, key.size()) == key) return arg.substr(key.size());
      return std::nullopt;
    };
    if (auto v = value("--workers=")) {
      auto c = parse_counts(*v);
      if (!c) return false;
      f.workers = *c;
    } else if (auto v = value("--pin=")) {
      f.pins.clear();
      std::string_view rest = *v;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const auto p = parse_pin_policy(rest.substr(0, comma));
        if (!p) return false;
        f.pins.push_back(*p);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      }
      if (f.pins.empty()) return false;
    } else if (auto v = value("--skynet_size=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1) return false;
      f.size.skynet = (*c)[0];
      for (std::uint64_t s = f.size.skynet; s > 1; s /= 10)
        if (s % 10 != 0) return false;
    } else if (auto v = value("--fib=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1 || (*c)[0] > 90) return false;
      f.size.fib = static_cast<int>((*c)[0]);
    } else if (auto v = value("--spawn_tasks=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1) return false;
      f.size.spawn = (*c)[0];
    } else if (auto v = value("--memory_tasks=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1) return false;
      f.size.memory = (*c)[0];
    } else if (arg == "--name_sizes") {
      f.name_sizes = true;
    } else if (arg == "--channels") {
      f.channels = true;
    } else if (auto v = value("--channel_threads=")) {
      auto c = parse_counts(*v);
      if (!c) return false;
      f.channel_threads = *c;
    } else if (auto v = value("--channel_caps=")) {
      auto c = parse_counts(*v);
      if (!c) return false;
      f.channel_caps = *c;
    } else if (auto v = value("--channel_ops=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1) return false;
      f.channel_ops = (*c)[0];
    } else if (auto v = value("--channel_work=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1) return false;
      f.channel_work = (*c)[0];
    } else if (auto v = value("--channel_roundtrips=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1) return false;
      f.channel_roundtrips = (*c)[0];
    } else if (auto v = value("--channel_pattern_cap=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1) return false;
      f.channel_pattern_cap = (*c)[0];
    } else if (auto v = value("--channel_cap_ms=")) {
      auto c = parse_counts(*v);
      if (!c || c->size() != 1) return false;
      f.channel_cap_ms = (*c)[0];
    } else if (auto v = value("--channel_child=")) {
      f.channel_child = std::string(*v);
    } else if (auto v = value("--child=")) {
      f.child = std::string(*v);
    } else {
      return false;
    }
  }
  return true;
}

#ifdef LOCKSTEP_RUNTIME_HAS_SCHED
constexpr bool sync_has_awaitable_channels() {
  return lockstep::sync::awaitable_channel<lockstep::lockfree::channel<std::uint64_t>> &&
         lockstep::sync::awaitable_channel<lockstep::locked::channel<std::uint64_t>>;
}
#endif

flags& settings() {
  static flags f;
  return f;
}

topology& machine() {
  static topology t;
  return t;
}

std::string size_flags(const sizes& s) {
  return " --skynet_size=" + std::to_string(s.skynet) + " --fib=" + std::to_string(s.fib) +
         " --spawn_tasks=" + std::to_string(s.spawn) +
         " --memory_tasks=" + std::to_string(s.memory);
}

// One run of `bench` on a runtime object with skynet, fib, spawn_join (and memory) members.
template <class Runtime>
outcome run_on(Runtime& r, std::string_view bench, const sizes& s) {
  if (bench == "skynet") return r.skynet(s.skynet);
  if (bench == "fib") return r.fib(s.fib);
  if (bench == "spawn_join") return r.spawn_join(s.spawn);
  if constexpr (requires { r.memory(s.memory); }) {
    if (bench == "memory") return r.memory(s.memory);
  }
  throw std::invalid_argument("no benchmark " + std::string(bench) + " on this runtime");
}

// The runtime of `workers` workers on `pus`, made on first use and kept for the process: every
// repetition runs on the same scheduler (arena), as a program runs on one, so none pays for
// starting threads, or for warming their frame caches again (made anew, a scheduler's 10^5
// spawned frames came from pages glibc had given back, and each one faulted).
template <class Runtime>
Runtime& kept(std::size_t workers, const std::vector<unsigned>& pus) {
  static std::map<std::pair<std::size_t, std::vector<unsigned>>, std::unique_ptr<Runtime>> made;
  std::unique_ptr<Runtime>& r = made[{workers, pus}];
  if (!r) r = std::make_unique<Runtime>(machine().get(), workers, pus);
  return *r;
}

// One run, in this process.
outcome run_here(std::string_view bench, std::string_view rt, std::size_t workers, pin_policy pin) {
  const sizes& s = settings().size;
  const std::vector<unsigned> pus = plan(machine().get(), pin, workers);
  if (rt == names::runtimes_tbb) {
    return run_on(kept<on_tbb::runtime>(workers, pus), bench, s);
  }
  if (rt == names::runtimes_fiber) {
    std::uint64_t got = 0;
    outcome o;
    on_fiber::with_workers(machine().get(), workers, pus, [&] {
      const auto t0 = clock::now();
      if (bench == "skynet") {
        got = on_fiber::skynet(0, s.skynet);
        o = checked(seconds_since(t0), skynet_tasks(s.skynet), got, skynet_sum(s.skynet), "skynet");
      } else if (bench == "fib") {
        got = on_fiber::fib(s.fib);
        o = checked(seconds_since(t0), fib_spawned(s.fib), got, fib_value(s.fib), "fib");
      } else {
        got = on_fiber::spawn_join(s.spawn);
        o = checked(seconds_since(t0), s.spawn, got, s.spawn, "spawn_join: fibers run");
      }
    });
    return o;
  }
#ifdef LOCKSTEP_RUNTIME_HAS_SCHED
  if (rt == names::runtimes_scheduler) {
    return run_on(kept<on_lockstep::runtime<lockstep::sched::scheduler>>(workers, pus), bench, s);
  }
  if (rt == names::runtimes_scheduler_channels && bench == "skynet") {
    return kept<on_lockstep::runtime<lockstep::sched::scheduler>>(workers, pus)
        .skynet_channels<lockstep::lockfree::channel<std::uint64_t>>(s.skynet);
  }
  if (rt == names::runtimes_scheduler_locked_channels && bench == "skynet") {
    return kept<on_lockstep::runtime<lockstep::sched::scheduler>>(workers, pus)
        .skynet_channels<lockstep::locked::channel<std::uint64_t>>(s.skynet);
  }
  if (rt == names::runtimes_locked_scheduler) {
    return run_on(kept<on_lockstep::runtime<lockstep::sched::locked_scheduler>>(workers, pus),
                  bench, s);
  }
#endif
  throw std::invalid_argument("no runtime " + std::string(rt));
}

// One run in a child process (this program with `flags`), which prints "seconds tasks value"
// or "error: <message>".
outcome from_child(const std::string& flags, const std::string& what) {
  char exe[4096];
  const ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return {0, 0, 0, "cannot find this program to start a child"};
  exe[len] = '\0';
  const std::string command = "'" + std::string(exe) + "' " + flags;
  std::FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return {0, 0, 0, "popen failed"};
  char line[512] = {};
  const bool got = std::fgets(line, sizeof line, p) != nullptr;
  const int status = pclose(p);
  outcome o;
  unsigned long long tasks = 0;
  if (got && std::sscanf(line, "%lf %llu %lf", &o.seconds, &tasks, &o.value) == 3 && status == 0) {
    o.tasks = tasks;
    return o;
  }
  o.error = "child " + what + " (status " + std::to_string(status) +
            "): " + (got ? std::string(line) : "no output");
  while (!o.error->empty() && o.error->back() == '\n') o.error->pop_back();
  return o;
}

outcome run_child(std::string_view bench, std::string_view rt, std::size_t workers,
                  pin_policy pin) {
  return from_child("--child=" + std::string(bench) + "/" + std::string(rt) + "/" +
                        std::to_string(workers) + "/" + std::string(name(pin)) +
                        size_flags(settings().size),
                    std::string(bench) + "/" + std::string(rt));
}

// The --channel_* sizes a channel child runs with.
std::string channel_flags(const flags& f) {
  return " --channel_ops=" + std::to_string(f.channel_ops) +
         " --channel_roundtrips=" + std::to_string(f.channel_roundtrips) +
         " --channel_cap_ms=" + std::to_string(f.channel_cap_ms);
}

// One repetition of a channel benchmark in a child: `iterations` runs on one work_stealing
// setup of as many workers as the workload has fibers, at most the PUs (Go's GOMAXPROCS).
// Prints "seconds messages capped", the sums over the runs and 1 if the cap stopped them.
int channel_child_main(const flags& f) {
  const std::string& spec = f.channel_child;
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (std::size_t slash; (slash = spec.find('/', from)) != std::string::npos; from = slash + 1)
    parts.push_back(spec.substr(from, slash - from));
  parts.push_back(spec.substr(from));
  if (parts.size() != 4) {
    std::printf("error: bad --channel_child=%s\n", spec.c_str());
    return 2;
  }
  const std::size_t capacity = std::strtoull(parts[1].c_str(), nullptr, 10);
  const std::size_t threads = std::strtoull(parts[2].c_str(), nullptr, 10);
  const std::size_t iterations = std::strtoull(parts[3].c_str(), nullptr, 10);
  const long pus = sysconf(_SC_NPROCESSORS_ONLN);
  const std::size_t workers = std::clamp<std::size_t>(
      fiber_channels::tasks_of(parts[0], threads), 1, static_cast<std::size_t>(std::max(1L, pus)));
  // A fiber blocked in a channel cannot be stopped from outside, and Boost.Fiber's channels
  // have no cap: past its caps (n runs, n caps) the child reports the repetition as capped,
  // with the time so far and the messages received by then (the runs done and the current
  // one's progress counters), and ends, as a capped lockstep_bench run counts what was done
  // by its cap; so one run stuck behind sleeping work_stealing workers cannot hold the suite
  // for minutes.
  const auto cap = std::chrono::milliseconds(f.channel_cap_ms * iterations);
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  std::atomic<std::uint64_t> items_done{0};
  const auto started = clock::now();
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, cap, [&] { return finished; })) {
      const std::uint64_t items = items_done.load() + fiber_channels::progress_sum();
      std::printf("%.9g %llu 1\n", seconds_since(started), static_cast<unsigned long long>(items));
      std::fflush(stdout);
      std::_Exit(0);
    }
  });
  double seconds = 0;
  std::optional<std::string> error;
  on_fiber::with_workers(machine().get(), workers, {}, [&] {
    for (std::size_t i = 0; i < iterations && !error; ++i) {
      fiber_channels::progress_reset();
      const fiber_channels::run r = fiber_channels::once(parts[0], capacity, threads,
                                                         f.channel_ops, f.channel_roundtrips);
      seconds += r.seconds;
      items_done += r.items;
      error = r.error;
    }
  });
  {
    const std::lock_guard lock(m);
    finished = true;
  }
  cv.notify_one();
  watchdog.join();
  if (error) {
    std::printf("error: %s\n", error->c_str());
    return 1;
  }
  std::printf("%.9g %llu 0\n", seconds, static_cast<unsigned long long>(items_done.load()));
  return 0;
}

int child_main(const std::string& spec) {
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (std::size_t slash; (slash = spec.find('/', from)) != std::string::npos; from = slash + 1)
    parts.push_back(spec.substr(from, slash - from));
  parts.push_back(spec.substr(from));
  const auto workers = parts.size() == 4 ? parse_counts(parts[2]) : std::nullopt;
  const auto pin = parts.size() == 4 ? parse_pin_policy(parts[3]) : std::nullopt;
  if (!workers || workers->size() != 1 || !pin) {
    std::printf("error: bad --child=%s\n", spec.c_str());
    return 2;
  }
  try {
    const outcome o = run_here(parts[0], parts[1], (*workers)[0], *pin);
    if (o.error) {
      std::printf("error: %s\n", o.error->c_str());
      return 1;
    }
    std::printf("%.9g %llu %.9g\n", o.seconds, static_cast<unsigned long long>(o.tasks), o.value);
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
  return 0;
}

// "/size:<n>" with --name_sizes (which registers no memory benchmark), else nothing.
std::string size_segment(std::string_view bench) {
  const flags& f = settings();
  if (!f.name_sizes) return "";
  const std::uint64_t n = bench == "skynet" ? f.size.skynet
                          : bench == "fib"  ? static_cast<std::uint64_t>(f.size.fib)
                                            : f.size.spawn;
  return "/size:" + std::to_string(n);
}

void add(std::string_view bench, std::string_view rt, std::size_t workers, pin_policy pin,
         bool in_child) {
  const std::string bench_name = "runtime/" + std::string(bench) + "/" + std::string(rt) +
                                 "/threads:" + std::to_string(workers) +
                                 "/pin:" + std::string(name(pin)) + size_segment(bench);
  benchmark::RegisterBenchmark(bench_name.c_str(),
                               [bench, rt, workers, pin, in_child](benchmark::State& state) {
                                 const std::vector<unsigned> pus =
                                     plan(machine().get(), pin, workers);
                                 std::uint64_t tasks = 0;
                                 double value = 0;
                                 for (auto _ : state) {
                                   const outcome o = in_child ? run_child(bench, rt, workers, pin)
                                                              : run_here(bench, rt, workers, pin);
                                   if (o.error) {
                                     state.SkipWithError(o.error->c_str());
                                     break;
                                   }
                                   state.SetIterationTime(o.seconds);
                                   tasks += o.tasks;
                                   value = o.value;
                                 }
                                 if (state.error_occurred()) return;
                                 state.SetItemsProcessed(static_cast<std::int64_t>(tasks));
                                 if (bench == "memory") state.counters["bytes_per_task"] = value;
                                 state.SetLabel(pus.empty() ? "pus=any" : "pus=" + join(pus));
                               })
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

// lockstep_bench's register_channels, entry for entry, with the structure boost_fiber; each
// repetition is a child process (channel_child_main) whose runs add up to channel_work messages.
void add_channel(const flags& f, std::string_view workload, std::size_t capacity,
                 std::size_t threads, std::size_t iterations) {
  const std::string bench_name = "channel/" + std::string(workload) + "/" +
                                 std::string(names::channels_fiber) + "/cap:" +
                                 std::to_string(capacity) + "/threads:" + std::to_string(threads) +
                                 "/pin:none";
  const std::string spec = "--channel_child=" + std::string(workload) + "/" +
                           std::to_string(capacity) + "/" + std::to_string(threads) + "/" +
                           std::to_string(iterations) + channel_flags(f);
  benchmark::RegisterBenchmark(
      bench_name.c_str(),
      [spec, bench_name, workload, iterations](benchmark::State& state) {
        std::uint64_t items = 0;
        double seconds = 0;
        double capped = 0;
        for (auto _ : state) {
          const outcome o = from_child(spec, bench_name);
          if (o.error) {
            state.SkipWithError(o.error->c_str());
            break;
          }
          state.SetIterationTime(o.seconds);
          seconds += o.seconds;
          items += o.tasks;
          capped += o.value;
        }
        if (state.error_occurred()) return;
        state.SetItemsProcessed(static_cast<std::int64_t>(items));
        // A capped repetition's runs, as lockstep_bench counts its capped runs.
        state.counters["capped_runs"] = capped * static_cast<double>(iterations);
        if (workload == "pingpong" && items) {
          state.counters["roundtrip_ns"] = seconds * 1e9 / static_cast<double>(items);
        }
        state.counters["runs_per_repetition"] = static_cast<double>(iterations);
        state.SetLabel("pus=any");
      })
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

void register_channels(const flags& f) {
  const std::size_t transfer = std::max<std::size_t>(1, f.channel_work / f.channel_ops);
  for (std::size_t c : f.channel_caps)
    for (std::size_t n : f.channel_threads)
      if (n == 1 || n % 2 == 0) add_channel(f, "buffered", c, n, transfer);
  for (std::size_t n : f.channel_threads)
    if (n >= 2 && n % 2 == 0) add_channel(f, "unbuffered", 0, n, transfer);
  add_channel(f, "pingpong", 0, 2,
              std::max<std::size_t>(1, f.channel_work / (2 * f.channel_roundtrips)));
  for (std::string_view w : {"fan_in_fan_out", "pipeline", "pubsub"})
    for (std::size_t n : f.channel_threads) add_channel(f, w, f.channel_pattern_cap, n, transfer);
  benchmark::AddCustomContext("lockstep_fiber_channel_structures",
                              std::string(names::channels_fiber) + ":peer");
  benchmark::AddCustomContext("lockstep_topology", summary(machine().get()));
  benchmark::AddCustomContext("lockstep_build_type", LOCKSTEP_BENCH_BUILD_TYPE);
}

void register_all(const flags& f) {
  struct runtime_entry {
    std::string_view name, family;
    bool parks;  // has a memory benchmark (tasks that suspend on a wait_group)
  };
  std::vector<runtime_entry> runtimes;
#ifdef LOCKSTEP_RUNTIME_HAS_SCHED
  runtimes.push_back({names::runtimes_scheduler, "lockfree", true});
  runtimes.push_back({names::runtimes_locked_scheduler, "locked", true});
  // skynet alone, over channels of each family: the Go twin's skynet is this one.
  if (sync_has_awaitable_channels()) {
    runtimes.push_back({names::runtimes_scheduler_channels, "lockfree", false});
    runtimes.push_back({names::runtimes_scheduler_locked_channels, "locked", false});
  }
#endif
  runtimes.push_back({names::runtimes_tbb, "peer", false});
  runtimes.push_back({names::runtimes_fiber, "peer", false});
  std::string declared;
  std::size_t most = 0;
  for (std::size_t w : f.workers) most = std::max(most, w);
  for (const runtime_entry& rt : runtimes) {
    if (!declared.empty()) declared += ',';
    declared.append(rt.name).append(":").append(rt.family);
    const bool child = rt.name == names::runtimes_fiber;
    for (pin_policy pin : f.pins) {
      for (std::size_t w : f.workers)
        for (std::string_view bench : names::runtime_benchmarks)
          if (bench != "memory" &&
              (bench == "skynet" || (rt.name != names::runtimes_scheduler_channels &&
                                     rt.name != names::runtimes_scheduler_locked_channels)))
            add(bench, rt.name, w, pin, child);
      if (rt.parks && !f.name_sizes) add("memory", rt.name, most, pin, true);
    }
  }
  benchmark::AddCustomContext("lockstep_runtime_structures", declared);
  benchmark::AddCustomContext("lockstep_topology", summary(machine().get()));
  benchmark::AddCustomContext("lockstep_build_type", LOCKSTEP_BENCH_BUILD_TYPE);
  // Its own key for the sized names, so that a run's two invocations keep both; --memory_tasks
  // is the last flag, and sized runs have no memory benchmark.
  const std::string sizes = size_flags(f.size).substr(1);
  if (f.name_sizes)
    benchmark::AddCustomContext("lockstep_runtime_sized_sizes",
                                sizes.substr(0, sizes.find(" --memory_tasks=")));
  else
    benchmark::AddCustomContext("lockstep_runtime_sizes", sizes);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  flags& f = settings();
  if (!parse(argc, argv, f)) {
    std::fprintf(stderr, "usage: %s %s", argc > 0 ? argv[0] : "lockstep_runtime", usage_text);
    return 2;
  }
  if (!f.child.empty()) return child_main(f.child);
  if (!f.channel_child.empty()) return channel_child_main(f);
  if (f.channels) {
    register_channels(f);
  } else {
    register_all(f);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
