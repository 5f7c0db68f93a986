// The linearizability checker (verify/lin) on handcrafted histories, whose verdicts are known,
// and the random driver on structures whose verdicts are known: reference queues and a stack
// behind a mutex (linearizable), and the snapshot queue, the negative control, which it must
// report with the offending history.
#include <lockstep/verify/lin/checker.hpp>
#include <lockstep/verify/lin/scenario.hpp>
#include <lockstep/verify/lin/snapshot_queue.hpp>
#include <lockstep/verify/lin/specs.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <lockstep/locked/stack.hpp>
#include <lockstep/sync/containers.hpp>

#include <gtest/gtest.h>

namespace {

namespace lin = lockstep::verify::lin;
using lin::container_answer;
using lin::container_op;

template <class Spec>
lin::call_of<Spec> call(unsigned thread, lin::stamp invoked, lin::stamp returned, container_op op,
                        container_answer answer) {
  return {thread, op, answer, invoked, returned};
}

const auto q = call<lin::fifo_queue>;
const auto s = call<lin::lifo_stack>;
const container_op pop = container_op::try_pop();
const auto push = &container_op::push;
const auto try_push = &container_op::try_push;
const container_answer ok = container_answer::ok();
const container_answer full = container_answer::full();
const container_answer empty = container_answer::empty();
const auto popped = &container_answer::popped;

// --- Linearizable histories are accepted ---------------------------------------------------

TEST(lin_checker, accepts_the_empty_history) {
  EXPECT_TRUE(lin::check(lin::history<lin::fifo_queue>{}, lin::fifo_queue()));
}

TEST(lin_checker, accepts_a_pop_that_returns_before_the_overlapping_push_does) {
  // The pop is answered while the push is still running: the push takes effect first.
  const lin::history<lin::fifo_queue> h = {q(0, 0, 10, push(1), ok), q(1, 1, 5, pop, popped(1))};
  EXPECT_TRUE(lin::check(h, lin::fifo_queue()));
}

TEST(lin_checker, accepts_overlapping_pushes_taking_effect_in_the_other_order) {
  // push(1) was invoked first, but the two overlap, so push(2) may be the older element.
  const lin::history<lin::fifo_queue> h = {q(0, 0, 3, push(1), ok), q(1, 1, 5, push(2), ok),
                                           q(0, 6, 7, pop, popped(2)), q(1, 8, 9, pop, popped(1))};
  const lin::verdict v = lin::check(h, lin::fifo_queue());
  EXPECT_TRUE(v) << v.counterexample;
}

TEST(lin_checker, accepts_an_empty_pop_concurrent_with_a_push) {
  const lin::history<lin::fifo_queue> h = {q(0, 0, 10, push(1), ok), q(1, 2, 4, pop, empty),
                                           q(1, 11, 12, pop, popped(1)), q(1, 13, 14, pop, empty)};
  EXPECT_TRUE(lin::check(h, lin::fifo_queue()));
}

TEST(lin_checker, accepts_a_stack_whose_concurrent_pushes_are_reordered) {
  const lin::history<lin::lifo_stack> h = {s(0, 0, 4, push(1), ok), s(1, 1, 5, push(2), ok),
                                           s(2, 2, 3, pop, popped(1)), s(2, 6, 7, pop, popped(2)),
                                           s(2, 8, 9, pop, empty)};
  EXPECT_TRUE(lin::check(h, lin::lifo_stack()));
}

TEST(lin_checker, accepts_full_answers_of_a_full_bounded_queue) {
  // Capacity 1: full while the element is in, also when a pop that removes it overlaps.
  const lin::history<lin::fifo_queue> h = {
      q(0, 0, 1, try_push(1), ok),   q(0, 2, 3, try_push(2), full), q(1, 4, 20, pop, popped(1)),
      q(0, 5, 6, try_push(3), full), q(0, 21, 22, try_push(4), ok), q(1, 23, 24, pop, popped(4))};
  const lin::verdict v = lin::check(h, lin::fifo_queue(1));
  EXPECT_TRUE(v) << v.counterexample;
}

// --- Histories that are not linearizable are rejected, with the history printed -----------

// The counterexample names every call of the history, per thread, with its interval.
template <class Spec>
void expect_rejected(const lin::history<Spec>& h, const Spec& initial) {
  const lin::verdict v = lin::check(h, initial);
  ASSERT_FALSE(v);
  EXPECT_NE(v.counterexample.find("not linearizable"), std::string::npos);
  for (const lin::call_of<Spec>& c : h) {
    EXPECT_NE(v.counterexample.find("thread " + std::to_string(c.thread) + ":"), std::string::npos);
    EXPECT_NE(v.counterexample.find(lin::describe<Spec>(c)), std::string::npos)
        << "missing " << lin::describe<Spec>(c) << " in\n"
        << v.counterexample;
  }
  std::printf("%s", v.counterexample.c_str());
}

TEST(lin_checker, rejects_a_pop_of_a_value_never_pushed) {
  expect_rejected(
      lin::history<lin::fifo_queue>{q(0, 0, 5, push(1), ok), q(1, 1, 6, pop, popped(7))},
      lin::fifo_queue());
}

TEST(lin_checker, rejects_fifo_order_violated_by_calls_that_do_not_overlap) {
  expect_rejected(
      lin::history<lin::fifo_queue>{q(0, 0, 1, push(1), ok), q(0, 2, 3, push(2), ok),
                                    q(1, 4, 5, pop, popped(2)), q(1, 6, 7, pop, popped(1))},
      lin::fifo_queue());
}

TEST(lin_checker, rejects_an_empty_answer_while_a_completed_push_is_still_in) {
  expect_rejected(lin::history<lin::fifo_queue>{q(0, 0, 1, push(1), ok), q(1, 2, 3, pop, empty),
                                                q(1, 4, 5, pop, popped(1))},
                  lin::fifo_queue());
}

TEST(lin_checker, rejects_a_value_popped_twice) {
  expect_rejected(lin::history<lin::fifo_queue>{q(0, 0, 1, push(1), ok), q(1, 2, 6, pop, popped(1)),
                                                q(2, 3, 7, pop, popped(1))},
                  lin::fifo_queue());
}

TEST(lin_checker, rejects_a_stack_that_returns_the_older_value) {
  expect_rejected(lin::history<lin::lifo_stack>{s(0, 0, 1, push(1), ok), s(0, 2, 3, push(2), ok),
                                                s(1, 4, 5, pop, popped(1))},
                  lin::lifo_stack());
}

TEST(lin_checker, rejects_a_full_answer_while_the_bounded_queue_cannot_be_full) {
  expect_rejected(
      lin::history<lin::fifo_queue>{q(0, 0, 1, try_push(1), ok), q(1, 2, 3, try_push(2), full)},
      lin::fifo_queue(2));
}

TEST(lin_checker, rejects_a_push_accepted_by_a_full_bounded_queue) {
  expect_rejected(
      lin::history<lin::fifo_queue>{q(0, 0, 1, try_push(1), ok), q(1, 2, 3, try_push(2), ok)},
      lin::fifo_queue(1));
}

// A pessimistic queue (specs.hpp) may answer empty beside another thread's push, and full beside
// another thread's call, but not otherwise.
container_op beside_push(container_op op) {
  op.beside_push = op.beside_call = true;
  return op;
}
container_op beside_call(container_op op) {
  op.beside_call = true;
  return op;
}

TEST(lin_checker, accepts_pessimistic_answers_only_beside_other_calls) {
  const lin::history<lin::fifo_queue> empty_beside_push = {
      q(0, 0, 1, try_push(1), ok), q(0, 2, 9, beside_call(try_push(2)), ok),
      q(1, 3, 4, beside_push(pop), empty), q(1, 10, 11, pop, popped(1))};
  EXPECT_TRUE(lin::check(empty_beside_push, lin::fifo_queue(4, true)));
  expect_rejected(empty_beside_push, lin::fifo_queue(4));

  const lin::history<lin::fifo_queue> full_beside_pop = {
      q(0, 0, 1, try_push(1), ok), q(1, 2, 9, beside_call(pop), popped(1)),
      q(0, 3, 4, beside_call(try_push(2)), full)};
  EXPECT_TRUE(lin::check(full_beside_pop, lin::fifo_queue(4, true)));
  expect_rejected(full_beside_pop, lin::fifo_queue(4));

  // Beside a pop only, an empty answer is still wrong; alone, a full one is.
  expect_rejected(
      lin::history<lin::fifo_queue>{q(0, 0, 1, try_push(1), ok), q(0, 2, 3, try_push(2), ok),
                                    q(1, 4, 9, beside_call(pop), popped(1)),
                                    q(2, 5, 6, beside_call(pop), empty)},
      lin::fifo_queue(4, true));
  expect_rejected(
      lin::history<lin::fifo_queue>{q(0, 0, 1, try_push(1), ok), q(0, 2, 3, try_push(2), full)},
      lin::fifo_queue(4, true));
}

TEST(lin_checker, prints_the_longest_linearizable_prefix_and_the_state_after_it) {
  const lin::verdict v =
      lin::check(lin::history<lin::fifo_queue>{q(0, 0, 1, push(1), ok), q(0, 2, 3, push(2), ok),
                                               q(1, 4, 5, pop, popped(2))},
                 lin::fifo_queue());
  ASSERT_FALSE(v);
  EXPECT_NE(v.counterexample.find("longest linearizable prefix found (2 of 3 calls)"),
            std::string::npos)
      << v.counterexample;
  EXPECT_NE(v.counterexample.find("state after it: FIFO queue [1, 2]"), std::string::npos)
      << v.counterexample;
  EXPECT_NE(v.counterexample.find("[4, 5] try_pop() -> 2  (not allowed here)"), std::string::npos)
      << v.counterexample;
}

// --- Memoisation ---------------------------------------------------------------------------

// 3 threads x 30 calls in 30 rounds, after three pushes by a fourth thread: thread 0 pushes,
// threads 1 and 2 pop, except that thread 2 pushes every other round, so the queue stays short
// and never empty. The threads' calls of one round all overlap, those of different rounds do
// not. The recorded answers follow a random order within each round, so the history is
// linearizable, but only the checker's search finds that order. When the last answer (a pop by
// the fourth thread after all rounds) is made wrong, every order of every round has to be
// refuted: a push may go before, between or after the two pops of its round and leave the same
// queue, so without memoisation that is at least 3^15 linearizations; with it, at most 8
// linearized sets per round times the few queues each can leave.
lin::history<lin::fifo_queue> rounds_history(bool break_the_last_answer) {
  std::mt19937 random(2024);
  lin::history<lin::fifo_queue> h;
  std::deque<std::int64_t> model;
  std::int64_t next = 1;
  for (lin::stamp i = 0; i < 3; ++i) {
    h.push_back(q(3, 2 * i, 2 * i + 1, push(next), ok));
    model.push_back(next++);
  }
  for (lin::stamp round = 1; round <= 30; ++round) {
    unsigned order[] = {0, 1, 2};
    std::shuffle(std::begin(order), std::end(order), random);
    for (unsigned t : order) {
      const lin::stamp invoked = 10 * round + t;
      const lin::stamp returned = 10 * round + 5 + t;
      if (t == 0 || (t == 2 && round % 2 == 0)) {
        h.push_back(q(t, invoked, returned, push(next), ok));
        model.push_back(next++);
      } else {
        h.push_back(q(t, invoked, returned, pop, popped(model.front())));
        model.pop_front();
      }
    }
  }
  h.push_back(q(3, 1000, 1001, pop, popped(break_the_last_answer ? next : model.front())));
  return h;
}

TEST(lin_checker, memoisation_checks_three_threads_of_thirty_calls) {
  const lin::verdict accepted = lin::check(rounds_history(false), lin::fifo_queue());
  EXPECT_TRUE(accepted) << accepted.counterexample;
  const lin::verdict rejected = lin::check(rounds_history(true), lin::fifo_queue());
  EXPECT_FALSE(rejected);
  std::printf("configurations explored: %zu accepting, %zu refuting\n", accepted.configurations,
              rejected.configurations);
  EXPECT_LT(rejected.configurations, 100'000u);
}

// --- The random driver ---------------------------------------------------------------------

// Reference structures behind one std::mutex: linearizable at their critical sections.
template <class T>
class reference_queue {
 public:
  using value_type = T;
  void push(const T& v) {
    std::scoped_lock hold(lock_);
    items_.push_back(v);
  }
  void push(T&& v) {
    std::scoped_lock hold(lock_);
    items_.push_back(std::move(v));
  }
  std::optional<T> try_pop() {
    std::scoped_lock hold(lock_);
    if (items_.empty()) return std::nullopt;
    std::optional<T> v(std::move(items_.front()));
    items_.pop_front();
    return v;
  }

 private:
  std::mutex lock_;
  std::deque<T> items_;
};

template <class T>
class reference_bounded_queue {
 public:
  using value_type = T;
  explicit reference_bounded_queue(std::size_t capacity) : capacity_(capacity) {}
  bool try_push(const T& v) {
    std::scoped_lock hold(lock_);
    if (items_.size() == capacity_) return false;
    items_.push_back(v);
    return true;
  }
  bool try_push(T&& v) {
    std::scoped_lock hold(lock_);
    if (items_.size() == capacity_) return false;
    items_.push_back(std::move(v));
    return true;
  }
  std::optional<T> try_pop() {
    std::scoped_lock hold(lock_);
    if (items_.empty()) return std::nullopt;
    std::optional<T> v(std::move(items_.front()));
    items_.pop_front();
    return v;
  }
  std::size_t capacity() const { return capacity_; }

 private:
  std::mutex lock_;
  std::deque<T> items_;
  std::size_t capacity_;
};

static_assert(lockstep::sync::unbounded_queue<reference_queue<int>>);
static_assert(lockstep::sync::bounded_queue<reference_bounded_queue<int>>);

TEST(lin_driver, passes_a_queue_behind_a_mutex) {
  const lin::scenario_report r = lin::check_queue(
      [](std::size_t) { return std::make_unique<reference_queue<std::int64_t>>(); });
  EXPECT_TRUE(r) << r.counterexample;
  EXPECT_GT(r.scenarios_run, 0u);
}

TEST(lin_driver, passes_a_bounded_queue_behind_a_mutex_and_checks_its_full_answers) {
  const lin::scenario_report r = lin::check_queue([](std::size_t capacity) {
    return std::make_unique<reference_bounded_queue<std::int64_t>>(capacity);
  });
  EXPECT_TRUE(r) << r.counterexample;
}

TEST(lin_driver, passes_a_producer_and_a_consumer) {
  lin::scenario_options options;
  options.role = lin::roles::producer_consumer;
  const lin::scenario_report r = lin::check_queue(
      [](std::size_t capacity) {
        return std::make_unique<reference_bounded_queue<std::int64_t>>(capacity);
      },
      options);
  EXPECT_TRUE(r) << r.counterexample;
}

TEST(lin_driver, passes_the_locked_stack) {
  const lin::scenario_report r = lin::check_stack(
      [](std::size_t) { return std::make_unique<lockstep::locked::stack<std::int64_t>>(); });
  EXPECT_TRUE(r) << r.counterexample;
}

TEST(lin_driver, reports_a_stack_checked_as_a_queue) {
  // The same structure against the other specification: only the specification differs, so
  // this shows the driver checks against the one it is given.
  lin::scenario_options options;
  options.scenarios = 2000;
  const lin::scenario_report r = lin::check_queue(
      [](std::size_t) { return std::make_unique<lockstep::locked::stack<std::int64_t>>(); },
      options);
  EXPECT_FALSE(r);
}

// The negative control. Any scenario with two pops whose windows overlap while the queue holds
// a value shows it; 20000 scenarios is far more than a loaded machine needs (the run stops at
// the first report), and the test prints how many it took.
TEST(lin_driver, reports_the_snapshot_queue_with_the_offending_history) {
  lin::scenario_options options;
  options.scenarios = 20'000;
  const lin::scenario_report r = lin::check_queue(
      [](std::size_t) { return std::make_unique<lin::snapshot_queue<std::int64_t>>(); }, options);
  ASSERT_FALSE(r) << "the snapshot queue passed " << r.scenarios_run << " scenarios";
  std::printf("reported after %u scenarios (seed %llu):\n%s", r.scenarios_run,
              static_cast<unsigned long long>(r.seed), r.counterexample.c_str());

  // The printed history shows the mistake: one value popped by two calls (values are unique).
  const std::string& text = r.counterexample;
  const std::string history = text.substr(0, text.find("longest linearizable prefix"));
  EXPECT_NE(history.find("not linearizable"), std::string::npos);
  EXPECT_NE(history.find("thread 0:"), std::string::npos);
  EXPECT_NE(history.find("thread 1:"), std::string::npos);
  // (Parsed by hand: std::regex trips g++ 12's -Wmaybe-uninitialized in the ASan build.)
  std::map<std::string, int> pops;
  const std::string popped_value = "] try_pop() -> ";
  for (std::size_t at = history.find(popped_value); at != std::string::npos;
       at = history.find(popped_value, at + 1)) {
    const std::size_t digits = at + popped_value.size();
    const std::size_t length = history.find_first_not_of("0123456789", digits) - digits;
    if (length > 0) ++pops[history.substr(digits, length)];
  }
  bool duplicated = false;
  for (const auto& [value, times] : pops) duplicated = duplicated || times > 1;
  EXPECT_TRUE(duplicated) << "no value popped twice in\n" << text;
}

}  // namespace
