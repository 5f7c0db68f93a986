// Every work-stealing deque is linearizable with respect to the one deque specification
// (verify/lin/deque_spec.hpp), under real threads, with the owner-only rule kept. Each scenario:
// an initial part of 0 to 2 pushes by the main thread; a parallel part of one owner (thread 0: 2
// to 4 calls, two pushes for each pop on average) and 1 to 3 thieves (2 to 4 steals each),
// started together at the gate of scenario.hpp's runner; a final part in which the main thread
// pops until empty, so a value lost or taken twice is caught. The main thread's pushes happen
// before the gate opens and its pops after every thread announced its end (a release/acquire
// pair each way): a hand-over of the owner's role that orders the two owners' calls.
#include <lockstep/verify/lin/checker.hpp>
#include <lockstep/verify/lin/deque_spec.hpp>
#include <lockstep/verify/lin/scenario.hpp>

#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/work_stealing_deque.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace lin = lockstep::verify::lin;
using lin::deque_answer;
using lin::deque_op;
using lin::work_stealing_spec;

// Runs options.scenarios scenarios (times LOCKSTEP_STRESS_SCALE), each options.invocations
// times on a fresh deque, and stops at the first history that is not linearizable.
template <class Deque>
lin::scenario_report check_deque(const lin::scenario_options& options = {}) {
  using call = lin::detail::paused_call<deque_op>;
  lin::scenario_report report;
  report.seed = lin::detail::scenario_seed(options.seed);
  std::mt19937_64 random(report.seed);
  const auto uniform = [&random](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(random);
  };
  const unsigned scenarios = options.scenarios * lin::detail::scenario_scale();

  for (unsigned n = 0; n < scenarios && report.linearizable; ++n) {
    std::vector<std::vector<call>> plan(1 + uniform(1, 3));
    std::int64_t next_value = 1;
    for (std::size_t t = 0; t < plan.size(); ++t) {
      for (unsigned i = uniform(2, 4); i > 0; --i) {
        const bool push = t == 0 && uniform(0, 2) != 0;
        const deque_op op = t != 0 ? deque_op::steal()
                            : push ? deque_op::push(next_value++)
                                   : deque_op::pop();
        plan[t].push_back({op, uniform(0, 32)});
      }
    }
    const unsigned initial = uniform(0, 2);
    std::int64_t last_value = next_value;

    lin::detail::run_invocations<work_stealing_spec>(
        plan, options.invocations, 16,
        [&](lin::recorder<work_stealing_spec>& main_calls) {
          auto d = std::make_unique<Deque>();
          // The initial values follow the parallel part's, so they are unique too.
          last_value = next_value;
          for (unsigned k = 0; k < initial; ++k) {
            const deque_op op = deque_op::push(last_value++);
            main_calls.record(op, [&] { return lin::perform_deque(*d, op); });
          }
          return d;
        },
        [](Deque& d, const deque_op& op) { return lin::perform_deque(d, op); },
        [&](Deque& d, lin::recorder<work_stealing_spec>& main_calls) {
          // Pop until empty, bounded by the values pushed against a deque that invents values.
          for (std::int64_t k = 0; k < last_value; ++k) {
            main_calls.record(deque_op::pop(),
                              [&] { return lin::perform_deque(d, deque_op::pop()); });
            if (main_calls.calls().back().result == deque_answer::empty()) break;
          }
        },
        [&](lin::history<work_stealing_spec>& h, unsigned run) {
          lin::annotate_deque(h);
          return lin::detail::tally(report, lin::check(h, work_stealing_spec()), n + 1, scenarios,
                                    run, options.invocations, static_cast<unsigned>(plan.size()),
                                    "initial pushes and final pops; thread 0 is the owner");
        });
    report.scenarios_run = n + 1;
  }
  return report;
}

// Capacity 2: most scenarios grow the array while thieves read it.
struct small_chase_lev : lockstep::lockfree::chase_lev_deque<std::int64_t> {
  small_chase_lev() : chase_lev_deque(2) {}
};

template <class Deque>
class lin_deque : public ::testing::Test {};

using deques = ::testing::Types<
    lockstep::lockfree::chase_lev_deque<std::int64_t>, small_chase_lev,
    lockstep::locked::work_stealing_deque<std::int64_t>,
    lockstep::locked::work_stealing_deque<std::int64_t, lockstep::locked::tatas_lock>>;
struct deque_names {
  template <class Deque>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<Deque, small_chase_lev>) {
      return "chase_lev_capacity_2";
    } else if constexpr (std::is_same_v<Deque, lockstep::lockfree::chase_lev_deque<std::int64_t>>) {
      return "chase_lev";
    } else if constexpr (std::is_same_v<typename Deque::lock_type, lockstep::locked::std_mutex>) {
      return "locked_std_mutex";
    } else {
      return "locked_tatas";
    }
  }
};
TYPED_TEST_SUITE(lin_deque, deques, deque_names);

TYPED_TEST(lin_deque, every_history_is_linearizable) {
  const lin::scenario_report r = check_deque<TypeParam>();
  EXPECT_TRUE(r) << r.counterexample;
  std::printf("%u scenarios, %u runs (seed %llu)\n", r.scenarios_run, r.runs,
              static_cast<unsigned long long>(r.seed));
}

}  // namespace
