// The work-stealing deque specification (verify/lin/deque_spec.hpp) on handcrafted histories
// whose verdicts are known: the owner's end is LIFO, the thieves' end FIFO, no value is taken
// twice, and a steal answers empty while values remain only beside another thief's successful
// steal (the race it lost), under real-time and happens-before precedence alike.
#include <lockstep/verify/lin/checker.hpp>
#include <lockstep/verify/lin/deque_spec.hpp>
#include <lockstep/verify/lin/order_checker.hpp>

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace lin = lockstep::verify::lin;
using lin::deque_answer;
using lin::deque_op;
using lin::work_stealing_spec;

// Thread 0 is the owner, the others thieves.
lin::call_of<work_stealing_spec> c(unsigned thread, lin::stamp invoked, lin::stamp returned,
                                   deque_op op, deque_answer answer) {
  return {thread, op, answer, invoked, returned};
}
const deque_op pop = deque_op::pop();
const deque_op steal = deque_op::steal();
deque_op push(std::int64_t v) { return deque_op::push(v); }
const deque_answer ok = deque_answer::ok();
const deque_answer empty = deque_answer::empty();
deque_answer got(std::int64_t v) { return deque_answer::popped(v); }

bool linearizable(lin::history<work_stealing_spec> h) {
  lin::annotate_deque(h);
  return static_cast<bool>(lin::check(h, work_stealing_spec()));
}

TEST(lin_deque_spec, the_owner_pops_lifo_and_thieves_steal_fifo) {
  EXPECT_TRUE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 3, push(2), ok), c(0, 4, 5, push(3), ok),
                    c(0, 6, 7, pop, got(3)), c(1, 8, 9, steal, got(1)), c(0, 10, 11, pop, got(2)),
                    c(0, 12, 13, pop, empty), c(1, 14, 15, steal, empty)}));
  // LIFO violated at the owner's end.
  EXPECT_FALSE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 3, push(2), ok), c(0, 4, 5, pop, got(1))}));
  // FIFO violated at the thieves' end.
  EXPECT_FALSE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 3, push(2), ok), c(1, 4, 5, steal, got(2))}));
  // A pop that says empty while a value remains.
  EXPECT_FALSE(linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 3, pop, empty)}));
}

TEST(lin_deque_spec, no_value_is_taken_twice) {
  // The last value, raced for by the owner and a thief: one of them gets it.
  EXPECT_TRUE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 5, pop, got(1)), c(1, 3, 6, steal, empty)}));
  EXPECT_TRUE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 5, pop, empty), c(1, 3, 6, steal, got(1))}));
  EXPECT_FALSE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 5, pop, got(1)), c(1, 3, 6, steal, got(1))}));
  // Two thieves, one value.
  EXPECT_FALSE(linearizable(
      {c(0, 0, 1, push(1), ok), c(1, 2, 5, steal, got(1)), c(2, 3, 6, steal, got(1))}));
  // A value never pushed.
  EXPECT_FALSE(linearizable({c(0, 0, 1, push(1), ok), c(1, 2, 3, steal, got(7))}));
}

TEST(lin_deque_spec, a_steal_fails_only_when_it_lost_a_race_to_another_steal) {
  // Two values stay in the deque throughout; the empty steal overlaps a successful steal.
  EXPECT_TRUE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 3, push(2), ok), c(0, 4, 5, push(3), ok),
                    c(1, 6, 9, steal, got(1)), c(2, 7, 10, steal, empty)}));
  // The same empty steal with no steal beside it: no race explains it.
  EXPECT_FALSE(linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 3, push(2), ok),
                             c(1, 4, 5, steal, got(1)), c(2, 6, 7, steal, empty)}));
  // Beside only the owner's calls, which take from the other end or add: not a lost race.
  EXPECT_FALSE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 3, push(2), ok), c(0, 4, 9, pop, got(2)),
                    c(1, 5, 8, steal, empty), c(0, 10, 11, pop, got(1))}));
  EXPECT_FALSE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 9, push(2), ok), c(1, 5, 8, steal, empty)}));
  // Beside a steal that itself came back empty: no race was won, so none was lost.
  EXPECT_FALSE(linearizable({c(0, 0, 1, push(1), ok), c(1, 2, 5, steal, empty),
                             c(2, 3, 6, steal, empty), c(0, 7, 8, pop, got(1))}));
  // The owner's pop of the last value, overlapping the steal: the deque was empty in between,
  // so the steal's empty is exact there, and a push after the pop does not change that.
  EXPECT_TRUE(
      linearizable({c(0, 0, 1, push(1), ok), c(0, 2, 5, pop, got(1)), c(0, 6, 7, push(2), ok),
                    c(1, 3, 8, steal, empty), c(0, 9, 10, pop, got(2))}));
}

TEST(lin_deque_spec, happens_before_precedence_is_annotated_alike) {
  // The model checker's precedence: bit j of preceded_by is call j. Pushes 1 and 2 precede the
  // two steals, which are concurrent: one takes 1, the other may lose the race.
  const auto run = [](deque_answer second) {
    std::vector<lin::ordered_call<work_stealing_spec>> calls = {
        {0, push(1), ok, 0b0},
        {0, push(2), ok, 0b1},
        {1, steal, got(1), 0b11},
        {2, steal, second, 0b11},
    };
    lin::annotate_deque(calls);
    return static_cast<bool>(lin::check_order(calls, work_stealing_spec()));
  };
  EXPECT_TRUE(run(empty));
  EXPECT_TRUE(run(got(2)));
  EXPECT_FALSE(run(got(1)));
}

}  // namespace
