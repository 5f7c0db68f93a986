// The queue contract, for every queue: empty pops, FIFO, wrap-around, move-only values, the
// destruction of what is left, and, for the bounded ones, the capacity rule of
// sync::ring_capacity and exact full answers. Then one producer and one consumer thread, for
// every queue the SPSC ring included. Each structure's own header-specific cases (exception
// safety, reclaimer statistics, segment edge cases) are in its own test file.
#include "counted.hpp"
#include "queue_types.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

namespace {

using lockstep::verify::queue_families;
using lockstep::verify::queue_family_names;
using lockstep::verify::spsc_capable_families;
using lockstep::verify::spsc_capable_family_names;

using lockstep::verify::counted;

// Pushes v: push on an unbounded queue, try_push (which must succeed) on a bounded one.
template <class Queue, class V>
void put(Queue& q, V&& v) {
  if constexpr (lockstep::sync::bounded_queue<Queue>) {
    ASSERT_TRUE(q.try_push(std::forward<V>(v)));
  } else {
    q.push(std::forward<V>(v));
  }
}

template <class Family>
class queue_test : public ::testing::Test {};
TYPED_TEST_SUITE(queue_test, queue_families, queue_family_names);

TYPED_TEST(queue_test, models_the_queue_concept) {
  using queue = typename TypeParam::template type<int>;
  static_assert(lockstep::sync::queue<queue>);
  static_assert(!std::is_copy_constructible_v<queue>);
}

TYPED_TEST(queue_test, a_new_queue_is_empty) {
  auto q = TypeParam::template make<int>(8);
  EXPECT_EQ(q->try_pop(), std::nullopt);
  EXPECT_EQ(q->try_pop(), std::nullopt);
}

TYPED_TEST(queue_test, values_come_out_in_the_order_they_went_in) {
  auto q = TypeParam::template make<int>(128);
  for (int i = 0; i < 100; ++i) put(*q, i);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(q->try_pop(), i);
  EXPECT_EQ(q->try_pop(), std::nullopt);
}

// Ring indices wrap and segments are appended and retired many times over.
TYPED_TEST(queue_test, fifo_survives_many_wrap_arounds) {
  auto q = TypeParam::template make<int>(4);
  int next_in = 0;
  int next_out = 0;
  for (int round = 0; round < 5'000; ++round) {
    for (int i = 0; i < 3; ++i) put(*q, next_in++);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(q->try_pop(), next_out++);
  }
  EXPECT_EQ(q->try_pop(), std::nullopt);
}

TYPED_TEST(queue_test, holds_move_only_values) {
  auto q = TypeParam::template make<std::unique_ptr<int>>(8);
  put(*q, std::make_unique<int>(1));
  put(*q, std::make_unique<int>(2));
  std::optional<std::unique_ptr<int>> a = q->try_pop();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ(**a, 1);
  std::optional<std::unique_ptr<int>> b = q->try_pop();
  ASSERT_TRUE(b && *b);
  EXPECT_EQ(**b, 2);
}

TYPED_TEST(queue_test, destroys_what_is_left_exactly_once) {
  counted::live = 0;
  {
    auto q = TypeParam::template make<counted>(16);
    for (int i = 0; i < 10; ++i) put(*q, counted(i));
    for (int i = 0; i < 4; ++i) EXPECT_EQ(q->try_pop()->value, i);
    EXPECT_EQ(counted::live, 6);
  }
  EXPECT_EQ(counted::live, 0);
}

TYPED_TEST(queue_test, bounded_capacity_is_checked_rounded_and_exact) {
  if constexpr (!TypeParam::bounded) {
    GTEST_SKIP() << "unbounded";
  } else {
    using queue = typename TypeParam::template type<int>;
    EXPECT_THROW(queue(0), std::invalid_argument);
    EXPECT_THROW(queue(std::numeric_limits<std::size_t>::max()), std::length_error);
    queue q(5);
    EXPECT_EQ(q.capacity(), 8u) << "rounded up to a power of two";
    for (int i = 0; i < 8; ++i) EXPECT_TRUE(q.try_push(i));
    EXPECT_FALSE(q.try_push(8)) << "full";
    EXPECT_EQ(q.try_pop(), 0);
    EXPECT_TRUE(q.try_push(8)) << "a pop made room";
    for (int i = 1; i <= 8; ++i) EXPECT_EQ(q.try_pop(), i);
    EXPECT_EQ(q.try_pop(), std::nullopt);
  }
}

TYPED_TEST(queue_test, a_refused_value_stays_with_the_caller) {
  if constexpr (!TypeParam::bounded) {
    GTEST_SKIP() << "unbounded";
  } else {
    typename TypeParam::template type<std::unique_ptr<int>> q(1);
    ASSERT_EQ(q.capacity(), 1u);
    EXPECT_TRUE(q.try_push(std::make_unique<int>(1)));
    auto mine = std::make_unique<int>(2);
    EXPECT_FALSE(q.try_push(std::move(mine)));
    ASSERT_NE(mine, nullptr) << "try_push moved from a value it refused";
    EXPECT_EQ(*mine, 2);
  }
}

template <class Family>
class queue_pair_test : public ::testing::Test {};
TYPED_TEST_SUITE(queue_pair_test, spsc_capable_families, spsc_capable_family_names);

// One producer and one consumer thread: every value arrives, in order, none twice.
TYPED_TEST(queue_pair_test, one_producer_one_consumer_in_order) {
  constexpr std::uint64_t count = 200'000;
  auto q = TypeParam::template make<std::uint64_t>(64);
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < count; ++i) {
      if constexpr (TypeParam::bounded) {
        while (!q->try_push(i)) std::this_thread::yield();
      } else {
        q->push(i);
      }
    }
  });
  std::uint64_t expected = 0;
  while (expected < count) {
    if (std::optional<std::uint64_t> v = q->try_pop()) {
      ASSERT_EQ(*v, expected);
      ++expected;
    } else {
      std::this_thread::yield();
    }
  }
  producer.join();
  EXPECT_EQ(q->try_pop(), std::nullopt);
}

}  // namespace
