// Linearizability of the work-stealing deques inside the model checker, against the one deque
// specification (verify/lin/deque_spec.hpp), with the owner-only rule kept: the generic driver
// of verify/lin/model.hpp gives any thread any call, so the deque has this driver of its own,
// in the same manner. Each scenario, drawn from a generator seeded with 1 (--seed N for others):
// up to two pushes before the threads start; an owner (thread 0) making 2 or 3 calls, two
// pushes for each pop on average, and one or two thieves making 1 or 2 steals each; then pops
// until empty, after the threads finished (a hand-over of the owner's role that the model's
// before/after order makes safe). Every execution's history is checked in happens-before order,
// read from Relacy's vector clocks as model.hpp does, so the recording adds no synchronisation.
//
// The lost-race allowance of the specification is needed exactly where it says: with one thief
// Chase–Lev passes without it (a steal that lost to the owner's pop of the last value is an
// exact empty), with two thieves it does not (scenario 3 of the quick profile).
//
// Two buggy twins show what the specification catches that Relacy alone does not (both are
// locked, so race-free): a steal at the owner's end, and a steal that gives up on the last value
// with no race to lose.
#include <lockstep/verify/lin/deque_spec.hpp>
#include <lockstep/verify/lin/order_checker.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <lockstep/locked/work_stealing_deque.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>
#include <lockstep/verify/model_check.hpp>

using namespace lockstep;
namespace lin = verify::lin;
using lin::deque_answer;
using lin::deque_op;
using lin::work_stealing_spec;

namespace {

constexpr std::size_t max_calls = 8;  // per part: before, each thread, after

template <unsigned Threads>
struct deque_scenario {
  std::vector<deque_op> initial;
  std::array<std::vector<deque_op>, Threads> parallel;  // [0]: the owner's
  std::int64_t values = 0;                              // pushed in all

  std::string describe() const {
    const auto calls = [](const std::vector<deque_op>& ops) {
      std::string text;
      for (const deque_op& op : ops)
        text += (text.empty() ? "" : ", ") + work_stealing_spec::describe(op);
      return text.empty() ? std::string("-") : text;
    };
    std::string text = "[" + calls(initial) + "] then";
    for (unsigned t = 0; t < Threads; ++t) text += (t == 0 ? " " : " || ") + calls(parallel[t]);
    return text + " then [pop() until empty]";
  }
};

template <class Deque, unsigned Threads>
struct deque_execution : rl::test_suite<deque_execution<Deque, Threads>, Threads> {
  // Set before each simulation, read by every execution of it.
  static inline const deque_scenario<Threads>* current = nullptr;
  // Relacy replays a failing execution to collect its history: one counterexample is enough.
  static inline bool reported = false;

  struct record {
    std::optional<deque_answer> answer;
    std::array<rl::timestamp_t, Threads> invoked{};  // this thread's view of every thread's clock
    rl::timestamp_t returned = 0;                    // this thread's own clock
  };

  Deque deque;
  std::array<std::array<record, max_calls>, Threads> records;
  std::array<std::optional<deque_answer>, max_calls> initial_answers;

  void before() {
    for (std::size_t i = 0; i < current->initial.size(); ++i) {
      initial_answers[i].emplace(lin::perform_deque(deque, current->initial[i]));
    }
  }

  void thread(unsigned t) {
    rl::thread_info_base& self = *rl::ctx().threadx_;
    for (std::size_t i = 0; i < current->parallel[t].size(); ++i) {
      record& r = records[t][i];
      for (unsigned u = 0; u < Threads; ++u) r.invoked[u] = self.acq_rel_order_[u];
      r.answer.emplace(lin::perform_deque(deque, current->parallel[t][i]));
      r.returned = self.own_acq_rel_order_;
    }
  }

  void after() {
    bool ok = true;
    {
      // Everything allocated here is freed before the assertion below ends the execution.
      std::vector<lin::ordered_call<work_stealing_spec>> calls;
      for (std::size_t i = 0; i < current->initial.size(); ++i) {
        calls.push_back(
            {Threads, current->initial[i], *initial_answers[i], (std::uint64_t{1} << i) - 1});
      }
      const std::uint64_t before_threads = (std::uint64_t{1} << calls.size()) - 1;
      std::vector<const record*> recorded;  // the parallel part's records, in calls' order
      for (unsigned t = 0; t < Threads; ++t) {
        for (std::size_t i = 0; i < current->parallel[t].size(); ++i) {
          calls.push_back({t, current->parallel[t][i], *records[t][i].answer, before_threads});
          recorded.push_back(&records[t][i]);
        }
      }
      // A precedes B when A is B's thread's earlier call, or A's return happens before B's
      // invocation: B's thread's view of A's thread's clock has reached A's return.
      const std::size_t offset = current->initial.size();
      for (std::size_t a = 0; a < recorded.size(); ++a) {
        for (std::size_t b = 0; b < recorded.size(); ++b) {
          const unsigned ta = calls[offset + a].thread;
          const bool precedes = ta == calls[offset + b].thread
                                    ? a < b
                                    : recorded[a]->returned <= recorded[b]->invoked[ta];
          if (precedes) calls[offset + b].preceded_by |= std::uint64_t{1} << (offset + a);
        }
      }
      // Pop until empty, bounded by the values pushed against a deque that invents values.
      for (std::int64_t k = 0; k <= current->values; ++k) {
        const deque_answer answer = lin::perform_deque(deque, deque_op::pop());
        calls.push_back({Threads, deque_op::pop(), answer, (std::uint64_t{1} << calls.size()) - 1});
        if (answer == deque_answer::empty()) break;
      }
      lin::annotate_deque(calls);
      const lin::order_verdict<work_stealing_spec> v =
          lin::check_order(calls, work_stealing_spec());
      ok = v.linearizable;
      if (!ok && !reported) {
        std::printf("scenario %s\n(thread %u is the calls before and after the parallel part)\n%s",
                    current->describe().c_str(), Threads,
                    lin::describe_order_failure(calls, v).c_str());
        std::fflush(stdout);
        reported = true;
      }
    }
    RL_ASSERT(ok);  // the history above is not linearizable
  }
};

struct options {
  unsigned scenarios;
  verify::search search;
  std::uint64_t seed = 1;
  bool verbose = false;
};

// Runs `o.scenarios` scenarios of Threads threads (an owner and Threads - 1 thieves), one
// simulation each, and records one check: every scenario passed, or, for a buggy twin, some
// scenario ended in `expected`.
template <class Deque, unsigned Threads>
void check(verify::model_checks& checks, std::string_view name, const options& o,
           rl::test_result_e expected = rl::test_result_success) {
  using execution = deque_execution<Deque, Threads>;
  std::mt19937_64 random(o.seed);
  const auto uniform = [&random](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(random);
  };
  unsigned long long executions = 0;
  unsigned ran = 0;
  rl::test_result_e found = rl::test_result_success;
  std::string where;
  for (unsigned n = 0; n < o.scenarios && found == rl::test_result_success; ++n) {
    deque_scenario<Threads> plan;
    for (unsigned i = uniform(0, 2); i > 0; --i)
      plan.initial.push_back(deque_op::push(++plan.values));
    for (unsigned i = uniform(2, 3); i > 0; --i) {
      plan.parallel[0].push_back(uniform(0, 2) != 0 ? deque_op::push(++plan.values)
                                                    : deque_op::pop());
    }
    for (unsigned t = 1; t < Threads; ++t) {
      for (unsigned i = uniform(1, 2); i > 0; --i) plan.parallel[t].push_back(deque_op::steal());
    }
    execution::current = &plan;
    execution::reported = false;
    rl::test_params params = verify::detail::search_params(o.search);
    std::ostream discard(nullptr);
    params.output_stream = &discard;
    params.progress_stream = &discard;
    rl::simulate<execution>(params);
    ++ran;
    executions += params.stop_iteration;
    found = params.test_result;
    if (o.verbose) {
      std::printf("  scenario %u: %s: %llu executions: %s\n", n + 1, plan.describe().c_str(),
                  static_cast<unsigned long long>(params.stop_iteration),
                  rl::test_result_str(found));
    }
    if (found != rl::test_result_success) {
      where = " in scenario " + std::to_string(n + 1) + ": " + plan.describe();
      if (found != expected) verify::detail::print_history<execution>(o.search);
    }
    execution::current = nullptr;
  }
  checks.require(found == expected,
                 std::string(name) + ": linearizability, " + std::to_string(ran) +
                     " scenarios of an owner and " + std::to_string(Threads - 1) + " thieves, " +
                     o.search.describe() + ", " + std::to_string(executions) +
                     " executions: " + rl::test_result_str(found) +
                     (expected != rl::test_result_success
                          ? " (expected " + std::string(rl::test_result_str(expected)) + ")"
                          : std::string()) +
                     where);
}

// Buggy twin: steal takes the owner's end.
struct steals_lifo : locked::work_stealing_deque<int> {
  std::optional<int> steal() { return pop(); }
};

// Buggy twin: steal gives up on the last value, as an off-by-one in Chase–Lev's `top < bottom`
// test would, though no other thief raced for it.
struct steal_skips_last : locked::work_stealing_deque<int> {
  std::optional<int> steal() {
    if (size() == 1) return std::nullopt;
    return work_stealing_deque::steal();
  }
};

}  // namespace

int main(int argc, char** argv) {
  options o{0, verify::search::random(20'000)};
  verify::model_checks checks(argc, argv, [&o](std::string_view arg, const char* next) {
    if (arg == "--seed" && next != nullptr) {
      o.seed = std::strtoull(next, nullptr, 10);
      return 2;
    }
    if (arg == "--scenarios" && next != nullptr) {
      o.scenarios = static_cast<unsigned>(std::strtoul(next, nullptr, 10));
      return 2;
    }
    if (arg == "--verbose") {
      o.verbose = true;
      return 1;
    }
    return 0;
  });
  if (o.scenarios == 0) o.scenarios = checks.deep() ? 50 : 10;
  if (checks.deep()) o.search = verify::search::random(500'000);
  if (const std::optional<verify::search> s = checks.searched()) o.search = *s;

  // Capacity 2: the owner's pushes grow the array while a thief may be reading the old one.
  using chase_lev = verify::constructed_with<lockfree::chase_lev_deque<int>, 2>;
  check<chase_lev, 2>(checks, "chase_lev_deque (capacity 2)", o, checks.expected());
  check<chase_lev, 3>(checks, "chase_lev_deque (capacity 2)", o, checks.expected());
  check<locked::work_stealing_deque<int>, 2>(checks, "locked::work_stealing_deque", o,
                                             checks.expected());
  check<locked::work_stealing_deque<int>, 3>(checks, "locked::work_stealing_deque", o,
                                             checks.expected());
  check<steals_lifo, 2>(checks, "a steal at the owner's end", o,
                        rl::test_result_user_assert_failed);
  check<steal_skips_last, 3>(checks, "a steal that gives up on the last value", o,
                             rl::test_result_user_assert_failed);
  return checks.result();
}
