// Ports xenium's test/vyukov_bounded_queue_test.cpp (M. Pöter) to lockfree::bounded_queue:
// push_try_pop_returns_pushed_element, push_two_items_pop_them_in_FIFO_order,
// try_pop_returns_false_when_queue_is_empty, try_push_returns_false_when_queue_is_full,
// supports_move_only_types, supports_non_default_constructible_types,
// correctly_destroys_stored_objects (each for both answers), parallel_usage (strong answers:
// every try_push and every try_pop must succeed) and parallel_usage_of_weak_operations (weak
// answers: they may fail, what comes out must have gone in).
//
// parallel_usage is the point: 4 threads share a ring of 8 and each pushes, then pops, so at
// most 4 values are ever in it. A strong try_pop may answer "empty" only when no position is
// claimed, yet its own thread's push has just claimed one that nobody else can have taken (each
// thread takes one value per value it pushed, and pushes first): so every pop succeeds, and
// every push does too, since the ring never holds more than 4. The weak operations fail here
// whenever a thread is preempted between its claim and its publication. xenium's 400 000
// iterations per thread (times LOCKSTEP_STRESS_SCALE, default 1): with fewer, on two cores, the
// threads hardly overlap and the weak form passes too.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <lockstep/lockfree/bounded_queue.hpp>

#include <gtest/gtest.h>

namespace {

using lockstep::lockfree::answers;

template <answers A>
struct form {
  template <class T>
  using queue = lockstep::lockfree::bounded_queue<T, A>;
};

template <class Form>
class bounded_queue_xenium : public ::testing::Test {};

using forms = ::testing::Types<form<answers::weak>, form<answers::strong>>;
struct form_names {
  template <class Form>
  static std::string GetName(int index) {
    return index == 0 ? "weak" : "strong";
  }
};
TYPED_TEST_SUITE(bounded_queue_xenium, forms, form_names);

TYPED_TEST(bounded_queue_xenium, push_try_pop_returns_pushed_element) {
  typename TypeParam::template queue<int> queue(2);
  EXPECT_TRUE(queue.try_push(42));
  EXPECT_EQ(queue.try_pop(), std::optional<int>(42));
}

TYPED_TEST(bounded_queue_xenium, push_two_items_pop_them_in_FIFO_order) {
  typename TypeParam::template queue<int> queue(2);
  EXPECT_TRUE(queue.try_push(42));
  EXPECT_TRUE(queue.try_push(43));
  EXPECT_EQ(queue.try_pop(), std::optional<int>(42));
  EXPECT_EQ(queue.try_pop(), std::optional<int>(43));
}

TYPED_TEST(bounded_queue_xenium, try_pop_returns_false_when_queue_is_empty) {
  typename TypeParam::template queue<int> queue(2);
  EXPECT_FALSE(queue.try_pop());
}

TYPED_TEST(bounded_queue_xenium, try_push_returns_false_when_queue_is_full) {
  typename TypeParam::template queue<int> queue(2);
  EXPECT_TRUE(queue.try_push(42));
  EXPECT_TRUE(queue.try_push(43));
  EXPECT_FALSE(queue.try_push(44));
}

TYPED_TEST(bounded_queue_xenium, supports_move_only_types) {
  typename TypeParam::template queue<std::pair<int, std::unique_ptr<int>>> queue(2);
  EXPECT_TRUE(queue.try_push(std::make_pair(41, std::make_unique<int>(42))));
  std::optional<std::pair<int, std::unique_ptr<int>>> elem = queue.try_pop();
  ASSERT_TRUE(elem);
  EXPECT_EQ(elem->first, 41);
  ASSERT_NE(elem->second, nullptr);
  EXPECT_EQ(*elem->second, 42);
}

struct non_default_constructible {
  explicit non_default_constructible(int v) : value(v) {}
  int value;
};

TYPED_TEST(bounded_queue_xenium, supports_non_default_constructible_types) {
  typename TypeParam::template queue<non_default_constructible> queue(2);
  EXPECT_TRUE(queue.try_push(non_default_constructible(42)));
  std::optional<non_default_constructible> elem = queue.try_pop();
  ASSERT_TRUE(elem);
  EXPECT_EQ(elem->value, 42);
}

TYPED_TEST(bounded_queue_xenium, correctly_destroys_stored_objects) {
  int created = 0;
  int destroyed = 0;
  struct counting {
    counting(int& c, int& d) : created(c), destroyed(d) { ++created; }
    counting(const counting& r) noexcept : created(r.created), destroyed(r.destroyed) { ++created; }
    ~counting() { ++destroyed; }
    int& created;
    int& destroyed;
  };
  {
    typename TypeParam::template queue<counting> queue(4);
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(queue.try_push(counting{created, destroyed}));
    EXPECT_TRUE(queue.try_pop());
    EXPECT_TRUE(queue.try_pop());
    EXPECT_EQ(created - destroyed, 2);

    EXPECT_TRUE(queue.try_push(counting{created, destroyed}));
    EXPECT_TRUE(queue.try_push(counting{created, destroyed}));
    EXPECT_TRUE(queue.try_pop());
    EXPECT_TRUE(queue.try_pop());
    EXPECT_EQ(created - destroyed, 2);

    EXPECT_TRUE(queue.try_push(counting{created, destroyed}));
    EXPECT_TRUE(queue.try_push(counting{created, destroyed}));
    EXPECT_TRUE(queue.try_pop());
    EXPECT_EQ(created - destroyed, 3);
  }
  EXPECT_EQ(created - destroyed, 0);
}

int iterations() {
  const char* s = std::getenv("LOCKSTEP_STRESS_SCALE");
  return 400'000 * (s ? std::max(1, std::atoi(s)) : 1);
}

// Runs body(i) on 4 threads released together, and returns the failures they counted.
template <class Body>
int on_four_threads(Body body) {
  std::atomic<bool> go{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      failures.fetch_add(body(i), std::memory_order_relaxed);
    });
  }
  go.store(true, std::memory_order_release);
  for (std::thread& t : threads) t.join();
  return failures.load(std::memory_order_relaxed);
}

TEST(bounded_queue_xenium_strong, parallel_usage) {
  lockstep::lockfree::bounded_queue<int, answers::strong> queue(8);
  const int n = iterations();
  // Counted rather than EXPECTed one by one, so a failure reports how many went wrong. (Once a
  // pop has failed, the values it left behind can fill the ring, and pushes then fail too.)
  std::atomic<int> full{0};
  std::atomic<int> out_of_range{0};
  const int empty = on_four_threads([&](int i) {
    int failed = 0;
    for (int j = 0; j < n; ++j) {
      if (!queue.try_push(i)) full.fetch_add(1, std::memory_order_relaxed);
      if (std::optional<int> elem = queue.try_pop()) {
        if (*elem < 0 || *elem >= 4) out_of_range.fetch_add(1, std::memory_order_relaxed);
      } else {
        ++failed;
      }
    }
    return failed;
  });
  EXPECT_EQ(empty, 0) << "try_pop answered empty after its own thread's push, of " << 4 * n;
  EXPECT_EQ(full.load(), 0) << "try_push answered full with at most 4 values in 8 cells, of "
                            << 4 * n;
  EXPECT_EQ(out_of_range.load(), 0);
  EXPECT_TRUE(queue.empty());
}

TEST(bounded_queue_xenium_weak, parallel_usage_of_weak_operations) {
  lockstep::lockfree::bounded_queue<int> queue(8);
  const int n = iterations();
  std::atomic<int> pushed{0};
  std::atomic<int> popped{0};
  const int out_of_range = on_four_threads([&](int i) {
    int bad = 0;
    for (int j = 0; j < n; ++j) {
      if (queue.try_push(i)) pushed.fetch_add(1, std::memory_order_relaxed);
      if (std::optional<int> elem = queue.try_pop()) {
        popped.fetch_add(1, std::memory_order_relaxed);
        if (*elem < 0 || *elem >= 4) ++bad;
      }
    }
    return bad;
  });
  EXPECT_EQ(out_of_range, 0);
  // Quiescent now, so the answers are exact: what is left is what went in and did not come out.
  int left = 0;
  while (queue.try_pop()) ++left;
  EXPECT_EQ(pushed.load(), popped.load() + left);
}

}  // namespace
