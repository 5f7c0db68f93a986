// The two lock-free rings, lockfree::bounded_queue (Vyukov's MPMC ring) and lockfree::spsc_queue
// (Lamport's ring with cached indices), on what the generic queue suites do not cover: the
// capacity rule at its edges, exact full answers and the caller's value after one, many laps of
// the ring, values that are move-only or have no default constructor, constructors that throw,
// the destruction of what is left, and the SPSC ring under one real producer and one consumer.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include <lockstep/lockfree/bounded_queue.hpp>
#include <lockstep/lockfree/spsc_queue.hpp>
#include <lockstep/sync/containers.hpp>

#include <gtest/gtest.h>

#include "counted.hpp"

namespace {

using lockstep::lockfree::bounded_queue;
using lockstep::lockfree::spsc_queue;

template <template <class> class Ring>
struct ring_family {
  template <class T>
  using type = Ring<T>;
};

template <class Family>
class ring_queue_test : public ::testing::Test {};

using rings = ::testing::Types<ring_family<bounded_queue>, ring_family<spsc_queue>>;
struct ring_names {
  template <class Family>
  static std::string GetName(int index) {
    return index == 0 ? "bounded_queue" : "spsc_queue";
  }
};
TYPED_TEST_SUITE(ring_queue_test, rings, ring_names);

using lockstep::verify::counted;

// No default constructor, no assignment.
struct no_default {
  explicit no_default(int v) : value(v) {}
  no_default(const no_default&) = default;
  no_default& operator=(const no_default&) = delete;
  int value;
};

// Copying and moving throw while `armed`; the source is left as it was.
struct fragile {
  static inline bool armed = false;
  int value;
  explicit fragile(int v) : value(v) {}
  fragile(const fragile& other) : value(other.value) {
    if (armed) throw std::runtime_error("fragile copy");
  }
  fragile(fragile&& other) : value(other.value) {
    if (armed) throw std::runtime_error("fragile move");
  }
  fragile& operator=(const fragile&) = delete;
};

TYPED_TEST(ring_queue_test, models_the_bounded_queue_concept) {
  using queue = typename TypeParam::template type<int>;
  static_assert(lockstep::sync::bounded_queue<queue>);
  static_assert(!std::is_copy_constructible_v<queue> && !std::is_copy_assignable_v<queue>);
  static_assert(std::has_single_bit(queue::max_capacity));
}

TYPED_TEST(ring_queue_test, capacity_zero_is_invalid) {
  using queue = typename TypeParam::template type<int>;
  EXPECT_THROW(queue q(0), std::invalid_argument);
}

TYPED_TEST(ring_queue_test, capacity_above_the_largest_supported_is_a_length_error) {
  using queue = typename TypeParam::template type<int>;
  EXPECT_THROW(queue q(queue::max_capacity + 1), std::length_error);
  EXPECT_THROW(queue q(std::numeric_limits<std::size_t>::max()), std::length_error);
}

TYPED_TEST(ring_queue_test, capacity_rounds_up_to_a_power_of_two) {
  using queue = typename TypeParam::template type<int>;
  EXPECT_EQ(queue(1).capacity(), 1u);
  EXPECT_EQ(queue(2).capacity(), 2u);
  EXPECT_EQ(queue(3).capacity(), 4u);
  EXPECT_EQ(queue(5).capacity(), 8u);
  EXPECT_EQ(queue(8).capacity(), 8u);
  EXPECT_EQ(queue(1000).capacity(), 1024u);
}

TYPED_TEST(ring_queue_test, exactly_capacity_pushes_succeed_and_a_full_push_keeps_the_value) {
  for (std::size_t requested : {1u, 2u, 5u, 64u}) {
    typename TypeParam::template type<std::unique_ptr<int>> q(requested);
    for (std::size_t i = 0; i < q.capacity(); ++i) {
      ASSERT_TRUE(q.try_push(std::make_unique<int>(static_cast<int>(i)))) << i;
    }
    auto extra = std::make_unique<int>(-1);
    EXPECT_FALSE(q.try_push(std::move(extra)));
    ASSERT_NE(extra, nullptr) << "a failed rvalue push must leave the caller's value";
    EXPECT_EQ(*extra, -1);
    // One pop makes room for exactly one more.
    std::optional<std::unique_ptr<int>> first = q.try_pop();
    ASSERT_TRUE(first && *first);
    EXPECT_EQ(**first, 0);
    EXPECT_TRUE(q.try_push(std::move(extra)));
    EXPECT_FALSE(q.try_push(std::make_unique<int>(-2)));
    for (std::size_t i = 1; i < q.capacity(); ++i) {
      std::optional<std::unique_ptr<int>> v = q.try_pop();
      ASSERT_TRUE(v && *v);
      EXPECT_EQ(**v, static_cast<int>(i));
    }
    std::optional<std::unique_ptr<int>> last = q.try_pop();
    ASSERT_TRUE(last && *last);
    EXPECT_EQ(**last, -1);
    EXPECT_FALSE(q.try_pop());
  }
}

TYPED_TEST(ring_queue_test, wraps_around_many_times_at_every_fill_level) {
  for (std::size_t capacity : {1u, 2u, 4u, 8u}) {
    typename TypeParam::template type<int> q(capacity);
    int next_in = 0;
    int next_out = 0;
    for (int lap = 0; lap < 1000; ++lap) {
      // Fill to a level that changes from lap to lap, then drain part of it.
      const std::size_t level = 1 + static_cast<std::size_t>(lap) % capacity;
      while (static_cast<std::size_t>(next_in - next_out) < level)
        ASSERT_TRUE(q.try_push(next_in++));
      const int drain = 1 + lap % static_cast<int>(level);
      for (int i = 0; i < drain; ++i) {
        std::optional<int> v = q.try_pop();
        ASSERT_TRUE(v);
        ASSERT_EQ(*v, next_out++);
      }
    }
    while (std::optional<int> v = q.try_pop()) ASSERT_EQ(*v, next_out++);
    EXPECT_EQ(next_out, next_in);
    EXPECT_GT(next_in, static_cast<int>(100 * capacity)) << "the ring must have lapped";
  }
}

TYPED_TEST(ring_queue_test, holds_move_only_values) {
  typename TypeParam::template type<std::unique_ptr<int>> q(4);
  auto p = std::make_unique<int>(42);
  ASSERT_TRUE(q.try_push(std::move(p)));
  EXPECT_EQ(p, nullptr);
  std::optional<std::unique_ptr<int>> v = q.try_pop();
  ASSERT_TRUE(v && *v);
  EXPECT_EQ(**v, 42);
}

TYPED_TEST(ring_queue_test, holds_values_without_a_default_constructor) {
  static_assert(!std::is_default_constructible_v<no_default>);
  typename TypeParam::template type<no_default> q(2);
  const no_default a(1);
  ASSERT_TRUE(q.try_push(a));
  ASSERT_TRUE(q.try_push(no_default(2)));
  EXPECT_FALSE(q.try_push(no_default(3)));
  EXPECT_EQ(q.try_pop()->value, 1);
  EXPECT_EQ(q.try_pop()->value, 2);
  EXPECT_FALSE(q.try_pop());
}

TYPED_TEST(ring_queue_test, the_destructor_destroys_the_values_left) {
  counted::live = 0;
  {
    typename TypeParam::template type<counted> q(8);
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(q.try_push(counted(i)));
    ASSERT_TRUE(q.try_pop());
    ASSERT_TRUE(q.try_pop());
    EXPECT_EQ(counted::live, 4);
  }
  EXPECT_EQ(counted::live, 0);
  {
    // Left over after the ring lapped: the live positions straddle the end of the array.
    typename TypeParam::template type<counted> q(4);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.try_push(counted(i)));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.try_pop());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.try_push(counted(i)));
    EXPECT_EQ(counted::live, 3);
  }
  EXPECT_EQ(counted::live, 0);
}

// A push whose copy or move throws adds nothing, loses nothing and keeps the caller's value.
TYPED_TEST(ring_queue_test, a_throwing_push_leaves_the_values_and_the_callers_value) {
  typename TypeParam::template type<fragile> q(4);
  ASSERT_TRUE(q.try_push(fragile(1)));
  ASSERT_TRUE(q.try_push(fragile(2)));
  fragile moved(3);
  const fragile copied(4);
  fragile::armed = true;
  EXPECT_THROW(q.try_push(std::move(moved)), std::runtime_error);
  EXPECT_THROW(q.try_push(copied), std::runtime_error);
  fragile::armed = false;
  EXPECT_EQ(moved.value, 3);
  EXPECT_EQ(copied.value, 4);
  EXPECT_EQ(q.try_pop()->value, 1);
  EXPECT_EQ(q.try_pop()->value, 2);
  EXPECT_FALSE(q.try_pop());
  // Every slot is usable again (bounded_queue's holes have been passed by the pops above).
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(q.try_push(fragile(10 + i))) << i;
  EXPECT_FALSE(q.try_push(fragile(14)));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(q.try_pop()->value, 10 + i);
}

// bounded_queue: a hole takes its slot until a pop passes it (lockfree/bounded_queue.hpp).
TEST(bounded_queue_test, a_throwing_push_holds_its_slot_until_a_pop_passes_it) {
  bounded_queue<fragile> q(2);
  ASSERT_TRUE(q.try_push(fragile(1)));
  fragile::armed = true;
  EXPECT_THROW(q.try_push(fragile(2)), std::runtime_error);
  fragile::armed = false;
  EXPECT_FALSE(q.try_push(fragile(3))) << "the hole and value 1 fill the ring";
  EXPECT_EQ(q.try_pop()->value, 1);
  EXPECT_FALSE(q.try_pop()) << "a hole is not a value";
  EXPECT_TRUE(q.try_push(fragile(4)));
  EXPECT_TRUE(q.try_push(fragile(5)));
  EXPECT_EQ(q.try_pop()->value, 4);
  EXPECT_EQ(q.try_pop()->value, 5);
}

// spsc_queue: a pop whose move throws leaves the value in the queue (the strong guarantee).
TEST(spsc_queue_test, a_throwing_pop_leaves_the_value_in_the_queue) {
  spsc_queue<fragile> q(2);
  ASSERT_TRUE(q.try_push(fragile(1)));
  ASSERT_TRUE(q.try_push(fragile(2)));
  fragile::armed = true;
  EXPECT_THROW(q.try_pop(), std::runtime_error);
  fragile::armed = false;
  EXPECT_FALSE(q.try_push(fragile(3))) << "still full: nothing was removed";
  EXPECT_EQ(q.try_pop()->value, 1);
  EXPECT_EQ(q.try_pop()->value, 2);
  EXPECT_FALSE(q.try_pop());
}

// bounded_queue: a pop whose move throws has claimed its position and cannot give it back: the
// value is destroyed, the exception propagates, and the rest of the queue is intact.
TEST(bounded_queue_test, a_throwing_pop_destroys_its_value_and_keeps_the_rest) {
  bounded_queue<fragile> q(2);
  ASSERT_TRUE(q.try_push(fragile(1)));
  ASSERT_TRUE(q.try_push(fragile(2)));
  fragile::armed = true;
  EXPECT_THROW(q.try_pop(), std::runtime_error);
  fragile::armed = false;
  EXPECT_EQ(q.try_pop()->value, 2);
  EXPECT_FALSE(q.try_pop());
  EXPECT_TRUE(q.try_push(fragile(3)));
  EXPECT_TRUE(q.try_push(fragile(4)));
  EXPECT_FALSE(q.try_push(fragile(5)));
}

// One real producer thread and one real consumer thread: a million values, in order, through a
// small ring (so the cached indices go stale constantly) and a larger one.
TEST(spsc_queue_test, one_producer_and_one_consumer_thread_pass_a_million_values_in_order) {
  constexpr std::uint32_t values = 1'000'000;
  for (std::size_t capacity : {4u, 1024u}) {
    spsc_queue<std::uint32_t> q(capacity);
    std::thread producer([&] {
      for (std::uint32_t v = 0; v < values; ++v) {
        while (!q.try_push(v)) std::this_thread::yield();
      }
    });
    std::uint32_t expected = 0;
    bool in_order = true;
    while (expected < values) {
      std::optional<std::uint32_t> v = q.try_pop();
      if (!v) {
        std::this_thread::yield();
        continue;
      }
      in_order = in_order && *v == expected;
      ++expected;
    }
    producer.join();
    EXPECT_TRUE(in_order) << "capacity " << capacity;
    EXPECT_FALSE(q.try_pop());
  }
}

}  // namespace
