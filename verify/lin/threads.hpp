// The generic driver under real threads: random scenarios of a user's operations
// (operations.hpp), each run a few times on a fresh object, each history checked against the
// operations' sequential model by checker.hpp. The same method, and the same runner
// (scenario.hpp's run_invocations, whose comment explains the gate and the repetitions), as the
// containers' driver, for any abstract type:
//
//   - an initial part: 0 to options.initial_calls random calls by the main thread;
//   - a parallel part: options.min_threads to options.max_threads threads, each making
//     options.min_calls to options.max_calls random calls, started together at a gate, each
//     call after 0 to 32 pauses so that successive runs interleave differently;
//   - a final part: 0 to options.final_calls random calls by the main thread after the others
//     finished, which see what the parallel part left (Lincheck's post part).
//
// A call precedes another when it returned before the other was invoked (history.hpp's clock,
// which makes that order sound). With the seed a failure prints, LOCKSTEP_LIN_SEED replays the
// scenario (not the interleaving); LOCKSTEP_STRESS_SCALE multiplies the scenarios.
//
//   int main() { return lin::check_threads(counter_ops); }   // 0: every history linearizable
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "checker.hpp"
#include "history.hpp"
#include "operations.hpp"
#include "scenario.hpp"

namespace lockstep::verify::lin {

struct thread_options {
  unsigned scenarios = default_scenarios;
  unsigned invocations = default_invocations;  // runs of each scenario, on fresh objects
  unsigned min_threads = 2;
  unsigned max_threads = 3;
  unsigned min_calls = 1;
  unsigned max_calls = 3;
  unsigned initial_calls = 2;  // at most, by the main thread before the others start
  unsigned final_calls = 2;    // at most, by the main thread after the others finished
  std::uint64_t seed = 0;      // 0: LOCKSTEP_LIN_SEED, else random
};

// Runs the scenarios and stops at the first history that is not linearizable.
template <class List>
scenario_report run_threads(const List& list, const thread_options& options = {}) {
  using object = typename List::object;
  using spec = typename List::specification;
  using operation = typename List::operation;

  scenario_report report;
  report.seed = detail::scenario_seed(options.seed);
  std::mt19937_64 random(report.seed);
  const auto uniform = [&random](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(random);
  };
  const auto any_call = [&] { return list.generate(uniform(0, List::size - 1), random); };
  const unsigned scenarios = options.scenarios * detail::scenario_scale();

  for (unsigned n = 0; n < scenarios && report.linearizable; ++n) {
    const unsigned threads = uniform(options.min_threads, options.max_threads);
    std::vector<std::vector<detail::paused_call<operation>>> plan(threads);
    for (std::vector<detail::paused_call<operation>>& calls : plan) {
      const unsigned count = uniform(options.min_calls, options.max_calls);
      for (unsigned i = 0; i < count; ++i) calls.push_back({any_call(), uniform(0, 32)});
    }
    std::vector<operation> initial;
    for (unsigned i = uniform(0, options.initial_calls); i > 0; --i) initial.push_back(any_call());
    std::vector<operation> final;
    for (unsigned i = uniform(0, options.final_calls); i > 0; --i) final.push_back(any_call());

    const auto perform = [&list](object& o, const operation& op) { return list.perform(o, op); };
    const auto sequential = [&](object& o, recorder<spec>& main_calls,
                                const std::vector<operation>& calls) {
      for (const operation& op : calls) main_calls.record(op, [&] { return perform(o, op); });
    };
    detail::run_invocations<spec>(
        plan, options.invocations, initial.size() + final.size(),
        [&](recorder<spec>& main_calls) {
          auto o = std::make_unique<object>();
          sequential(*o, main_calls, initial);
          return o;
        },
        perform, [&](object& o, recorder<spec>& main_calls) { sequential(o, main_calls, final); },
        [&](history<spec>& h, unsigned run) {
          return detail::tally(report, check(h, list.initial()), n + 1, scenarios, run,
                               options.invocations, threads, "calls before and after them");
        });
    report.scenarios_run = n + 1;
  }
  return report;
}

// The whole check as a program's exit code: 0 when every history was linearizable, 1 with the
// counterexample printed otherwise.
template <class List>
int check_threads(const List& list, const thread_options& options = {}) {
  const scenario_report r = run_threads(list, options);
  std::printf("%s linearizability under real threads: %u scenarios, %u histories (seed %llu)\n",
              r ? "PASS" : "FAIL", r.scenarios_run, r.runs,
              static_cast<unsigned long long>(r.seed));
  if (!r) std::printf("%s", r.counterexample.c_str());
  return r ? 0 : 1;
}

// The same with the command line: --profile quick|deep (deep runs ten times the scenarios),
// --seed N, --scenarios N, and --expect "NOT LINEARIZABLE" for a buggy twin, which then passes
// (exit code 0) only if a history is found not linearizable. Under real threads that depends
// on the machine's timing, so a buggy twin is a reliable test only under the model checker.
template <class List>
int check_threads(const List& list, int argc, char** argv, thread_options options = {}) {
  bool expect_failure = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--profile" && has_value) {
      if (std::string_view(argv[++i]) == "deep") options.scenarios *= 10;
    } else if (arg == "--seed" && has_value) {
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--scenarios" && has_value) {
      options.scenarios = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--expect" && has_value && std::string_view(argv[i + 1]) == "NOT LINEARIZABLE") {
      expect_failure = true;
      ++i;
    } else {
      std::fprintf(stderr,
                   "%s: unknown argument %s\nusage: %s [--profile quick|deep] [--seed N] "
                   "[--scenarios N] [--expect \"NOT LINEARIZABLE\"]\n",
                   argv[0], argv[i], argv[0]);
      return 2;
    }
  }
  const int status = check_threads(list, options);
  if (!expect_failure) return status;
  std::printf("%s (expected NOT LINEARIZABLE)\n", status != 0 ? "PASS" : "FAIL");
  return status != 0 ? 0 : 1;
}

}  // namespace lockstep::verify::lin
