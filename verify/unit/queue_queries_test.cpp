// empty() and size() of every queue: sequentially, where they are exact; in a small concurrent
// run (one producer, one consumer, one thread that only asks), where each header states what
// they promise; and in ports of Boost.Lockfree's tests that call empty() throughout.
#include "queue_types.hpp"

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace {

using lockstep::verify::queue_family;

template <class T>
using bounded_strong = lockstep::lockfree::bounded_queue<T, lockstep::lockfree::answers::strong>;

// Every queue of queue_types.hpp, the SPSC ring and the strong Vyukov ring.
using all_queues = ::testing::Types<
    queue_family<lockstep::verify::ms_tagged>, queue_family<lockstep::verify::ms_wide_tagged>,
    queue_family<lockstep::verify::ms_hazard_pointers>, queue_family<lockstep::verify::ms_epochs>,
    queue_family<lockstep::verify::ms_leaking>, queue_family<lockstep::verify::faa_hazard_pointers>,
    queue_family<lockstep::verify::faa_epochs>, queue_family<lockstep::verify::faa_small_segments>,
    queue_family<lockstep::verify::bounded>, queue_family<bounded_strong>,
    queue_family<lockstep::verify::scq>, queue_family<lockstep::verify::spsc>,
    queue_family<lockstep::verify::locked_queue>, queue_family<lockstep::verify::locked_queue_mcs>,
    queue_family<lockstep::verify::locked_bounded>, queue_family<lockstep::verify::two_lock>,
    queue_family<lockstep::verify::two_lock_tatas>, queue_family<lockstep::verify::fc_queue>>;

struct all_queue_names {
  template <class Family>
  static std::string GetName(int index) {
    static const char* const names[] = {"ms_tagged",
                                        "ms_wide_tagged",
                                        "ms_hazard_pointers",
                                        "ms_epochs",
                                        "ms_leaking",
                                        "faa_hazard_pointers",
                                        "faa_epochs",
                                        "faa_small_segments",
                                        "bounded",
                                        "bounded_strong",
                                        "scq",
                                        "spsc",
                                        "locked_queue",
                                        "locked_queue_mcs",
                                        "locked_bounded",
                                        "two_lock",
                                        "two_lock_tatas",
                                        "flat_combining"};
    return names[index];
  }
};

template <class Family>
class queue_queries : public ::testing::Test {};
TYPED_TEST_SUITE(queue_queries, all_queues, all_queue_names);

constexpr std::size_t capacity = 8;

template <class Queue, class V>
bool offer(Queue& q, V&& v) {
  if constexpr (lockstep::sync::bounded_queue<Queue>) {
    return q.try_push(std::forward<V>(v));
  } else {
    q.push(std::forward<V>(v));
    return true;
  }
}

// size() where the queue offers one (the ring-based queues and the single-lock twins; the linked
// ones keep no count): checks it against `expected`.
template <class Queue>
void expect_size(const Queue& q, std::size_t expected) {
  if constexpr (requires { q.size(); }) {
    EXPECT_EQ(q.size(), expected);
  }
}

TYPED_TEST(queue_queries, sequential_answers_are_exact) {
  auto q = TypeParam::template make<int>(capacity);
  const auto& view = *q;
  EXPECT_TRUE(view.empty());
  expect_size(view, 0);
  // Three laps of a ring of 8, at every fill level on the way up and down.
  for (int lap = 0; lap < 3; ++lap) {
    for (std::size_t n = 1; n <= capacity; ++n) {
      ASSERT_TRUE(offer(*q, static_cast<int>(n)));
      EXPECT_FALSE(view.empty());
      expect_size(view, n);
    }
    for (std::size_t n = capacity; n-- > 0;) {
      ASSERT_TRUE(q->try_pop());
      EXPECT_EQ(view.empty(), n == 0);
      expect_size(view, n);
    }
    EXPECT_FALSE(q->try_pop());
    EXPECT_TRUE(view.empty());
    expect_size(view, 0);
  }
}

// One producer pushes, one consumer pops until the producer is done and the queue is empty, and
// a third thread keeps asking. Once the producer is done every push happens before the
// consumer's questions, so from then on the answers are exact and the loop ends with every value
// taken; the asker checks what holds throughout: size() within [0, capacity()] for the bounded
// queues (under TSan, the questions also race with both sides).
TYPED_TEST(queue_queries, concurrent_sanity) {
  using Queue = typename TypeParam::template type<int>;
  auto q = TypeParam::template make<int>(capacity);
  constexpr int values = 500;
  std::atomic<bool> produced{false};
  std::atomic<bool> consumed{false};
  int taken = 0;
  int out_of_range = 0;
  std::thread producer([&] {
    for (int i = 0; i < values; ++i) {
      while (!offer(*q, i)) std::this_thread::yield();
    }
    produced.store(true, std::memory_order_release);
  });
  std::thread consumer([&] {
    for (;;) {
      const bool done = produced.load(std::memory_order_acquire);
      if (q->try_pop()) {
        ++taken;
      } else if (done && q->empty()) {
        break;
      } else {
        std::this_thread::yield();
      }
    }
    consumed.store(true, std::memory_order_release);
  });
  std::thread asker([&] {
    while (!consumed.load(std::memory_order_acquire)) {
      [[maybe_unused]] const bool empty = q->empty();
      if constexpr (lockstep::sync::bounded_queue<Queue> && requires { q->size(); }) {
        if (q->size() > q->capacity()) ++out_of_range;
      }
      std::this_thread::yield();
    }
  });
  producer.join();
  consumer.join();
  asker.join();
  EXPECT_EQ(taken, values);
  EXPECT_EQ(out_of_range, 0);
  EXPECT_TRUE(q->empty());
  expect_size(*q, 0);
}

// Ports Boost.Lockfree's test/queue_test.cpp simple_queue_test (and simple_queue_test_capacity,
// the same with a fixed capacity): empty, push 1 and 2, pop them in order, empty again.
TYPED_TEST(queue_queries, boost_simple_queue_test) {
  auto f = TypeParam::template make<int>(64);
  ASSERT_TRUE(f->empty());
  ASSERT_TRUE(offer(*f, 1));
  ASSERT_TRUE(offer(*f, 2));
  std::optional<int> i1 = f->try_pop();
  ASSERT_TRUE(i1);
  ASSERT_EQ(*i1, 1);
  std::optional<int> i2 = f->try_pop();
  ASSERT_TRUE(i2);
  ASSERT_EQ(*i2, 2);
  ASSERT_TRUE(f->empty());
}

// Ports Boost.Lockfree's test/queue_test.cpp queue_consume_one_test: consume_one is try_pop
// with a callback here.
TYPED_TEST(queue_queries, boost_queue_consume_one_test) {
  auto f = TypeParam::template make<int>(64);
  ASSERT_TRUE(f->empty());
  ASSERT_TRUE(offer(*f, 1));
  ASSERT_TRUE(offer(*f, 2));
  std::optional<int> first = f->try_pop();
  std::optional<int> second = f->try_pop();
  ASSERT_TRUE(first && second);
  ASSERT_EQ(*first, 1);
  ASSERT_EQ(*second, 2);
  ASSERT_TRUE(f->empty());
}

// Ports Boost.Lockfree's test/queue_test.cpp queue_consume_all_test: consume_all is try_pop
// until it answers empty.
TYPED_TEST(queue_queries, boost_queue_consume_all_test) {
  auto f = TypeParam::template make<int>(64);
  ASSERT_TRUE(f->empty());
  ASSERT_TRUE(offer(*f, 1));
  ASSERT_TRUE(offer(*f, 2));
  std::size_t consumed = 0;
  while (f->try_pop()) ++consumed;
  ASSERT_EQ(consumed, 2u);
  ASSERT_TRUE(f->empty());
}

// Ports Boost.Lockfree's test/queue_test.cpp queue_convert_pop_test: Boost pushes int* and pops
// them into raw, shared and unique pointers; lockstep's queues hold move-only values, so here
// the queue holds unique_ptrs, popped in order, and is empty after the fourth.
TYPED_TEST(queue_queries, boost_queue_convert_pop_test) {
  auto f = TypeParam::template make<std::unique_ptr<int>>(128);
  ASSERT_TRUE(f->empty());
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(offer(*f, std::make_unique<int>(i)));
  for (int i = 1; i <= 4; ++i) {
    std::optional<std::unique_ptr<int>> p = f->try_pop();
    ASSERT_TRUE(p && *p);
    ASSERT_EQ(**p, i);
  }
  ASSERT_TRUE(f->empty());
}

}  // namespace
