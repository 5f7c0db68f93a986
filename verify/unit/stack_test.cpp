// The stack contract, sequentially, for every stack: LIFO, empty pops, move-only values,
// destruction of what is left, and exceptions from T's constructors that lose nothing.
#include "stack_types.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

namespace {

using lockstep::verify::stack_families;
using lockstep::verify::stack_family_names;

// Counts live instances, and throws from its copy or move constructor on demand.
struct tracked {
  static inline int live = 0;
  static inline bool throw_on_copy = false;
  static inline bool throw_on_move = false;

  int value;
  explicit tracked(int v) : value(v) { ++live; }
  tracked(const tracked& other) : value(other.value) {
    if (throw_on_copy) throw std::runtime_error("copy");
    ++live;
  }
  tracked(tracked&& other) : value(other.value) {
    if (throw_on_move) throw std::runtime_error("move");
    ++live;
  }
  tracked& operator=(const tracked&) = delete;
  ~tracked() { --live; }
};

template <class Family>
class stack_test : public ::testing::Test {
 protected:
  void SetUp() override {
    tracked::live = 0;
    tracked::throw_on_copy = false;
    tracked::throw_on_move = false;
  }
  void TearDown() override {
    tracked::throw_on_copy = false;
    tracked::throw_on_move = false;
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

TYPED_TEST(stack_test, a_throwing_move_out_of_pop_loses_nothing) {
  typename TypeParam::template type<tracked> stack;
  stack.push(tracked(1));
  stack.push(tracked(2));
  tracked::throw_on_move = true;
  EXPECT_THROW((void)stack.try_pop(), std::runtime_error);
  tracked::throw_on_move = false;
  EXPECT_EQ(stack.try_pop()->value, 2);
  EXPECT_EQ(stack.try_pop()->value, 1);
  EXPECT_EQ(stack.try_pop(), std::nullopt);
}

}  // namespace
