// lockfree::ms_queue beyond the generic queue suites (queue_test.cpp, queue_stress.cpp): every
// reclaimer compiles and works (hazard pointers with one slot per thread, which is all the queue
// needs, and with two), the reclaimers' statistics, the destruction of what is left, exception
// safety of push and try_pop, and a small multi-producer multi-consumer run per reclaimer for
// the sanitizer builds.
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/ms_queue.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using namespace lockstep;

template <class R>
struct policy {
  using reclaimer = R;
};

using policies =
    ::testing::Types<policy<hazard::tagged_pool>, policy<hazard::wide_tagged_pool>,
                     policy<hazard::hazard_pointers>, policy<hazard::basic_hazard_pointers<2>>,
                     policy<hazard::epochs>, policy<hazard::leaking>>;

struct policy_names {
  template <class P>
  static std::string GetName(int index) {
    static const char* const names[] = {"tagged_pool",       "wide_tagged_pool", "hazard_pointers",
                                        "hazard_pointers_2", "epochs",           "leaking"};
    return names[index];
  }
};

// Counts live instances. Copies (and, if `throwing_moves`, moves) throw while `fail` is set.
struct counted {
  static inline int live = 0;
  static inline bool fail = false;
  int value;
  explicit counted(int v) : value(v) { ++live; }
  counted(const counted& other) : value(other.value) {
    if (fail) throw std::runtime_error("copy");
    ++live;
  }
  counted(counted&& other) : value(other.value) {
    if (fail) throw std::runtime_error("move");
    ++live;
  }
  counted& operator=(const counted&) = delete;
  ~counted() { --live; }
};

template <class P>
class ms_queue_test : public ::testing::Test {
 protected:
  void SetUp() override {
    counted::live = 0;
    counted::fail = false;
  }
  void TearDown() override { counted::fail = false; }
};
TYPED_TEST_SUITE(ms_queue_test, policies, policy_names);

template <class T, class P>
using queue_of = lockfree::ms_queue<T, typename P::reclaimer>;

TYPED_TEST(ms_queue_test, models_the_unbounded_queue_concept) {
  static_assert(sync::unbounded_queue<queue_of<int, TypeParam>>);
  static_assert(sync::unbounded_queue<queue_of<std::unique_ptr<int>, TypeParam>>);
  static_assert(!std::is_copy_constructible_v<queue_of<int, TypeParam>>);
  static_assert(!std::is_copy_assignable_v<queue_of<int, TypeParam>>);
}

TYPED_TEST(ms_queue_test, moves_move_only_values_through_in_order) {
  queue_of<std::unique_ptr<int>, TypeParam> q;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 50; ++i) q.push(std::make_unique<int>(i));
    for (int i = 0; i < 50; ++i) {
      std::optional<std::unique_ptr<int>> v = q.try_pop();
      ASSERT_TRUE(v && *v);
      EXPECT_EQ(**v, i);
    }
    EXPECT_EQ(q.try_pop(), std::nullopt);
  }
}

// Every pop gives one node back (the old dummy). What the reclaimer still holds back: nothing
// for the pools (the node is reusable at once), everything for leaking, and for hazard pointers
// and epochs a bounded number, however many nodes went through.
TYPED_TEST(ms_queue_test, unreclaimed_reports_what_the_reclaimer_holds_back) {
  using R = typename TypeParam::reclaimer;
  queue_of<int, TypeParam> q;
  EXPECT_EQ(q.unreclaimed(), 0u);
  constexpr std::size_t pops = 1'000;
  for (std::size_t i = 0; i < pops; ++i) {
    q.push(static_cast<int>(i));
    ASSERT_EQ(q.try_pop(), static_cast<int>(i));
  }
  if constexpr (std::is_same_v<R, hazard::tagged_pool> ||
                std::is_same_v<R, hazard::wide_tagged_pool>) {
    EXPECT_EQ(q.unreclaimed(), 0u);
  } else if constexpr (std::is_same_v<R, hazard::leaking>) {
    EXPECT_EQ(q.unreclaimed(), pops);
  } else if constexpr (std::is_same_v<R, hazard::epochs>) {
    // One thread: every 64 retires the epoch advances once and what is two epochs old is freed.
    EXPECT_GT(q.unreclaimed(), 0u) << "epochs free late";
    EXPECT_LE(q.unreclaimed(), 3 * 64u);
  } else {
    // One thread: a scan every 2 * H retires (H = its slots) frees all that is not protected.
    EXPECT_LE(q.unreclaimed(), 2 * hazard::hazard_pointer_domain::max_slots_per_thread);
  }
}

TYPED_TEST(ms_queue_test, destroys_the_values_left_exactly_once) {
  {
    queue_of<counted, TypeParam> q;
    for (int i = 0; i < 10; ++i) q.push(counted(i));
    EXPECT_EQ(counted::live, 10);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(q.try_pop()->value, i);
    EXPECT_EQ(counted::live, 6) << "a popped value lives on in the node";
  }
  EXPECT_EQ(counted::live, 0);
}

// The nodes are freed too: LeakSanitizer (the asan build) reports any that is not.
TYPED_TEST(ms_queue_test, an_abandoned_queue_frees_its_nodes) {
  queue_of<std::string, TypeParam> q;
  for (int i = 0; i < 100; ++i) q.push(std::string(64, 'x'));
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(q.try_pop());
}

TYPED_TEST(ms_queue_test, a_throwing_copy_leaves_the_queue_unchanged) {
  queue_of<counted, TypeParam> q;
  q.push(counted(1));
  const counted mine(2);
  counted::fail = true;
  EXPECT_THROW(q.push(mine), std::runtime_error);
  counted theirs(3);
  EXPECT_THROW(q.push(std::move(theirs)), std::runtime_error);
  counted::fail = false;
  EXPECT_EQ(mine.value, 2);
  EXPECT_EQ(theirs.value, 3) << "a failed push took the caller's value";
  EXPECT_EQ(counted::live, 3);
  EXPECT_EQ(q.try_pop()->value, 1);
  EXPECT_EQ(q.try_pop(), std::nullopt) << "a failed push left something in the queue";
  q.push(counted(4));
  EXPECT_EQ(q.try_pop()->value, 4);
}

// A move that throws after the dequeue's CAS: the value is destroyed, the exception reaches the
// caller, the rest of the queue stays in order, and nothing leaks.
TYPED_TEST(ms_queue_test, a_throwing_move_out_loses_only_that_value) {
  {
    queue_of<counted, TypeParam> q;
    for (int i = 0; i < 3; ++i) q.push(counted(i));
    counted::fail = true;
    EXPECT_THROW(q.try_pop(), std::runtime_error);
    counted::fail = false;
    EXPECT_EQ(counted::live, 2) << "the value whose move threw is destroyed";
    EXPECT_EQ(q.try_pop()->value, 1);
    q.push(counted(3));
    EXPECT_EQ(q.try_pop()->value, 2);
    EXPECT_EQ(q.try_pop()->value, 3);
    EXPECT_EQ(q.try_pop(), std::nullopt);
  }
  EXPECT_EQ(counted::live, 0);
}

// Two producers and two consumers: every value arrives exactly once, and each consumer sees
// each producer's values in order. Small, so that the sanitizer builds run it quickly.
TYPED_TEST(ms_queue_test, producers_and_consumers_lose_and_duplicate_nothing) {
  constexpr int producers = 2;
  constexpr int consumers = 2;
  constexpr int per_producer = 20'000;
  queue_of<std::uint64_t, TypeParam> q;
  std::atomic<int> received{0};
  std::vector<std::vector<std::uint64_t>> got(consumers);
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&q, p] {
      for (int i = 0; i < per_producer; ++i) {
        q.push(static_cast<std::uint64_t>(p) << 32 | static_cast<std::uint64_t>(i));
      }
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      while (received.load(std::memory_order_relaxed) < producers * per_producer) {
        if (std::optional<std::uint64_t> v = q.try_pop()) {
          got[c].push_back(*v);
          received.fetch_add(1, std::memory_order_relaxed);
        } else {
          std::this_thread::yield();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<std::vector<bool>> seen(producers, std::vector<bool>(per_producer, false));
  for (const auto& mine : got) {
    std::vector<std::int64_t> last(producers, -1);
    for (std::uint64_t v : mine) {
      const auto p = static_cast<std::size_t>(v >> 32);
      const auto i = static_cast<std::int64_t>(v & 0xffff'ffffu);
      ASSERT_LT(p, static_cast<std::size_t>(producers));
      ASSERT_GT(i, last[p]) << "FIFO per producer";
      last[p] = i;
      ASSERT_FALSE(seen[p][static_cast<std::size_t>(i)]) << "duplicated";
      seen[p][static_cast<std::size_t>(i)] = true;
    }
  }
  for (const auto& by_producer : seen) {
    for (bool s : by_producer) ASSERT_TRUE(s) << "lost";
  }
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

}  // namespace
