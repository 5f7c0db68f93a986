// Benchmark your own structure: register it, and lockstep::bench::main runs it through the same
// workloads, pinning, checks and JSON as lockstep_bench, next to lockstep's twins and, with
// <lockstep/bench/peers.hpp>, the established libraries:
//
//   #include <lockstep/bench/registry.hpp>
//   LOCKSTEP_BENCH_QUEUE(my_queue<std::uint64_t>, "mine");
//   int main(int argc, char** argv) {
//     return lockstep::bench::main(argc, argv, lockstep::bench::with_twins);
//   }
//
// A structure is registered for one group by the concept it models (sync/containers.hpp,
// sync/channel.hpp), with std::uint64_t values: LOCKSTEP_BENCH_STACK (sync::stack),
// LOCKSTEP_BENCH_QUEUE (sync::unbounded_queue, or sync::bounded_queue constructed with the
// capacity, queue_capacity), LOCKSTEP_BENCH_SPSC_QUEUE (a bounded queue for one producer and one
// consumer), LOCKSTEP_BENCH_CHANNEL (a class template modelling sync::channel),
// LOCKSTEP_BENCH_DEQUE (sync::work_stealing_deque, default-constructed). Or, from a
// function before main, register_stack<S>(name), register_queue<Q>(name), and so on; a structure
// with another interface is registered through an adapter (register_queue_adapter, with the
// interface queues.hpp states). A type with a comma in it goes through an alias.
//
// A user's structure is held to what lockstep's are: every run tallies what was pushed against
// what was popped and drained (and, for a queue, each producer's order), and a mismatch is the
// benchmark's error instead of a number.
//
// Which groups run: when the binary registers structures of its own, only the groups it
// registered something in (a queue brings the queue group: lockstep's queues, the peers' with
// with_peers, and the std::mutex + std::deque baseline), plus the core-to-core round trip, the
// machine's speed reading. lockstep_bench registers nothing of its own and runs every group,
// and the sync::atomic seam check.
#pragma once

#include <benchmark/benchmark.h>

#include <lockstep/sync/channel.hpp>
#include <lockstep/sync/containers.hpp>

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "benchmarks.hpp"
#include "catalog.hpp"
#include "names.hpp"
#include "options.hpp"
#include "placement.hpp"
#include "queues.hpp"
#include "twins.hpp"

// The build type is recorded in every result so a debug-built number cannot pass for a real
// one; lockstep::bench defines it from CMake's, and without it the compiler says what it can.
#ifndef LOCKSTEP_BENCH_BUILD_TYPE
#ifdef __OPTIMIZE__
#define LOCKSTEP_BENCH_BUILD_TYPE "optimized (build type unknown)"
#else
#define LOCKSTEP_BENCH_BUILD_TYPE "not optimized"
#endif
#endif

namespace lockstep::bench {

// The structures registered by the binary itself, before main runs.
inline catalog& registered() {
  static catalog c;
  return c;
}

template <class Adapter>
bool register_stack_adapter(std::string name, std::string family = "user") {
  registered()[group::stack].push_back(
      {std::move(name), std::move(family), queue_kind::unbounded, &stack_bench<Adapter>, nullptr,
       false});
  return true;
}

template <class Adapter>
bool register_queue_adapter(std::string name, std::string family = "user") {
  registered()[group::queue].push_back(
      {std::move(name), std::move(family), Adapter::kind, &queue_bench<Adapter>, nullptr, false});
  return true;
}

template <sync::stack S>
bool register_stack(std::string name) {
  static_assert(std::same_as<typename S::value_type, std::uint64_t>,
                "register S<std::uint64_t>: the workloads push 64-bit tokens");
  return register_stack_adapter<stack_adapter<S>>(std::move(name));
}

template <sync::queue Q>
bool register_queue(std::string name) {
  static_assert(std::same_as<typename Q::value_type, std::uint64_t>,
                "register Q<std::uint64_t>: the workloads push 64-bit tokens");
  if constexpr (sync::bounded_queue<Q>) {
    static_assert(std::constructible_from<Q, std::size_t>,
                  "a bounded queue is constructed with its capacity (queue_capacity)");
    return register_queue_adapter<bounded_adapter<Q>>(std::move(name));
  } else {
    return register_queue_adapter<unbounded_adapter<Q>>(std::move(name));
  }
}

template <sync::bounded_queue Q>
bool register_spsc_queue(std::string name) {
  static_assert(std::same_as<typename Q::value_type, std::uint64_t>,
                "register Q<std::uint64_t>: the workloads push 64-bit tokens");
  return register_queue_adapter<bounded_adapter<Q, queue_kind::spsc>>(std::move(name));
}

template <template <class> class Channel>
  requires sync::channel<Channel<std::uint64_t>>
bool register_channel(std::string name) {
  registered()[group::channel].push_back({std::move(name), "user", queue_kind::unbounded, nullptr,
                                          &channel_bench<&run_channel<Channel>>, false});
  return true;
}

template <class D>
  requires sync::work_stealing_deque<D>
bool register_deque(std::string name) {
  static_assert(std::same_as<typename D::value_type, std::uint64_t>,
                "register D<std::uint64_t>: the workloads push 64-bit tokens");
  registered()[group::deque].push_back(deque_entry<D>(std::move(name), "user"));
  return true;
}

#define LOCKSTEP_BENCH_DETAIL_CAT2(a, b) a##b
#define LOCKSTEP_BENCH_DETAIL_CAT(a, b) LOCKSTEP_BENCH_DETAIL_CAT2(a, b)
// Registration at namespace scope, during static initialisation: it only records the entry, so
// nothing there can throw for a bad name; main checks the names.
#define LOCKSTEP_BENCH_DETAIL_REGISTER(call)                                              \
  [[maybe_unused]] static const bool LOCKSTEP_BENCH_DETAIL_CAT(lockstep_bench_registered_, \
                                                               __COUNTER__) = call
#define LOCKSTEP_BENCH_STACK(type, name) \
  LOCKSTEP_BENCH_DETAIL_REGISTER(::lockstep::bench::register_stack<type>(name))
#define LOCKSTEP_BENCH_QUEUE(type, name) \
  LOCKSTEP_BENCH_DETAIL_REGISTER(::lockstep::bench::register_queue<type>(name))
#define LOCKSTEP_BENCH_SPSC_QUEUE(type, name) \
  LOCKSTEP_BENCH_DETAIL_REGISTER(::lockstep::bench::register_spsc_queue<type>(name))
#define LOCKSTEP_BENCH_CHANNEL(channel_template, name) \
  LOCKSTEP_BENCH_DETAIL_REGISTER(::lockstep::bench::register_channel<channel_template>(name))
#define LOCKSTEP_BENCH_DEQUE(type, name) \
  LOCKSTEP_BENCH_DETAIL_REGISTER(::lockstep::bench::register_deque<type>(name))

// What runs next to the registered structures: main(argc, argv, with_twins | with_peers).
// with_peers is defined by <lockstep/bench/peers.hpp>, so asking for the peers without their
// adapters (and lockstep::bench_peers' libraries) does not compile.
struct selection {
  bool twins = false;
  void (*add_peers)(catalog&) = nullptr;
  // What the peers need alive while they run (libcds's library state), owned by main.
  std::shared_ptr<void> (*start_peers)() = nullptr;
};

inline constexpr selection only_mine{};
inline constexpr selection with_twins{true, nullptr, nullptr};

constexpr selection operator|(selection a, selection b) noexcept {
  return {a.twins || b.twins, a.add_peers ? a.add_peers : b.add_peers,
          a.start_peers ? a.start_peers : b.start_peers};
}

namespace detail {

inline std::string families(const std::vector<structure>& list) {
  std::string s;
  for (const structure& st : list) {
    if (!s.empty()) s += ',';
    s += st.name + ':' + st.family;
  }
  return s;
}

inline std::string pin_names(const std::vector<pin_policy>& pins) {
  std::string s;
  for (pin_policy p : pins) {
    if (!s.empty()) s += ',';
    s += name(p);
  }
  return s;
}

// A structure's name is one segment of the benchmark's name and one item of the context's
// comma-separated "name:family" lists, and the plots (bench/plot) key everything on it.
inline bool check_names(const catalog& c) {
  bool ok = true;
  for (group g : all_groups) {
    std::set<std::string> seen;
    for (const structure& st : c[g]) {
      if (st.name.empty() || st.name.find_first_of("/,: ") != std::string::npos) {
        std::fprintf(stderr, "lockstep::bench: bad structure name '%s' (no '/', ',', ':' or "
                             "spaces)\n", st.name.c_str());
        ok = false;
      } else if (!seen.insert(st.name).second) {
        std::fprintf(stderr, "lockstep::bench: two %s structures named '%s'\n",
                     std::string(name(g)).c_str(), st.name.c_str());
        ok = false;
      }
    }
  }
  return ok;
}

inline void register_matrix(const environment& env, group g, const std::vector<structure>& list,
                            const std::vector<std::size_t>& threads,
                            const std::vector<pin_policy>& pins) {
  for (const structure& st : list) {
    for (workload w : {workload::pairs, workload::prodcons}) {
      for (std::size_t n : threads) {
        // A producer/consumer split needs one of each.
        if (w == workload::prodcons && n < 2) continue;
        for (pin_policy p : pins) {
          add(std::string(name(g)) + "/" + std::string(name(w)) + "/" + st.name + "/threads:" +
                  std::to_string(n) + "/pin:" + std::string(name(p)),
              std::max<std::size_t>(1, env.opt.work / (n * env.opt.ops)),
              [&env, run = st.run, w, n, p](benchmark::State& s) { run(s, env, w, n, p); });
        }
      }
    }
  }
}

// pairs at every thread count; prodcons from 2 threads (half producers, half consumers); the
// single-producer single-consumer queues only prodcons at 2 threads, one of each.
inline void register_queues(const environment& env, const std::vector<structure>& list) {
  for (const structure& st : list) {
    for (workload w : {workload::pairs, workload::prodcons}) {
      for (std::size_t n : env.opt.queue_threads) {
        if (w == workload::prodcons && n < 2) continue;
        if (st.kind == queue_kind::spsc && (w != workload::prodcons || n != 2)) continue;
        for (pin_policy p : env.opt.queue_pins) {
          add("queue/" + std::string(name(w)) + "/" + st.name + "/threads:" +
                  std::to_string(n) + "/pin:" + std::string(name(p)),
              std::max<std::size_t>(1, env.opt.queue_work / (n * env.opt.queue_ops)),
              [&env, run = st.run, w, n, p](benchmark::State& s) { run(s, env, w, n, p); });
        }
      }
    }
  }
}

// bench/go/main.go's matrix registers the same cases under the same names: a change here must
// be made there too.
inline void register_channels(const environment& env, const std::vector<structure>& list) {
  const options& o = env.opt;
  const std::size_t transfer_iterations = std::max<std::size_t>(1, o.channel_work / o.channel_ops);
  std::vector<std::pair<channel_case, std::size_t>> cases;
  // Senders and receivers come in pairs; one thread alone sends and receives in turn, which
  // only a buffered channel allows.
  for (std::size_t c : o.channel_caps) {
    for (std::size_t n : o.channel_threads) {
      if (n == 1 || n % 2 == 0) {
        cases.push_back({{channel_workload::buffered, c, n}, transfer_iterations});
      }
    }
  }
  for (std::size_t n : o.channel_threads) {
    if (n >= 2 && n % 2 == 0) {
      cases.push_back({{channel_workload::unbuffered, 0, n}, transfer_iterations});
    }
  }
  cases.push_back({{channel_workload::pingpong, 0, 2},
                   std::max<std::size_t>(1, o.channel_work / (2 * o.channel_roundtrips))});
  const std::size_t basic_cases = cases.size();
  for (channel_workload w : channel_patterns) {
    for (std::size_t n : o.channel_threads) {
      cases.push_back({{w, o.channel_pattern_cap, n}, transfer_iterations});
    }
  }
  for (const structure& st : list) {
    const std::size_t count = st.patterns ? cases.size() : basic_cases;
    for (std::size_t i = 0; i < count; ++i) {
      const auto& [c, iterations] = cases[i];
      add("channel/" + std::string(name(c.workload)) + "/" + st.name + "/cap:" +
              std::to_string(c.capacity) + "/threads:" + std::to_string(c.threads) + "/pin:none",
          iterations, [&env, run = st.channel, c](benchmark::State& s) { run(s, env, c); });
    }
  }
}

// Every deque workload at every thread count; steal and mixed need a thief beside the owner.
inline void register_deques(const environment& env, const std::vector<structure>& list) {
  for (const structure& st : list) {
    for (deque_workload w : all_deque_workloads) {
      for (std::size_t n : env.opt.deque_threads) {
        if (w != deque_workload::owner && n < 2) continue;
        const std::size_t owners = w == deque_workload::owner ? n : 1;
        for (pin_policy p : env.opt.deque_pins) {
          add("deque/" + std::string(name(w)) + "/" + st.name + "/threads:" + std::to_string(n) +
                  "/pin:" + std::string(name(p)),
              std::max<std::size_t>(1, env.opt.deque_work / (owners * env.opt.deque_ops)),
              [&env, run = st.deque, w, n, p](benchmark::State& s) { run(s, env, w, n, p); });
        }
      }
    }
  }
}

inline void register_all(const environment& env, const catalog& c, bool seam) {
  register_matrix(env, group::stack, c[group::stack], env.opt.threads, env.opt.pins);
  register_matrix(env, group::reclaim, c[group::reclaim], env.opt.reclaim_threads,
                  env.opt.reclaim_pins);
  register_queues(env, c[group::queue]);
  register_channels(env, c[group::channel]);
  register_deques(env, c[group::deque]);

  // The first two PUs of the scatter order are on different cores whenever the machine has two.
  const std::vector<unsigned> c2c_pus = plan(env.topo.get(), pin_policy::scatter, 2);
  add("c2c/roundtrip/pus:" + join(c2c_pus, '-'), env.opt.probe_iterations,
      [&env, c2c_pus](benchmark::State& s) {
        if (describe_pus(env.topo.get()).size() < 2 || c2c_pus[0] == c2c_pus[1]) {
          s.SkipWithError("needs two PUs");
          return;
        }
        c2c_bench(s, env, c2c_pus);
      });
  if (!seam) return;
  for (std::size_t n : {1, 2}) {
    const std::string suffix = "/threads:" + std::to_string(n) + "/pin:scatter";
    add("seam/cas_inc/std_atomic" + suffix, env.opt.probe_iterations,
        [&env, n](benchmark::State& s) { seam_bench<std::atomic<std::uint64_t>>(s, env, n); });
    add("seam/cas_inc/sync_atomic" + suffix, env.opt.probe_iterations,
        [&env, n](benchmark::State& s) { seam_bench<sync::atomic<std::uint64_t>>(s, env, n); });
  }
}

// The result's context: the topology, the policies' PU orders, each group's structures with
// their families (how the plots group them) and baseline, and the budgets.
inline void add_context(const environment& env, const catalog& c) {
  const hwloc_topology_t t = env.topo.get();
  benchmark::AddCustomContext("lockstep_topology", summary(t));
  benchmark::AddCustomContext("lockstep_pin_order_compact", join(pu_order(t, pin_policy::compact)));
  benchmark::AddCustomContext("lockstep_pin_order_scatter", join(pu_order(t, pin_policy::scatter)));
  benchmark::AddCustomContext("lockstep_pin_policies", pin_names(env.opt.pins));
  benchmark::AddCustomContext("lockstep_structures", families(c[group::stack]));
  benchmark::AddCustomContext("lockstep_baseline", std::string(names::baselines_stack));
  benchmark::AddCustomContext("lockstep_reclaim_structures", families(c[group::reclaim]));
  benchmark::AddCustomContext("lockstep_reclaim_baseline", reclaim_baseline);
  benchmark::AddCustomContext("lockstep_reclaim_pin_policies", pin_names(env.opt.reclaim_pins));
  std::string queue_kinds;
  for (const structure& st : c[group::queue]) {
    if (!queue_kinds.empty()) queue_kinds += ',';
    queue_kinds += st.name + ':' + std::string(name(st.kind));
  }
  benchmark::AddCustomContext("lockstep_queue_structures", families(c[group::queue]));
  benchmark::AddCustomContext("lockstep_queue_kinds", queue_kinds);
  benchmark::AddCustomContext("lockstep_queue_baseline", std::string(names::baselines_queue));
  benchmark::AddCustomContext("lockstep_queue_pin_policies", pin_names(env.opt.queue_pins));
  benchmark::AddCustomContext("lockstep_queue_capacity", std::to_string(queue_capacity));
  benchmark::AddCustomContext("lockstep_queue_ops_per_thread", std::to_string(env.opt.queue_ops));
  benchmark::AddCustomContext("lockstep_queue_work_per_repetition",
                              std::to_string(env.opt.queue_work));
  benchmark::AddCustomContext("lockstep_queue_cap_ms", std::to_string(env.opt.queue_cap.count()));
  benchmark::AddCustomContext("lockstep_channel_structures", families(c[group::channel]));
  benchmark::AddCustomContext("lockstep_channel_ops_per_iteration",
                              std::to_string(env.opt.channel_ops));
  benchmark::AddCustomContext("lockstep_channel_work_per_repetition",
                              std::to_string(env.opt.channel_work));
  benchmark::AddCustomContext("lockstep_channel_roundtrips",
                              std::to_string(env.opt.channel_roundtrips));
  benchmark::AddCustomContext("lockstep_channel_cap_ms",
                              std::to_string(env.opt.channel_cap.count()));
  benchmark::AddCustomContext("lockstep_deque_structures", families(c[group::deque]));
  benchmark::AddCustomContext("lockstep_deque_baseline", std::string(deque_baseline));
  benchmark::AddCustomContext("lockstep_deque_ops_per_iteration",
                              std::to_string(env.opt.deque_ops));
  benchmark::AddCustomContext("lockstep_deque_work_per_repetition",
                              std::to_string(env.opt.deque_work));
  benchmark::AddCustomContext("lockstep_deque_cap_ms", std::to_string(env.opt.deque_cap.count()));
  benchmark::AddCustomContext("lockstep_ops_per_thread", std::to_string(env.opt.ops));
  benchmark::AddCustomContext("lockstep_work_per_repetition", std::to_string(env.opt.work));
  benchmark::AddCustomContext("lockstep_cap_ms", std::to_string(env.opt.cap.count()));
  benchmark::AddCustomContext("lockstep_build_type", LOCKSTEP_BENCH_BUILD_TYPE);
  benchmark::AddCustomContext("lockstep_hwloc_api", std::to_string(HWLOC_API_VERSION));
  // When true the two seam benchmarks run one and the same instantiation, and any difference
  // between them is the run's noise floor.
  benchmark::AddCustomContext(
      "lockstep_seam_is_alias",
      std::is_same_v<sync::atomic<std::uint64_t>, std::atomic<std::uint64_t>> ? "true" : "false");
}

}  // namespace detail

// Parses the harness's flags (options.hpp) and Google Benchmark's, assembles the registered
// structures with what `also` selects, and runs them: Google Benchmark's console output and,
// with --benchmark_out=<file>.json, the JSON that scripts/plot and lockstep-plot read.
inline int main(int argc, char** argv, selection also = with_twins) {
  benchmark::Initialize(&argc, argv);
  options opt;
  if (!parse_options(argc, argv, opt) || benchmark::ReportUnrecognizedArguments(argc, argv)) {
    std::fprintf(stderr, "usage: %s %s", argc > 0 ? argv[0] : "bench", usage().c_str());
    return 1;
  }
  const catalog& mine = registered();
  bool own = false;
  for (group g : all_groups) own = own || !mine[g].empty();

  catalog all;
  if (also.twins) add_twins(all);
  std::shared_ptr<void> peers;
  if (also.add_peers != nullptr) {
    peers = also.start_peers();
    also.add_peers(all);
  }
  // The queues' baseline, whatever else runs: every queue ratio is read against it.
  all[group::queue].push_back({std::string(names::baselines_queue), "peer", std_mutex_deque::kind,
                               &queue_bench<std_mutex_deque>, nullptr, false});
  for (group g : all_groups) {
    // A binary with structures of its own runs only their groups.
    if (own && mine[g].empty()) {
      all[g].clear();
      continue;
    }
    all[g].insert(all[g].end(), mine[g].begin(), mine[g].end());
  }
  if (!detail::check_names(all)) return 1;

  const environment env{topology{}, opt};
  detail::add_context(env, all);
  detail::register_all(env, all, !own);
  reporter().set_total(opt.progress_total);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace lockstep::bench
