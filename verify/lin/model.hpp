// Linearizability inside the model checker (Lincheck's model-checking mode): a scenario of the
// user's operations (operations.hpp) runs as a Relacy test, and every execution Relacy explores
// is checked against the operations' sequential model, besides Relacy's own checks (data races,
// use of freed memory, leaks, deadlocks). A history that no sequential order explains fails the
// execution with the counterexample in the user's operation names, arguments and results.
//
//   int main(int argc, char** argv) { return lin::model_check(counter_ops, argc, argv); }
//
// Which call precedes which. Relacy's threads are fibers on one OS thread, and the order in which
// it schedules them is not an order the C++ memory model promises anything about: a call that
// ran after another in the schedule may still read values older than the other's writes unless
// something synchronized them. A call A precedes a call B of another thread when A's return
// happens before B's invocation, read from Relacy's own vector clocks (the ones its race
// detector uses): at A's return, its thread's own clock; at B's invocation, B's thread's view of
// A's thread's clock. Reading them is no memory operation: it adds no synchronisation and no
// scheduling point, so the recording cannot hide a bug by ordering the calls itself (a shared
// counter with release and acquire would). That order is not an interval order, so the history
// is checked by order_checker.hpp. Calls the scenario makes before the threads start (its
// initial part, in the test's before()) precede every other call, and calls after the threads
// finished (its final part, in after()) follow every other call.
//
// A scenario is chosen before its simulation (Relacy replays an execution by running the same
// test again, so every iteration of one simulation must run the same calls); several scenarios
// are several simulations, from a seeded generator, so a run is reproducible. Records live in
// fixed-capacity arrays inside the test object: Relacy replaces the global operator new, and
// whatever a simulated execution allocates must be freed within it. The histories already
// found linearizable are remembered across the executions of a scenario (in memory taken from
// malloc, outside Relacy's heap) when results are trivially copyable, so that each distinct
// history is searched once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <unordered_set>
#include <utility>
#include <vector>

#include "operations.hpp"
#include "order_checker.hpp"

#include <lockstep/verify/model_check.hpp>

namespace lockstep::verify::lin {

struct model_options {
  // Random schedules by default: a context-bounded search of a scenario with retry loops (a weak
  // CAS fails spuriously under Relacy) explodes — bound 1 of one Treiber stack scenario, two
  // pushes per thread, is 2.0 M executions — while 20 k random schedules take ~0.1 s.
  unsigned quick_scenarios = 10;  // scenarios in CI (--profile quick)
  unsigned deep_scenarios = 50;   // and with --profile deep
  search quick = search::random(20'000);
  search deep = search::random(500'000);
  unsigned calls = 2;          // per thread in the parallel part
  unsigned initial_calls = 1;  // at most, before the threads start
  unsigned final_calls = 1;    // at most, after they finished
  std::uint64_t seed = 1;      // fixed, so CI explores the same scenarios; --seed changes it
  bool verbose = false;        // a line per scenario (--verbose)
};

namespace detail {

// Memory for the cross-execution cache, from malloc: Relacy counts what its heap still holds at
// the end of every execution as a leak.
template <class T>
struct outside_allocator {
  using value_type = T;
  outside_allocator() = default;
  template <class U>
  outside_allocator(const outside_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (void* p = std::malloc(n * sizeof(T))) return static_cast<T*>(p);
    throw std::bad_alloc();
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }
  friend bool operator==(const outside_allocator&, const outside_allocator&) = default;
};

template <class List, unsigned Threads>
struct lin_scenario {
  static constexpr unsigned max_calls = 6;  // per thread, and per sequential part
  using operation = typename List::operation;
  const List* list = nullptr;
  std::array<std::vector<operation>, Threads> parallel;
  std::vector<operation> initial;
  std::vector<operation> final;

  std::string describe() const {
    const auto calls = [](const std::vector<operation>& ops) {
      std::string text;
      for (const operation& op : ops) text += (text.empty() ? "" : ", ") + List::specification::describe(op);
      return text.empty() ? std::string("-") : text;
    };
    std::string text = "[" + calls(initial) + "] then";
    for (unsigned t = 0; t < Threads; ++t) text += (t == 0 ? " " : " || ") + calls(parallel[t]);
    return text + " then [" + calls(final) + "]";
  }
};

// The distinct histories of one scenario already found linearizable.
template <class Result>
struct seen_history {
  std::vector<std::pair<Result, std::uint64_t>, outside_allocator<std::pair<Result, std::uint64_t>>>
      calls;
  friend bool operator==(const seen_history&, const seen_history&) = default;
};

template <class Result>
struct seen_history_hash {
  std::size_t operator()(const seen_history<Result>& h) const {
    std::size_t x = 0;
    for (const auto& [result, preceded_by] : h.calls) {
      x = x * 0x9e3779b97f4a7c15ull + static_cast<std::size_t>(preceded_by) + result.index();
      if constexpr (requires { std::hash<Result>{}(result); }) x ^= std::hash<Result>{}(result);
    }
    return x;
  }
};

template <class List, unsigned Threads>
struct lin_execution : rl::test_suite<lin_execution<List, Threads>, Threads> {
  using scenario = lin_scenario<List, Threads>;
  using result = typename List::results;
  using spec = typename List::specification;
  static constexpr unsigned max_calls = scenario::max_calls;
  static constexpr bool cached = std::is_trivially_copyable_v<result>;

  // Set before each simulation, read by every execution of it.
  static inline const scenario* current = nullptr;
  static inline std::unordered_set<seen_history<result>, seen_history_hash<result>,
                                   std::equal_to<seen_history<result>>,
                                   outside_allocator<seen_history<result>>>* linearizable = nullptr;
  static inline unsigned long long histories_checked = 0;
  // Relacy replays a failing execution to collect its history: one counterexample is enough.
  static inline bool reported = false;

  struct record {
    std::optional<result> answer;
    std::array<rl::timestamp_t, Threads> invoked{};  // this thread's view of every thread's clock
    rl::timestamp_t returned = 0;                    // this thread's own clock
  };

  typename List::object object;
  std::array<std::array<record, max_calls>, Threads> records;
  std::array<std::optional<result>, max_calls> initial_answers;

  void before() {
    for (std::size_t i = 0; i < current->initial.size(); ++i) {
      initial_answers[i].emplace(current->list->perform(object, current->initial[i]));
    }
  }

  void thread(unsigned t) {
    rl::thread_info_base& self = *rl::ctx().threadx_;
    for (std::size_t i = 0; i < current->parallel[t].size(); ++i) {
      record& r = records[t][i];
      for (unsigned u = 0; u < Threads; ++u) r.invoked[u] = self.acq_rel_order_[u];
      r.answer.emplace(current->list->perform(object, current->parallel[t][i]));
      r.returned = self.own_acq_rel_order_;
    }
  }

  void after() {
    bool ok = true;
    {
      // Everything allocated here (the history, the search, a counterexample) is freed before
      // the assertion below ends the execution.
      std::vector<ordered_call<spec>> calls;
      std::uint64_t initial_bits = 0;
      for (std::size_t i = 0; i < current->initial.size(); ++i) {
        calls.push_back({Threads, current->initial[i], *initial_answers[i], initial_bits});
        initial_bits |= std::uint64_t{1} << i;
      }
      std::array<std::uint64_t, Threads> first{};
      for (unsigned t = 0; t < Threads; ++t) {
        first[t] = calls.size();
        std::uint64_t own = initial_bits;
        for (std::size_t i = 0; i < current->parallel[t].size(); ++i) {
          calls.push_back({t, current->parallel[t][i], *records[t][i].answer, own});
          own |= std::uint64_t{1} << (calls.size() - 1);
        }
      }
      for (unsigned t = 0; t < Threads; ++t) {
        for (std::size_t i = 0; i < current->parallel[t].size(); ++i) {
          ordered_call<spec>& b = calls[first[t] + i];
          for (unsigned u = 0; u < Threads; ++u) {
            if (u == t) continue;
            for (std::size_t j = 0; j < current->parallel[u].size(); ++j) {
              if (records[u][j].returned <= records[t][i].invoked[u]) {
                b.preceded_by |= std::uint64_t{1} << (first[u] + j);
              }
            }
          }
        }
      }
      for (std::size_t i = 0; i < current->final.size(); ++i) {
        const result answer = current->list->perform(object, current->final[i]);
        const std::uint64_t everything_before = (std::uint64_t{1} << calls.size()) - 1;
        calls.push_back({Threads, current->final[i], answer, everything_before});
      }

      seen_history<result> key;
      if constexpr (cached) {
        for (const ordered_call<spec>& c : calls) key.calls.emplace_back(c.result, c.preceded_by);
        if (linearizable->contains(key)) return;
      }
      ++histories_checked;
      const order_verdict<spec> v = check_order(calls, current->list->initial());
      ok = v.linearizable;
      if (ok) {
        if constexpr (cached) linearizable->insert(std::move(key));
      } else {
        const std::string text = "scenario " + current->describe() + "\n(thread " +
                                 std::to_string(Threads) +
                                 " is the calls before and after the parallel part)\n" +
                                 describe_order_failure(calls, v);
        if (!reported) std::printf("%s", text.c_str());
        std::fflush(stdout);
        reported = true;
      }
    }
    RL_ASSERT(ok);  // the history above is not linearizable
  }
};

}  // namespace detail

// Runs the scenarios of `list` with Threads threads, one simulation each, and stops at the first
// that does not end in `expected`'s verdict (success for a correct object; a buggy twin's seeded
// bug: USER ASSERT FAILED for a history that is not linearizable, or Relacy's own verdict).
// Records one check in `checks`: whether every scenario passed (expected success) or some
// scenario reported `expected`. Returns that.
template <unsigned Threads = 2, class List>
bool model_check(model_checks& checks, std::string_view name, const List& list,
                 const model_options& options = {},
                 rl::test_result_e expected = rl::test_result_success, bool history = false) {
  using execution = detail::lin_execution<List, Threads>;
  using scenario = detail::lin_scenario<List, Threads>;
  static_assert((Threads + 2) * scenario::max_calls <= 64, "order_checker: at most 64 calls");
  std::mt19937_64 random(options.seed);
  const auto up_to = [&random](unsigned high) {
    return std::uniform_int_distribution<unsigned>(0, high)(random);
  };
  const auto any_call = [&] {
    return list.generate(std::uniform_int_distribution<std::size_t>(0, List::size - 1)(random),
                         random);
  };
  const unsigned count = checks.deep() ? options.deep_scenarios : options.quick_scenarios;
  const search s = checks.deep() ? options.deep : options.quick;
  const unsigned calls = std::min(options.calls, scenario::max_calls);

  unsigned long long executions = 0;
  unsigned long long histories = 0;
  unsigned ran = 0;
  rl::test_result_e found = rl::test_result_success;
  std::string where;
  for (unsigned n = 0; n < count && found == rl::test_result_success; ++n) {
    scenario plan;
    plan.list = &list;
    for (unsigned i = up_to(std::min(options.initial_calls, scenario::max_calls)); i > 0; --i) {
      plan.initial.push_back(any_call());
    }
    for (std::vector<typename List::operation>& ops : plan.parallel) {
      for (unsigned i = 0; i < calls; ++i) ops.push_back(any_call());
    }
    for (unsigned i = up_to(std::min(options.final_calls, scenario::max_calls)); i > 0; --i) {
      plan.final.push_back(any_call());
    }

    typename std::remove_pointer_t<decltype(execution::linearizable)> seen;
    execution::current = &plan;
    execution::linearizable = &seen;
    execution::histories_checked = 0;
    execution::reported = false;
    rl::test_params params = verify::detail::search_params(s);
    // Relacy's report (the failing execution's history) only when it is the diagnosis, as in
    // model_checks, and through its unbuffered stream: a string stream's buffer would grow on
    // Relacy's heap.
    std::ostream discard(nullptr);
    verify::detail::relacy_report report_buffer;
    std::ostream report(&report_buffer);
    params.output_stream = history ? &report : &discard;
    params.progress_stream = &discard;
    rl::simulate<execution>(params);
    ++ran;
    executions += params.stop_iteration;
    histories += execution::histories_checked;
    found = params.test_result;
    if (options.verbose) {
      std::printf("  scenario %u: %s: %llu executions, %llu histories searched: %s\n", n + 1,
                  plan.describe().c_str(), static_cast<unsigned long long>(params.stop_iteration),
                  execution::histories_checked, rl::test_result_str(found));
      std::fflush(stdout);
    }
    if (found != rl::test_result_success) {
      where = " in scenario " + std::to_string(n + 1) + ": " + plan.describe();
      if (found != expected && !history) verify::detail::print_history<execution>(s);
    }
    execution::current = nullptr;
    execution::linearizable = nullptr;
  }
  const bool ok = found == expected;
  const std::string verdict = std::string(rl::test_result_str(found)) +
                              (expected != rl::test_result_success
                                   ? " (expected " + std::string(rl::test_result_str(expected)) + ")"
                                   : std::string());
  checks.require(ok, std::string(name) + ": linearizability, " + std::to_string(ran) +
                         " scenarios of " + std::to_string(Threads) + " threads x " +
                         std::to_string(calls) + " calls, " + s.describe() + ", " +
                         std::to_string(executions) + " executions, " +
                         std::to_string(histories) + " distinct histories searched: " + verdict +
                         where);
  return ok;
}

// The whole check as a program. It takes the driver's arguments (model_check.hpp: --profile
// quick|deep, --search full|bounded:K|random:N for every scenario, --expect "<verdict>", --history)
// and its own: --seed N (other scenarios), --scenarios N, --verbose (a line per scenario). Under
// --expect (a buggy twin) some scenario must end in that verdict: "USER ASSERT FAILED" for a
// history that is not linearizable, or Relacy's own ("DATA RACE", ...). Returns main's exit code:
// 0 when the check passed.
template <unsigned Threads = 2, class List>
int model_check(const List& list, int argc, char** argv, model_options options = {}) {
  model_checks checks(argc, argv, [&options](std::string_view arg, const char* next) {
    if (arg == "--seed" && next != nullptr) {
      options.seed = std::strtoull(next, nullptr, 10);
      return 2;
    }
    if (arg == "--scenarios" && next != nullptr) {
      options.quick_scenarios = options.deep_scenarios =
          static_cast<unsigned>(std::strtoul(next, nullptr, 10));
      return 2;
    }
    if (arg == "--verbose") {
      options.verbose = true;
      return 1;
    }
    return 0;
  });
  if (const std::optional<search> s = checks.searched()) options.quick = options.deep = *s;
  model_check<Threads>(checks, type_name(typeid(typename List::object).name()), list, options,
                       checks.expected(), checks.history());
  return checks.result();
}

}  // namespace lockstep::verify::lin
