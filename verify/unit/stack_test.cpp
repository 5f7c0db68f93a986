// The stack contract, sequentially, for every stack: LIFO, empty pops, move-only values,
// destruction of what is left, and exceptions from T's constructors that lose nothing.
#include "stack_types.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

namespace {

using lockstep::verify::stack_families;
using lockstep::verify::stack_family_names;

// Counts live instances. Its copy constructor throws while throw_on_copy is set; its move
// constructor throws once moves_before_throw more moves have succeeded (never while it is
// negative), so a test can make each move inside an operation in turn the one that fails.
// Both throw before touching either object.
struct tracked {
  static inline int live = 0;
  static inline bool throw_on_copy = false;
  static inline int moves_before_throw = -1;

  int value;
  explicit tracked(int v) : value(v) { ++live; }
  tracked(const tracked& other) : value(other.value) {
    if (throw_on_copy) throw std::runtime_error("copy");
    ++live;
  }
  tracked(tracked&& other) : value(other.value) {
    if (moves_before_throw == 0) throw std::runtime_error("move");
    if (moves_before_throw > 0) --moves_before_throw;
    other.value = -1;
    ++live;
  }
  tracked& operator=(const tracked&) = delete;
  ~tracked() { --live; }
};

// Move-only, with a move constructor that may throw.
struct tracked_move_only : tracked {
  using tracked::tracked;
  tracked_move_only(tracked_move_only&&) = default;
  tracked_move_only(const tracked_move_only&) = delete;
};

template <class Family>
class stack_test : public ::testing::Test {
 protected:
  void SetUp() override {
    tracked::live = 0;
    tracked::throw_on_copy = false;
    tracked::moves_before_throw = -1;
  }
};
TYPED_TEST_SUITE(stack_test, stack_families, stack_family_names);

TYPED_TEST(stack_test, pops_nothing_when_empty) {
  typename TypeParam::template type<int> stack;
  EXPECT_TRUE(stack.empty());
  EXPECT_EQ(stack.try_pop(), std::nullopt);
}

TYPED_TEST(stack_test, is_last_in_first_out) {
  typename TypeParam::template type<int> stack;
  for (int i = 0; i < 100; ++i) stack.push(i);
  EXPECT_FALSE(stack.empty());
  for (int i = 99; i >= 0; --i) EXPECT_EQ(stack.try_pop(), i);
  EXPECT_EQ(stack.try_pop(), std::nullopt);
  EXPECT_TRUE(stack.empty());
}

TYPED_TEST(stack_test, reuses_storage_across_rounds) {
  typename TypeParam::template type<int> stack;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 50; ++i) stack.push(round * 100 + i);
    for (int i = 49; i >= 0; --i) ASSERT_EQ(stack.try_pop(), round * 100 + i);
  }
}

TYPED_TEST(stack_test, holds_move_only_values) {
  typename TypeParam::template type<std::unique_ptr<int>> stack;
  stack.push(std::make_unique<int>(1));
  stack.push(std::make_unique<int>(2));
  std::optional<std::unique_ptr<int>> top = stack.try_pop();
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(**top, 2);
  EXPECT_EQ(**stack.try_pop(), 1);
}

TYPED_TEST(stack_test, destroys_what_is_left) {
  {
    typename TypeParam::template type<tracked> stack;
    for (int i = 0; i < 10; ++i) stack.push(tracked(i));
    (void)stack.try_pop();
    EXPECT_EQ(tracked::live, 9);
  }
  EXPECT_EQ(tracked::live, 0);
}

TYPED_TEST(stack_test, a_throwing_copy_into_push_loses_nothing) {
  typename TypeParam::template type<tracked> stack;
  stack.push(tracked(1));
  const tracked caller(2);
  tracked::throw_on_copy = true;
  EXPECT_THROW(stack.push(caller), std::runtime_error);
  tracked::throw_on_copy = false;
  EXPECT_EQ(caller.value, 2);
  EXPECT_EQ(stack.try_pop()->value, 1);
  EXPECT_EQ(stack.try_pop(), std::nullopt);
}

// Whichever move inside push throws, nothing is published and the caller keeps its value.
TYPED_TEST(stack_test, a_throwing_move_into_push_loses_nothing) {
  for (int failing_move = 0; failing_move < 4; ++failing_move) {
    typename TypeParam::template type<tracked> stack;
    stack.push(tracked(1));
    tracked caller(2);
    tracked::moves_before_throw = failing_move;
    bool threw = false;
    try {
      stack.push(std::move(caller));
    } catch (const std::runtime_error&) {
      threw = true;
    }
    tracked::moves_before_throw = -1;
    EXPECT_TRUE(threw || failing_move > 0) << "the first move must throw";
    if (threw) {
      EXPECT_EQ(caller.value, 2) << "move " << failing_move;
    } else {
      EXPECT_EQ(stack.try_pop()->value, 2) << "move " << failing_move;
    }
    EXPECT_EQ(stack.try_pop()->value, 1) << "move " << failing_move;
    EXPECT_EQ(stack.try_pop(), std::nullopt) << "move " << failing_move;
  }
}

// Whichever move inside try_pop throws, the value stays on the stack for the next try_pop.
TYPED_TEST(stack_test, a_throwing_move_out_of_pop_loses_nothing) {
  for (int failing_move = 0; failing_move < 4; ++failing_move) {
    typename TypeParam::template type<tracked> stack;
    stack.push(tracked(1));
    stack.push(tracked(2));
    tracked::moves_before_throw = failing_move;
    int top = 0;
    bool threw = false;
    try {
      top = stack.try_pop().value().value;
    } catch (const std::runtime_error&) {
      threw = true;
    }
    tracked::moves_before_throw = -1;
    EXPECT_TRUE(threw || failing_move > 0) << "the first move must throw";
    if (threw) top = stack.try_pop().value().value;
    EXPECT_EQ(top, 2) << "move " << failing_move;
    EXPECT_EQ(stack.try_pop()->value, 1) << "move " << failing_move;
    EXPECT_EQ(stack.try_pop(), std::nullopt) << "move " << failing_move;
  }
}

// Many pushes make the storage grow (a deque's blocks, a pool's nodes); failed pushes and pops
// in between must not disturb what is stored, for a move-only type whose move may throw.
TYPED_TEST(stack_test, failures_while_growing_disturb_nothing) {
  {
    typename TypeParam::template type<tracked_move_only> stack;
    for (int i = 0; i < 2000; ++i) {
      stack.push(tracked_move_only(i));
      if (i % 97 == 0) {
        tracked_move_only extra(-2);
        tracked::moves_before_throw = 0;
        EXPECT_THROW(stack.push(std::move(extra)), std::runtime_error);
        EXPECT_THROW((void)stack.try_pop(), std::runtime_error);
        tracked::moves_before_throw = -1;
        EXPECT_EQ(extra.value, -2);
      }
    }
    for (int i = 1999; i >= 0; --i) {
      std::optional<tracked_move_only> top = stack.try_pop();
      ASSERT_TRUE(top.has_value());
      EXPECT_EQ(top->value, i);
    }
    EXPECT_EQ(stack.try_pop(), std::nullopt);
  }
  EXPECT_EQ(tracked::live, 0);
}

}  // namespace
