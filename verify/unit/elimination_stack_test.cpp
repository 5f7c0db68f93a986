// lockfree::elimination_stack in the shapes of its elimination array: one, four and eight
// slots, and zero patience, where every contended round withdraws at once. The contract every
// stack shares (move-only values, destruction, exceptions) is in stack_test.cpp.
#include <lockstep/lockfree/elimination_stack.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace {

using lockstep::hazard::tagged_pool;
using lockstep::lockfree::elimination_stack;

template <class Stack>
class ElimStack : public ::testing::Test {};

using shapes = ::testing::Types<elimination_stack<int>, elimination_stack<int, tagged_pool, 1>,
                                elimination_stack<int, tagged_pool, 8>>;
TYPED_TEST_SUITE(ElimStack, shapes);

TYPED_TEST(ElimStack, NewStackIsEmpty) {
  TypeParam stack;
  EXPECT_TRUE(stack.empty());
  EXPECT_EQ(stack.try_pop(), std::nullopt);
  EXPECT_EQ(stack.eliminations(), 0u);
}

TYPED_TEST(ElimStack, PopsInLifoOrder) {
  TypeParam stack;
  for (int i = 1; i <= 100; ++i) stack.push(i);
  EXPECT_FALSE(stack.empty());
  for (int i = 100; i >= 1; --i) EXPECT_EQ(stack.try_pop(), i);
  EXPECT_TRUE(stack.empty());
  EXPECT_EQ(stack.try_pop(), std::nullopt);
}

TYPED_TEST(ElimStack, InterleavedPushesAndPopsFollowTheSequentialStack) {
  TypeParam stack;
  stack.push(1);
  stack.push(2);
  EXPECT_EQ(stack.try_pop(), 2);
  stack.push(3);
  EXPECT_EQ(stack.try_pop(), 3);
  EXPECT_EQ(stack.try_pop(), 1);
  EXPECT_EQ(stack.try_pop(), std::nullopt);
  stack.push(4);
  EXPECT_EQ(stack.try_pop(), 4);
  // Without contention no CAS on the head fails, so nothing goes through the array.
  EXPECT_EQ(stack.eliminations(), 0u);
}

TEST(ElimStack, ZeroPatienceIsStillAStack) {
  elimination_stack<int, tagged_pool, 1> stack(0);
  for (int i = 0; i < 10; ++i) stack.push(i);
  for (int i = 9; i >= 0; --i) EXPECT_EQ(stack.try_pop(), i);
  EXPECT_EQ(stack.try_pop(), std::nullopt);
}

}  // namespace
