// The random driver, in the manner of Lincheck (N. Koval, D. Tsitelov, M. Sokolova, R. Elizarov,
// A. Sergey, D. Alistarh, "Lincheck: A Practical Framework for Testing Concurrent Data
// Structures on JVM", CAV 2023): many small random scenarios, each run a few times under real
// threads on a fresh structure, each history checked for linearizability (checker.hpp).
//
// A scenario is:
//   - an initial part: 0 to 2 pushes made by the main thread before the others start (so that
//     pops find values and a small bounded queue can be full from the start);
//   - a parallel part: 2, 3 or 4 threads, 2 to 4 calls each (4 threads on this project's 2-core
//     machines is its stress rule of twice the cores), a random mix of pushes and pops; every
//     pushed value is unique; before each call a thread spins 0 to 32 pauses, so that
//     successive runs interleave differently;
//   - a final part: after the threads have finished, the main thread pops until the structure
//     answers empty. That makes the check one of conservation too: a value lost by the parallel
//     part makes the final "empty" unlinearizable, a value invented or duplicated is a pop the
//     specification cannot explain.
// Each scenario is run `invocations` times (Lincheck's invocations per iteration), each time on
// a fresh structure, by the same threads, which spin between runs on a gate the main thread
// opens: threads already running start a run within a few hundred nanoseconds of each other,
// where freshly created ones start tens of microseconds apart and rarely overlap. (How often
// calls overlap depends on the machine's load: with the cores busy elsewhere, the threads
// seldom run at the same time, and interleavings come mostly from preemption.) Bounded queues
// are made with a small capacity (2 by default), so that try_push answers full, and those
// answers are checked like any other.
//
// roles::producer_consumer is the mode of single-producer single-consumer structures: two
// threads, the first only pushes and the second only pops. The main thread's initial pushes
// happen before it opens the gate, its final pops after both threads announced the end of the
// run (a release/acquire pair each way): a hand-over of the two roles that the SPSC contract
// allows, since the hand-over orders each role's calls.
//
// The scenarios come from a seeded generator: options.seed, else LOCKSTEP_LIN_SEED, else a
// random seed; a failure names it. (The seed reproduces the scenario, not the interleaving.)
// LOCKSTEP_STRESS_SCALE, as for the stress suites, multiplies the number of scenarios.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <lockstep/sync/containers.hpp>
#include <lockstep/sync/thread.hpp>

#include "checker.hpp"
#include "history.hpp"
#include "specs.hpp"

namespace lockstep::verify::lin {

enum class roles { any, producer_consumer };

// Sanitized builds run every call and every spin ten times slower or worse; there each scenario
// is run fewer times, so that the suites still take seconds, not minutes.
// Natively a structure gets 3,000 histories: a fraction of a second on a quiet 2-core machine,
// but every run hands the cores between threads, so on a loaded one it takes ten times longer.
// Only a few per cent of the histories overlap their calls at all, so the count is what finds
// bugs: scripts/test --deep multiplies it by 10 (LOCKSTEP_STRESS_SCALE).
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
inline constexpr unsigned default_scenarios = 100;
inline constexpr unsigned default_invocations = 2;
#else
inline constexpr unsigned default_scenarios = 300;
inline constexpr unsigned default_invocations = 10;
#endif

struct scenario_options {
  unsigned scenarios = default_scenarios;
  unsigned invocations = default_invocations;  // runs of each scenario, on fresh structures
  roles role = roles::any;
  std::size_t capacity = 2;  // passed to make(); a bounded structure may round it up
  std::uint64_t seed = 0;    // 0: LOCKSTEP_LIN_SEED, else random
  // The structure's header documents pessimistic "empty" / "full" answers (specs.hpp).
  bool pessimistic = false;
};

struct scenario_report {
  bool linearizable = true;
  unsigned scenarios_run = 0;
  unsigned runs = 0;  // histories checked
  std::uint64_t seed = 0;
  std::string counterexample;  // which scenario, then the checker's counterexample

  explicit operator bool() const noexcept { return linearizable; }
};

// How the driver exercises structures of one abstract type, here the containers against `Spec`
// (fifo_queue or lifo_stack). Another abstract type (a channel) brings its own workload with the
// same members: the specification, its initial state for a fresh structure, a producing call
// with a unique value, a consuming call, how a call is made, which answer means drained, and
// what the specification needs to know about the recorded history (here, the overlaps).
template <class Spec>
struct container_workload {
  using spec = Spec;

  template <class S>
  static Spec initial(const S& s, const scenario_options& options) {
    if constexpr (std::is_same_v<Spec, fifo_queue>) {
      return Spec::of(s, options.pessimistic);
    } else {
      return Spec::of(s);
    }
  }

  template <class S>
  static container_op produce(std::int64_t value) {
    if constexpr (sync::bounded_queue<S>) {
      return container_op::try_push(value);
    } else {
      return container_op::push(value);
    }
  }

  static container_op consume() { return container_op::try_pop(); }

  static bool drained(const container_answer& a) { return a == container_answer::empty(); }

  static void annotate(history<Spec>& h) {
    for (call_of<Spec>& c : h) {
      for (const call_of<Spec>& other : h) {
        if (other.thread == c.thread || other.returned < c.invoked || c.returned < other.invoked) {
          continue;
        }
        c.operation.beside_call = true;
        c.operation.beside_push = c.operation.beside_push || other.operation.what != verb::try_pop;
      }
    }
  }

  template <class S>
  static container_answer perform(S& s, const container_op& op) {
    switch (op.what) {
      case verb::push:
        if constexpr (!sync::bounded_queue<S>) {
          s.push(static_cast<typename S::value_type>(op.value));
          return container_answer::ok();
        }
        break;
      case verb::try_push:
        if constexpr (sync::bounded_queue<S>) {
          return s.try_push(static_cast<typename S::value_type>(op.value))
                     ? container_answer::ok()
                     : container_answer::full();
        }
        break;
      case verb::try_pop:
        if (std::optional<typename S::value_type> v = s.try_pop()) {
          return container_answer::popped(static_cast<std::int64_t>(*v));
        }
        return container_answer::empty();
    }
    return container_answer::empty();  // unreachable: produce() names the structure's push
  }
};

namespace detail {

inline std::uint64_t scenario_seed(std::uint64_t requested) {
  if (requested != 0) return requested;
  if (const char* s = std::getenv("LOCKSTEP_LIN_SEED")) return std::strtoull(s, nullptr, 10);
  return (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
}

inline unsigned scenario_scale() {
  const char* s = std::getenv("LOCKSTEP_STRESS_SCALE");
  return s ? static_cast<unsigned>(std::max(1, std::atoi(s))) : 1u;
}

// Counts one checked history in `report`. One that is not linearizable becomes the report's
// counterexample: which scenario and run, how to read the thread numbers (`main_calls` says
// what the main thread's calls were), then the checker's account. Returns whether it was.
inline bool tally(scenario_report& report, const verdict& v, unsigned scenario,
                  unsigned scenarios, unsigned run, unsigned runs, unsigned threads,
                  const char* main_calls) {
  ++report.runs;
  if (!v) {
    report.linearizable = false;
    report.counterexample = "scenario " + std::to_string(scenario) + " of " +
                            std::to_string(scenarios) + ", run " + std::to_string(run) + " of " +
                            std::to_string(runs) + " (seed " + std::to_string(report.seed) +
                            "; threads 0-" + std::to_string(threads - 1) +
                            " ran in parallel, thread " + std::to_string(threads) +
                            " is the main thread's " + main_calls + ")\n" + v.counterexample;
  }
  return report.linearizable;
}

// A call of a scenario's parallel part, made after `pauses` spins so that successive runs
// interleave differently.
template <class Operation>
struct paused_call {
  Operation op;
  unsigned pauses;
};

// Runs one scenario `invocations` times, each time on a fresh object, stopping at the first run
// `accept` rejects. The threads (one per plan[t]) live for the whole scenario. Between
// invocations they spin (yielding now and then, since they may outnumber the cores) on the
// invocation number, so that once they have the cores they start each invocation within a few
// hundred nanoseconds of each other; threads started afresh for every run would start tens of
// microseconds apart, and rarely overlap at all.
//   begin(main_calls) -> std::unique_ptr<object>: a run's fresh object, and the main thread's
//     calls before the others start (recorded as thread plan.size());
//   perform(object&, op) -> the call's result;
//   end(object&, main_calls): the main thread's calls after the others finished;
//   accept(history, run) -> bool: the run's whole history checked; false stops the scenario.
template <class Spec, class Begin, class Perform, class End, class Accept>
void run_invocations(const std::vector<std::vector<paused_call<typename Spec::operation>>>& plan,
                     unsigned invocations, std::size_t main_calls_expected, Begin begin,
                     Perform perform, End end, Accept accept) {
  using object = typename std::invoke_result_t<Begin&, recorder<Spec>&>::element_type;
  const auto threads = static_cast<unsigned>(plan.size());
  std::unique_ptr<object> o;
  lin::clock clock;
  std::vector<recorder<Spec>> recorders;
  for (unsigned t = 0; t < threads; ++t) recorders.emplace_back(clock, t, plan[t].size());
  std::atomic<unsigned> invocation{0};
  std::atomic<unsigned> finished{0};
  const auto await = [](const std::atomic<unsigned>& counter, unsigned value) {
    // acquire: pairs with the releases below, so a thread sees the fresh object and the main
    // thread sees every call the others recorded.
    for (unsigned spin = 1; counter.load(std::memory_order_acquire) < value; ++spin) {
      if (spin % 64 == 0) {
        std::this_thread::yield();
      } else {
        sync::cpu_relax();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (unsigned i = 1; i <= invocations; ++i) {
        await(invocation, i);
        if (o == nullptr) return;  // the main thread stopped at a counterexample
        for (const paused_call<typename Spec::operation>& c : plan[t]) {
          for (unsigned p = 0; p < c.pauses; ++p) sync::cpu_relax();
          recorders[t].record(c.op, [&] { return perform(*o, c.op); });
        }
        finished.fetch_add(1, std::memory_order_release);  // release: publishes the records
      }
    });
  }

  bool accepted = true;
  for (unsigned i = 1; i <= invocations && accepted; ++i) {
    for (recorder<Spec>& r : recorders) r.clear();
    recorder<Spec> main_calls(clock, threads, main_calls_expected);
    o = begin(main_calls);
    invocation.store(i, std::memory_order_release);  // release: publishes the fresh object
    await(finished, i * threads);
    end(*o, main_calls);

    history<Spec> h = merge(recorders);
    h.insert(h.end(), main_calls.calls().begin(), main_calls.calls().end());
    accepted = accept(h, i);
  }
  if (!accepted) {
    // Release the threads still waiting for an invocation; they see no object and return.
    o.reset();
    invocation.store(invocations, std::memory_order_release);
  }
  for (std::thread& t : pool) t.join();
}

}  // namespace detail

// Runs options.scenarios scenarios (times LOCKSTEP_STRESS_SCALE), each on a fresh structure
// from make(options.capacity) (a std::unique_ptr<S>; an unbounded structure ignores the
// capacity), and stops at the first history that is not linearizable.
template <class Workload, class Make>
scenario_report run_scenarios(Make make, const scenario_options& options = {}) {
  using structure = typename std::invoke_result_t<Make, std::size_t>::element_type;
  using spec = typename Workload::spec;

  scenario_report report;
  report.seed = detail::scenario_seed(options.seed);
  std::mt19937_64 random(report.seed);
  const auto uniform = [&random](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(random);
  };
  const unsigned scenarios = options.scenarios * detail::scenario_scale();

  for (unsigned n = 0; n < scenarios; ++n) {
    const bool pair = options.role == roles::producer_consumer;
    const unsigned threads = pair ? 2 : uniform(2, 4);
    std::int64_t next_value = 1;
    const unsigned initial = uniform(0, 2);
    std::vector<std::vector<detail::paused_call<typename spec::operation>>> plan(threads);
    for (unsigned t = 0; t < threads; ++t) {
      const unsigned calls = uniform(2, 4);
      for (unsigned i = 0; i < calls; ++i) {
        const bool produces = pair ? t == 0 : uniform(0, 1) == 0;
        plan[t].push_back({produces ? Workload::template produce<structure>(next_value++)
                                    : Workload::consume(),
                           uniform(0, 32)});
      }
    }

    std::optional<spec> start;
    std::int64_t value = next_value;
    detail::run_invocations<spec>(
        plan, options.invocations, 16,
        [&](recorder<spec>& main_calls) {
          std::unique_ptr<structure> s = make(options.capacity);
          start.emplace(Workload::initial(*s, options));
          // The values of the initial part follow the parallel part's, so they are unique too.
          value = next_value;
          for (unsigned k = 0; k < initial; ++k) {
            const auto op = Workload::template produce<structure>(value++);
            main_calls.record(op, [&] { return Workload::perform(*s, op); });
          }
          return s;
        },
        [](structure& s, const typename spec::operation& op) { return Workload::perform(s, op); },
        [&](structure& s, recorder<spec>& main_calls) {
          // Pop until empty; a correct structure holds at most every value pushed, so bound the
          // loop by that (plus the final empty) against one that keeps inventing values.
          for (std::int64_t k = 0; k < value; ++k) {
            const auto op = Workload::consume();
            main_calls.record(op, [&] { return Workload::perform(s, op); });
            if (Workload::drained(main_calls.calls().back().result)) break;
          }
        },
        [&](history<spec>& h, unsigned run) {
          Workload::annotate(h);
          return detail::tally(report, check(h, *start), n + 1, scenarios, run,
                               options.invocations, threads, "initial pushes and final pops");
        });
    report.scenarios_run = n + 1;
    if (!report.linearizable) return report;
  }
  return report;
}

// The container checks: every queue against the FIFO specification (bounded by the queue's own
// capacity when it has one), every stack against the LIFO one.
template <class Make>
scenario_report check_queue(Make make, const scenario_options& options = {}) {
  return run_scenarios<container_workload<fifo_queue>>(std::move(make), options);
}

template <class Make>
scenario_report check_stack(Make make, const scenario_options& options = {}) {
  return run_scenarios<container_workload<lifo_stack>>(std::move(make), options);
}

}  // namespace lockstep::verify::lin
