// The generic linearizability driver (verify/lin/operations.hpp, threads.hpp) and the checker
// over any precedence (order_checker.hpp), on objects and histories whose verdicts are known:
// the specification an operation list makes, histories whose happens-before is not an interval
// order, and the real-thread driver on a correct set and on a set that gives wrong answers.
#include <lockstep/verify/lin/operations.hpp>
#include <lockstep/verify/lin/order_checker.hpp>
#include <lockstep/verify/lin/threads.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace lin = lockstep::verify::lin;

// A set behind a mutex: linearizable. `Wrong` makes erase answer "absent" every time.
template <bool Wrong>
class locked_set {
 public:
  bool insert(int v) {
    std::scoped_lock hold(mutex_);
    return items_.insert(v).second;
  }
  bool erase(int v) {
    std::scoped_lock hold(mutex_);
    return items_.erase(v) == 1 && !Wrong;
  }
  bool contains(int v) {
    std::scoped_lock hold(mutex_);
    return items_.contains(v);
  }

 private:
  std::mutex mutex_;
  std::set<int> items_;
};

template <class Set>
auto set_operations() {
  return lin::operations<Set, std::set<int>>(
      lin::op("insert", lin::one_of(1, 2), [](Set& s, int v) { return s.insert(v); },
              [](std::set<int>& m, int v) { return m.insert(v).second; }),
      lin::op("erase", lin::one_of(1, 2), [](Set& s, int v) { return s.erase(v); },
              [](std::set<int>& m, int v) { return m.erase(v) == 1; }),
      lin::op("contains", lin::one_of(1, 2), [](Set& s, int v) { return s.contains(v); },
              [](std::set<int>& m, int v) { return m.contains(v); }));
}

const auto ops = set_operations<locked_set<false>>();
using spec = decltype(ops)::specification;
using op_t = decltype(ops)::operation;
using result_t = decltype(ops)::results;

constexpr std::size_t insert = 0, erase = 1, contains = 2;

template <std::size_t I>
op_t call(int v) {
  return {decltype(ops)::arguments(std::in_place_index<I>, v), &ops};
}
template <std::size_t I>
result_t answer(bool r) {
  return result_t(std::in_place_index<I>, r);
}

// One call of an ordered history: the thread, the call, its answer, the calls before it.
template <std::size_t I>
lin::ordered_call<spec> at(unsigned thread, int v, bool r, std::uint64_t preceded_by = 0) {
  return {thread, call<I>(v), answer<I>(r), preceded_by};
}

// --- The specification an operation list makes ----------------------------------------------

TEST(lin_operations, the_model_decides_each_step_and_refuses_without_changing_state) {
  spec s = ops.initial();
  EXPECT_TRUE(s.step(call<insert>(1), answer<insert>(true)));
  EXPECT_FALSE(s.step(call<insert>(1), answer<insert>(true)));  // already in: the model says false
  EXPECT_TRUE(s.step(call<contains>(1), answer<contains>(true)));
  EXPECT_TRUE(s.step(call<erase>(1), answer<erase>(true)));
  EXPECT_TRUE(s.step(call<contains>(1), answer<contains>(false)));
  EXPECT_EQ(s.expected(call<erase>(2)), "false");
}

TEST(lin_operations, calls_and_states_print_in_the_users_names) {
  EXPECT_EQ(spec::describe(call<insert>(2)), "insert(2)");
  EXPECT_EQ(spec::describe(answer<contains>(true)), "true");
  spec s = ops.initial();
  ASSERT_TRUE(s.step(call<insert>(2), answer<insert>(true)));
  ASSERT_TRUE(s.step(call<insert>(1), answer<insert>(true)));
  EXPECT_EQ(s.describe(), "{1, 2}");
  EXPECT_EQ(lin::show(std::optional<int>()), "none");
  EXPECT_EQ(lin::show(std::optional<int>(3)), "3");
}

TEST(lin_operations, generated_arguments_come_from_the_generator) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 100; ++i) {
    const op_t op = ops.generate(static_cast<std::size_t>(i % 3), random);
    const int v = std::visit([](int a) { return a; }, op.argument);
    EXPECT_TRUE(v == 1 || v == 2) << v;
    EXPECT_EQ(op.argument.index(), static_cast<std::size_t>(i % 3));
  }
}

// --- The checker over any precedence ---------------------------------------------------------

TEST(lin_order_checker, accepts_concurrent_calls_in_either_order) {
  // Two unordered insert(1) on two threads: one of them must answer false, either one.
  const std::vector<lin::ordered_call<spec>> ok = {at<insert>(0, 1, true), at<insert>(1, 1, false)};
  EXPECT_TRUE(lin::check_order(ok, ops.initial()));
  const std::vector<lin::ordered_call<spec>> bad = {at<insert>(0, 1, true), at<insert>(1, 1, true)};
  const auto v = lin::check_order(bad, ops.initial());
  EXPECT_FALSE(v);
  const std::string text = lin::describe_order_failure(bad, v);
  EXPECT_NE(text.find("insert(1) -> true  (not allowed here, the model answers false)"),
            std::string::npos)
      << text;
}

TEST(lin_order_checker, respects_precedence_that_is_not_an_interval_order) {
  // A before B and C before D, nothing else: happens-before allows that, an interval order
  // (real time) would force A before D or C before B as well. A = insert(1) -> true,
  // B = contains(2) -> false, C = insert(2) -> true, D = contains(1) -> false, four threads.
  // Every order with A before B and C before D puts A before D (D would see 1) or C before B
  // (B would see 2), so the history is not linearizable; without the precedence, D, B, A, C is.
  const std::uint64_t a = 1, c = 4;
  const std::vector<lin::ordered_call<spec>> h = {at<insert>(0, 1, true),
                                                   at<contains>(1, 2, false, a),
                                                   at<insert>(2, 2, true),
                                                   at<contains>(3, 1, false, c)};
  EXPECT_FALSE(lin::check_order(h, ops.initial()));
  std::vector<lin::ordered_call<spec>> free = h;
  free[1].preceded_by = free[3].preceded_by = 0;
  EXPECT_TRUE(lin::check_order(free, ops.initial()));
  // Precedence is obeyed, not only read: a reader of 1 that must follow insert(1) is fine.
  const std::vector<lin::ordered_call<spec>> follows = {at<insert>(0, 1, true),
                                                         at<contains>(1, 1, true, a)};
  EXPECT_TRUE(lin::check_order(follows, ops.initial()));
  const std::vector<lin::ordered_call<spec>> precedes = {at<insert>(0, 1, true, 2),
                                                          at<contains>(1, 1, true)};
  EXPECT_FALSE(lin::check_order(precedes, ops.initial()));
}

// --- The driver under real threads ---------------------------------------------------------

TEST(lin_threads, a_set_behind_a_mutex_is_linearizable) {
  lin::thread_options options;
  options.scenarios = 30;
  const lin::scenario_report r = lin::run_threads(ops, options);
  EXPECT_TRUE(r) << r.counterexample;
  EXPECT_EQ(r.runs, 30u * options.invocations);
}

TEST(lin_threads, a_set_whose_erase_answers_wrong_is_reported_in_its_names) {
  // The wrong answer needs no concurrency, so every seed finds it within a few scenarios.
  const lin::scenario_report r = lin::run_threads(set_operations<locked_set<true>>());
  ASSERT_FALSE(r);
  EXPECT_NE(r.counterexample.find("erase("), std::string::npos) << r.counterexample;
  EXPECT_NE(r.counterexample.find("-> false  (not allowed here, the model answers true)"),
            std::string::npos)
      << r.counterexample;
}

}  // namespace
