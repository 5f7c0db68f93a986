// lockfree::scq's own cases, beyond the queue contract every queue passes (queue_test.cpp): the
// capacity rule, exact full answers, cycles advancing over many laps, exception safety, the
// destruction of what is left, and real threads (4 producers, 4 consumers) checked for
// conservation and per-producer FIFO.
#include <lockstep/lockfree/scq.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using lockstep::lockfree::scq;

static_assert(lockstep::sync::bounded_queue<scq<int>>);
static_assert(lockstep::sync::bounded_queue<scq<std::unique_ptr<int>>>);
static_assert(!std::is_copy_constructible_v<scq<int>>);

TEST(scq, capacity_zero_is_invalid) { EXPECT_THROW(scq<int>(0), std::invalid_argument); }

TEST(scq, capacity_past_the_largest_is_a_length_error) {
  EXPECT_THROW(scq<int>(scq<int>::largest_capacity + 1), std::length_error);
}

TEST(scq, capacity_rounds_up_to_a_power_of_two) {
  EXPECT_EQ(scq<int>(1).capacity(), 1u);
  EXPECT_EQ(scq<int>(2).capacity(), 2u);
  EXPECT_EQ(scq<int>(3).capacity(), 4u);
  EXPECT_EQ(scq<int>(5).capacity(), 8u);
  EXPECT_EQ(scq<int>(1000).capacity(), 1024u);
}

// Capacities below, at and above one cache line of ring entries (8 natively: the remapping of
// positions to lines starts past it).
class scq_capacity : public ::testing::TestWithParam<std::size_t> {};
INSTANTIATE_TEST_SUITE_P(sizes, scq_capacity, ::testing::Values(1, 2, 4, 8, 16, 64));

TEST_P(scq_capacity, exactly_capacity_pushes_succeed_then_the_queue_is_full) {
  scq<std::unique_ptr<int>> q(GetParam());
  for (std::size_t i = 0; i < q.capacity(); ++i) {
    ASSERT_TRUE(q.try_push(std::make_unique<int>(static_cast<int>(i))));
  }
  auto refused = std::make_unique<int>(-1);
  int* const address = refused.get();
  EXPECT_FALSE(q.try_push(std::move(refused)));
  EXPECT_EQ(refused.get(), address);  // the rvalue overload left the caller's value alone
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(*refused, -1);

  // One pop makes room for exactly one push.
  std::optional<std::unique_ptr<int>> first = q.try_pop();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(**first, 0);
  EXPECT_TRUE(q.try_push(std::move(refused)));
  EXPECT_FALSE(q.try_push(std::make_unique<int>(-2)));
  for (std::size_t i = 1; i < q.capacity(); ++i) {
    std::optional<std::unique_ptr<int>> v = q.try_pop();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(**v, static_cast<int>(i));
  }
  std::optional<std::unique_ptr<int>> last = q.try_pop();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(**last, -1);
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

// Every lap of the rings advances their cycles: thousands of laps at each fill level, with the
// queue filled to the brim on the way, and empty pops in between (each burns a position).
TEST_P(scq_capacity, fifo_holds_over_thousands_of_cycles) {
  scq<int> q(GetParam());
  const int capacity = static_cast<int>(q.capacity());
  int next_in = 0;
  int next_out = 0;
  for (int round = 0; round < 3'000; ++round) {
    const int batch = 1 + round % capacity;
    for (int i = 0; i < batch; ++i) ASSERT_TRUE(q.try_push(next_in++));
    if (batch == capacity) {
      ASSERT_FALSE(q.try_push(-1));
    }
    for (int i = 0; i < batch; ++i) ASSERT_EQ(q.try_pop(), next_out++);
    ASSERT_EQ(q.try_pop(), std::nullopt);
    ASSERT_EQ(q.try_pop(), std::nullopt);
  }
}

// Counts live instances; moving can be made to throw.
struct tracked {
  static inline int live = 0;
  static inline bool throw_on_move = false;
  int value;
  explicit tracked(int v) : value(v) { ++live; }
  tracked(const tracked& other) : value(other.value) { ++live; }
  tracked(tracked&& other) : value(other.value) {
    if (throw_on_move) throw std::runtime_error("move");
    ++live;
  }
  tracked& operator=(const tracked&) = delete;
  ~tracked() { --live; }
};

TEST(scq, a_throwing_push_leaves_the_queue_unchanged) {
  tracked::live = 0;
  {
    scq<tracked> q(2);
    ASSERT_TRUE(q.try_push(tracked(1)));
    tracked::throw_on_move = true;
    tracked second(2);
    EXPECT_THROW(q.try_push(std::move(second)), std::runtime_error);
    tracked::throw_on_move = false;
    EXPECT_EQ(second.value, 2);
    // The slot went back: both slots are still usable, and the first value is still first.
    ASSERT_TRUE(q.try_push(tracked(3)));
    EXPECT_FALSE(q.try_push(tracked(4)));
    EXPECT_EQ(q.try_pop()->value, 1);
    EXPECT_EQ(q.try_pop()->value, 3);
    EXPECT_FALSE(q.try_pop().has_value());
  }
  EXPECT_EQ(tracked::live, 0);
}

TEST(scq, a_throwing_pop_loses_nothing) {
  tracked::live = 0;
  {
    scq<tracked> q(4);
    ASSERT_TRUE(q.try_push(tracked(1)));
    ASSERT_TRUE(q.try_push(tracked(2)));
    tracked::throw_on_move = true;
    EXPECT_THROW(q.try_pop(), std::runtime_error);
    tracked::throw_on_move = false;
    // The value that could not be moved out went back, behind the others (see the header).
    EXPECT_EQ(q.try_pop()->value, 2);
    EXPECT_EQ(q.try_pop()->value, 1);
    EXPECT_FALSE(q.try_pop().has_value());
  }
  EXPECT_EQ(tracked::live, 0);
}

TEST(scq, the_destructor_destroys_the_values_left) {
  tracked::live = 0;
  {
    scq<tracked> q(8);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.try_push(tracked(i)));
    EXPECT_EQ(q.try_pop()->value, 0);
    EXPECT_EQ(tracked::live, 4);
  }
  EXPECT_EQ(tracked::live, 0);
}

// Not default-constructible, move-only: the slots hold no value until one is pushed.
struct no_default {
  explicit no_default(int v) : value(std::make_unique<int>(v)) {}
  std::unique_ptr<int> value;
};

TEST(scq, holds_values_that_are_neither_default_constructible_nor_copyable) {
  scq<no_default> q(2);
  ASSERT_TRUE(q.try_push(no_default(7)));
  std::optional<no_default> v = q.try_pop();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v->value, 7);
}

// 4 producers and 4 consumers on a small ring (full and empty answers all the time, cycles
// advancing fast): every value comes out exactly once, and each consumer sees each producer's
// values in increasing order.
TEST(scq, four_producers_four_consumers_conserve_values_in_fifo_per_producer) {
  constexpr int producers = 4;
  constexpr int consumers = 4;
  constexpr int per_producer = 60'000;
  scq<int> q(16);
  std::atomic<int> consumed{0};
  std::vector<std::vector<int>> seen(consumers);
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&q, p] {
      for (int i = 0; i < per_producer; ++i) {
        while (!q.try_push(p * per_producer + i)) std::this_thread::yield();
      }
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&q, &consumed, &seen, c] {
      std::vector<int> last(producers, -1);
      while (consumed.load(std::memory_order_relaxed) < producers * per_producer) {
        std::optional<int> v = q.try_pop();
        if (!v) {
          std::this_thread::yield();
          continue;
        }
        consumed.fetch_add(1, std::memory_order_relaxed);
        const int producer = *v / per_producer;
        if (*v <= last[producer]) {
          seen[c].push_back(-1);  // a FIFO violation, reported below
        }
        last[producer] = *v;
        seen[c].push_back(*v);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  std::vector<int> count(producers * per_producer, 0);
  for (const std::vector<int>& values : seen) {
    for (int v : values) {
      ASSERT_GE(v, 0) << "a consumer saw a producer's values out of order";
      ASSERT_LT(v, producers * per_producer);
      ++count[static_cast<std::size_t>(v)];
    }
  }
  for (int v = 0; v < producers * per_producer; ++v)
    ASSERT_EQ(count[static_cast<std::size_t>(v)], 1) << v;
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

}  // namespace
