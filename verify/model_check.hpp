// The driver every Relacy model check and mutation test runs through.
//
// A check names the search it ran (random schedules, context-bounded, or full), its bound and
// the iterations it took, so the README can say exactly what each algorithm was checked
// against. `--profile quick` (CI) and `--profile deep` (research runs) choose the budgets: a
// test states both, and bounded searches that finish in seconds run in both.
//
// A mutation test states the report it expects (a data race, a failed assertion, a deadlock):
// it passes only when Relacy reports that, so a repaired bug makes it fail.
#pragma once

#include <lockstep/sync/relacy.hpp>

#include <cstddef>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

namespace lockstep::verify {

struct search {
  rl::scheduler_type_e scheduler;
  unsigned context_bound;
  rl::iteration_t iterations;  // random scheduler only; bounded and full searches run to the end

  static search random(rl::iteration_t iterations) { return {rl::sched_random, 0, iterations}; }
  static search bounded(unsigned bound) { return {rl::sched_bound, bound, 0}; }
  static search full() { return {rl::sched_full, 0, 0}; }

  std::string describe() const {
#ifdef LOCKSTEP_RELACY_STRONG_CAS
    const std::string cas = " (weak CAS made strong)";
#else
    const std::string cas = "";
#endif
    switch (scheduler) {
      case rl::sched_random: return "random schedules" + cas;
      case rl::sched_bound: return "context-bounded search, bound " + std::to_string(context_bound) + cas;
      default: return "full search" + cas;
    }
  }
};

class model_checks {
 public:
  model_checks(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string_view arg = argv[i];
      if (arg == "--profile" && i + 1 < argc) deep_ = std::string_view(argv[++i]) == "deep";
      if (arg == "--deep") deep_ = true;
      if (arg == "--history") history_ = true;
    }
  }

  bool deep() const { return deep_; }

  // Random-schedule budget: `quick` iterations in CI, `deep` in research runs.
  search random(rl::iteration_t quick, rl::iteration_t deep) const {
    return search::random(deep_ ? deep : quick);
  }

  // Context bound: `quick` in CI, `deep` in research runs.
  search bounded(unsigned quick, unsigned deep) const {
    return search::bounded(deep_ ? deep : quick);
  }

  // The algorithm must pass: no race, no leak, no deadlock, no failed contract assertion.
  template <class Test>
  void pass(std::string_view name, search s) {
    run<Test>(name, s, rl::test_result_success);
  }

  // A seeded bug: Relacy must report `expected`.
  template <class Test>
  void catches(std::string_view name, search s, rl::test_result_e expected) {
    run<Test>(name, s, expected);
  }

  // A fact about the searches themselves, such as "the exchange path was explored": a check
  // that passes without reaching the code it is about proves nothing.
  void require(bool ok, std::string_view what) {
    std::printf("%s %.*s\n", ok ? "PASS" : "FAIL", static_cast<int>(what.size()), what.data());
    std::fflush(stdout);
    (ok ? passed_ : failed_) += 1;
  }

  int result() const {
    std::printf("%d passed, %d failed\n", passed_, failed_);
    return failed_ == 0 ? 0 : 1;
  }

 private:
  template <class Test>
  void run(std::string_view name, search s, rl::test_result_e expected) {
    rl::test_params params;
    params.search_type = s.scheduler;
    params.context_bound = s.context_bound;
    params.iteration_count = s.iterations ? s.iterations : 1;
    // Relacy's own report is printed only when it is the diagnosis: an unexpected failure
    // (the search is repeated, deterministically, to print its history) or --history. Not into a
    // string stream: Relacy replaces the global operator new, and a buffer growing inside a
    // simulated execution would allocate from the simulation's heap.
    std::ostream discard(nullptr);
    params.output_stream = history_ ? &std::cout : &discard;
    params.progress_stream = &discard;
    rl::simulate<Test>(params);
    if (params.test_result != expected && params.test_result != rl::test_result_success &&
        !history_) {
      rl::test_params again;
      again.search_type = params.search_type;
      again.context_bound = params.context_bound;
      again.iteration_count = params.iteration_count;
      again.output_stream = &std::cout;
      again.progress_stream = &discard;
      rl::simulate<Test>(again);
    }

    const bool ok = params.test_result == expected;
    std::printf("%s %.*s: %s, %llu iterations: %s%s%s\n", ok ? "PASS" : "FAIL",
                static_cast<int>(name.size()), name.data(), s.describe().c_str(),
                static_cast<unsigned long long>(params.stop_iteration),
                rl::test_result_str(params.test_result),
                expected != rl::test_result_success ? " (expected " : "",
                expected != rl::test_result_success
                    ? (std::string(rl::test_result_str(expected)) + ")").c_str()
                    : "");
    std::fflush(stdout);
    (ok ? passed_ : failed_) += 1;
  }

  bool deep_ = false;
  bool history_ = false;
  int passed_ = 0;
  int failed_ = 0;
};

// Scenarios construct their structure by default: this passes it its one constructor argument
// (a bounded queue's capacity, a flat-combining structure's number of publication records).
template <class Structure, std::size_t Argument>
struct constructed_with : Structure {
  constructed_with() : Structure(Argument) {}
};

// The executions of one check in which a reclaimer really freed memory before the structure was
// destroyed. A check in which nothing is ever freed during the run could not find a
// use-after-free, so the checks require this count to be non-zero for the reclaimers that free.
// Check is the scenario type, so that each check keeps its own count.
template <class Check>
struct freed_tally {
  static inline unsigned long long executions = 0;
  static inline unsigned long long freed_during_run = 0;

  static void record(bool freed) {
    ++executions;
    if (freed) ++freed_during_run;
  }

  static std::string report() {
    return std::to_string(freed_during_run) + " of " + std::to_string(executions) +
           " executions of the previous check";
  }
};

}  // namespace lockstep::verify
