// The lock-based queues' own cases, beyond the generic queue suites (queue_test.cpp,
// queue_stress.cpp): the capacity errors and their messages, a refused value left with its
// owner through both overloads, the strong exception guarantee of every push and pop against a
// value type whose copy or move throws on demand (with live instances counted, so nothing
// leaks or is destroyed twice), and flat combining: exceptions carried from the combiner to
// their own requester, more threads than publication records (for fc_stack too), and the
// generic apply.
#include "queue_types.hpp"
#include "stack_types.hpp"

#include <lockstep/locked/bounded_queue.hpp>
#include <lockstep/locked/flat_combining.hpp>
#include <lockstep/locked/queue.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/two_lock_queue.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cstddef>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace lockstep;

// A value whose copy and move constructors throw while `armed`, counting live instances.
struct fragile {
  static inline int live = 0;
  static inline bool armed = false;

  int value;
  explicit fragile(int v) : value(v) { ++live; }
  fragile(const fragile& other) : value(other.value) {
    if (armed) throw std::runtime_error("copy refused");
    ++live;
  }
  fragile(fragile&& other) : value(other.value) {
    if (armed) throw std::runtime_error("move refused");
    ++live;
  }
  fragile& operator=(const fragile&) = delete;
  ~fragile() { --live; }
};

// Resets the counters for a test and disarms on exit, whatever happened.
struct fragile_scope {
  fragile_scope() {
    fragile::live = 0;
    fragile::armed = false;
  }
  ~fragile_scope() { fragile::armed = false; }
};

// Each structure under test behind one interface: put (push or a try_push that must succeed).
template <class Structure, class V>
void put(Structure& s, V&& v) {
  if constexpr (sync::bounded_queue<Structure>) {
    ASSERT_TRUE(s.try_push(std::forward<V>(v)));
  } else {
    s.push(std::forward<V>(v));
  }
}

template <class Structure>
std::unique_ptr<Structure> make(std::size_t capacity = 16) {
  if constexpr (sync::bounded_queue<Structure>) {
    return std::make_unique<Structure>(capacity);
  } else {
    return std::make_unique<Structure>();
  }
}

// ---- bounded_queue: the capacity rule ----------------------------------------------------

TEST(locked_bounded_queue, capacity_zero_is_invalid_and_says_who) {
  try {
    locked::bounded_queue<int> q(0);
    FAIL() << "capacity 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("lockstep::locked::bounded_queue"), std::string::npos)
        << e.what();
  }
}

TEST(locked_bounded_queue, capacity_past_the_largest_is_a_length_error) {
  using queue = locked::bounded_queue<int>;
  static_assert(std::has_single_bit(queue::largest_capacity));
  EXPECT_THROW(queue(queue::largest_capacity + 1), std::length_error);
  EXPECT_THROW(queue(std::numeric_limits<std::size_t>::max()), std::length_error);
}

TEST(locked_bounded_queue, capacity_rounds_up_to_a_power_of_two) {
  EXPECT_EQ(locked::bounded_queue<int>(1).capacity(), 1u);
  EXPECT_EQ(locked::bounded_queue<int>(5).capacity(), 8u);
  EXPECT_EQ(locked::bounded_queue<int>(8).capacity(), 8u);
  EXPECT_EQ(locked::bounded_queue<int>(9).capacity(), 16u);
}

TEST(locked_bounded_queue, a_full_queue_refuses_and_leaves_both_overloads_values_alone) {
  locked::bounded_queue<std::unique_ptr<int>> q(2);
  EXPECT_TRUE(q.try_push(std::make_unique<int>(1)));
  EXPECT_TRUE(q.try_push(std::make_unique<int>(2)));
  auto mine = std::make_unique<int>(3);
  int* const address = mine.get();
  EXPECT_FALSE(q.try_push(std::move(mine)));
  EXPECT_EQ(mine.get(), address) << "a refused rvalue was moved from";

  locked::bounded_queue<std::string> s(1);
  EXPECT_TRUE(s.try_push(std::string("first")));
  std::string text = "a string long enough to live on the heap, not in the small buffer";
  EXPECT_FALSE(s.try_push(std::move(text)));
  EXPECT_EQ(text, "a string long enough to live on the heap, not in the small buffer");
  const std::string constant = "constant";
  EXPECT_FALSE(s.try_push(constant));
  EXPECT_EQ(s.size(), 1u);
}

TEST(locked_bounded_queue, slots_are_reused_across_many_wrap_arounds_with_move_only_values) {
  locked::bounded_queue<std::unique_ptr<int>> q(4);
  for (int round = 0; round < 1'000; ++round) {
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.try_push(std::make_unique<int>(round * 4 + i)));
    ASSERT_FALSE(q.try_push(std::make_unique<int>(-1)));
    for (int i = 0; i < 4; ++i) ASSERT_EQ(**q.try_pop(), round * 4 + i);
    ASSERT_TRUE(q.empty());
  }
}

// ---- strong exception guarantee, every structure -----------------------------------------

template <class Structure>
class locked_strong_guarantee : public ::testing::Test {};

template <template <class> class S>
struct structure {
  template <class T>
  using type = S<T>;
  static constexpr bool lifo = std::is_same_v<S<int>, locked::fc_stack<int>>;
};

// The locked twins of the queue and stack families, as their typed suites name them.
using structures =
    ::testing::Types<structure<verify::locked_queue>, structure<verify::locked_bounded>,
                     structure<verify::two_lock>, structure<verify::two_lock_tatas>,
                     structure<verify::fc_queue>, structure<verify::fc_stack>>;

struct structure_names {
  template <class S>
  static std::string GetName(int index) {
    static const char* const names[] = {"queue",          "bounded_queue", "two_lock_queue",
                                        "two_lock_tatas", "fc_queue",      "fc_stack"};
    return names[index];
  }
};

TYPED_TEST_SUITE(locked_strong_guarantee, structures, structure_names);

// What the structure holds, in pop order, by draining it.
template <class Structure>
std::vector<int> drain(Structure& s) {
  std::vector<int> out;
  while (std::optional<fragile> v = s.try_pop()) out.push_back(v->value);
  return out;
}

TYPED_TEST(locked_strong_guarantee, a_throwing_copy_in_push_changes_nothing) {
  fragile_scope scope;
  {
    auto s = make<typename TypeParam::template type<fragile>>();
    put(*s, fragile(1));
    put(*s, fragile(2));
    const fragile third(3);
    fragile::armed = true;
    if constexpr (sync::bounded_queue<typename TypeParam::template type<fragile>>) {
      EXPECT_THROW(s->try_push(third), std::runtime_error);
    } else {
      EXPECT_THROW(s->push(third), std::runtime_error);
    }
    fragile::armed = false;
    EXPECT_EQ(fragile::live, 3) << "the two held values and the caller's";
    const std::vector<int> expected =
        TypeParam::lifo ? std::vector<int>{2, 1} : std::vector<int>{1, 2};
    EXPECT_EQ(drain(*s), expected);
  }
  EXPECT_EQ(fragile::live, 0);
}

TYPED_TEST(locked_strong_guarantee, a_throwing_move_in_push_leaves_the_callers_value) {
  fragile_scope scope;
  {
    auto s = make<typename TypeParam::template type<fragile>>();
    put(*s, fragile(1));
    fragile mine(2);
    fragile::armed = true;
    if constexpr (sync::bounded_queue<typename TypeParam::template type<fragile>>) {
      EXPECT_THROW(s->try_push(std::move(mine)), std::runtime_error);
    } else {
      EXPECT_THROW(s->push(std::move(mine)), std::runtime_error);
    }
    fragile::armed = false;
    EXPECT_EQ(mine.value, 2);
    EXPECT_EQ(drain(*s), std::vector<int>{1});
  }
  EXPECT_EQ(fragile::live, 0);
}

TYPED_TEST(locked_strong_guarantee, a_throwing_move_in_pop_leaves_the_value_in_place) {
  fragile_scope scope;
  {
    auto s = make<typename TypeParam::template type<fragile>>();
    put(*s, fragile(1));
    put(*s, fragile(2));
    fragile::armed = true;
    EXPECT_THROW(s->try_pop(), std::runtime_error);
    EXPECT_THROW(s->try_pop(), std::runtime_error) << "still there, still refusing";
    fragile::armed = false;
    EXPECT_EQ(fragile::live, 2);
    const std::vector<int> expected =
        TypeParam::lifo ? std::vector<int>{2, 1} : std::vector<int>{1, 2};
    EXPECT_EQ(drain(*s), expected);
    put(*s, fragile(3));
    EXPECT_EQ(drain(*s), std::vector<int>{3}) << "and it keeps working";
  }
  EXPECT_EQ(fragile::live, 0);
}

TYPED_TEST(locked_strong_guarantee, the_destructor_destroys_exactly_what_is_left) {
  fragile_scope scope;
  {
    auto s = make<typename TypeParam::template type<fragile>>();
    for (int i = 0; i < 10; ++i) put(*s, fragile(i));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->try_pop().has_value());
    EXPECT_EQ(fragile::live, 7);
  }
  EXPECT_EQ(fragile::live, 0);
}

TYPED_TEST(locked_strong_guarantee, holds_move_only_values) {
  auto s = make<typename TypeParam::template type<std::unique_ptr<int>>>();
  put(*s, std::make_unique<int>(1));
  put(*s, std::make_unique<int>(2));
  std::optional<std::unique_ptr<int>> a = s->try_pop();
  std::optional<std::unique_ptr<int>> b = s->try_pop();
  ASSERT_TRUE(a && *a && b && *b);
  EXPECT_EQ(**a, TypeParam::lifo ? 2 : 1);
  EXPECT_EQ(**b, TypeParam::lifo ? 1 : 2);
  EXPECT_EQ(s->try_pop(), std::nullopt);
}

// ---- flat combining ------------------------------------------------------------------------

// Runs body(t) on `threads` threads released together, so that they contend instead of each
// finishing before the next one starts.
template <class Body>
void run_together(unsigned threads, Body body) {
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      body(t);
    });
  }
  go.store(true, std::memory_order_release);
  for (std::thread& th : pool) th.join();
}

TEST(flat_combining, zero_records_is_invalid) {
  EXPECT_THROW(locked::flat_combining<std::deque<int>>(0), std::invalid_argument);
  EXPECT_THROW(locked::fc_queue<int>(0), std::invalid_argument);
  EXPECT_EQ(locked::flat_combining<std::deque<int>>().records(),
            (locked::flat_combining<std::deque<int>>::default_records));
}

TEST(flat_combining, apply_returns_results_move_only_ones_too_and_runs_void_operations) {
  locked::flat_combining<std::vector<std::unique_ptr<int>>> combiner(4);
  combiner.apply(
      [](std::vector<std::unique_ptr<int>>& v) { v.push_back(std::make_unique<int>(5)); });
  const std::size_t size = combiner.apply([](auto& v) { return v.size(); });
  EXPECT_EQ(size, 1u);
  std::unique_ptr<int> taken = combiner.apply([](auto& v) {
    std::unique_ptr<int> last = std::move(v.back());
    v.pop_back();
    return last;
  });
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 5);
}

TEST(flat_combining, an_exception_reaches_the_requester_and_the_structure_keeps_working) {
  locked::flat_combining<std::deque<int>> combiner;
  combiner.apply([](std::deque<int>& d) { d.push_back(1); });
  EXPECT_THROW(combiner.apply([](std::deque<int>&) -> int { throw std::logic_error("mine"); }),
               std::logic_error);
  EXPECT_THROW(combiner.apply([](std::deque<int>& d) { d.at(7) = 0; }), std::out_of_range);
  combiner.apply([](std::deque<int>& d) { d.push_back(2); });
  EXPECT_EQ(combiner.apply([](std::deque<int>& d) { return d; }), (std::deque<int>{1, 2}));
}

// Under contention, every thrower receives its own exception, whichever thread combined it,
// and the operations that did not throw all took effect exactly once.
TEST(flat_combining, under_contention_each_exception_reaches_its_own_requester) {
  constexpr unsigned threads = 8;
  constexpr int operations = 10'000;
  locked::flat_combining<std::deque<int>> combiner(4);
  std::atomic<int> misdelivered{0};
  std::atomic<int> caught{0};
  run_together(threads, [&](unsigned t) {
    for (int i = 0; i < operations; ++i) {
      if (i % 5 == 0) {
        const std::string tag = std::to_string(t) + ":" + std::to_string(i);
        try {
          combiner.apply([&tag](std::deque<int>&) { throw std::runtime_error(tag); });
        } catch (const std::runtime_error& e) {
          if (e.what() != tag) misdelivered.fetch_add(1);
          caught.fetch_add(1);
        }
      } else {
        combiner.apply([t](std::deque<int>& d) { d.push_back(static_cast<int>(t)); });
      }
    }
  });
  EXPECT_EQ(misdelivered.load(), 0);
  EXPECT_EQ(caught.load(), static_cast<int>(threads) * operations / 5);
  const std::deque<int> all = combiner.apply([](std::deque<int>& d) { return d; });
  EXPECT_EQ(all.size(), threads * operations * 4 / 5);
  std::vector<int> per_thread(threads, 0);
  for (int t : all) ++per_thread[static_cast<std::size_t>(t)];
  for (int count : per_thread) EXPECT_EQ(count, operations * 4 / 5);
}

// More threads than publication records is not an error: a requester that finds every record
// claimed takes the lock and applies its operation itself. With one record for eight threads
// that path is taken constantly; nothing may be lost, duplicated or reordered per producer.
TEST(flat_combining, more_threads_than_records_still_conserve_and_order_values) {
  constexpr unsigned threads = 8;
  constexpr int per_thread = 20'000;
  locked::fc_queue<int> q(1);
  std::vector<std::vector<int>> popped(threads);
  run_together(threads, [&](unsigned t) {
    for (int i = 0; i < per_thread; ++i) {
      q.push(static_cast<int>(t) * per_thread + i);
      if (std::optional<int> v = q.try_pop()) popped[t].push_back(*v);
    }
  });
  // The drain comes after thread 0's own pops, so it extends thread 0's view in order.
  while (std::optional<int> v = q.try_pop()) popped[0].push_back(*v);
  std::vector<int> seen(threads * per_thread, 0);
  for (const std::vector<int>& mine : popped) {
    std::vector<int> last(threads, -1);
    for (int v : mine) {
      ASSERT_GE(v, 0);
      ASSERT_LT(v, static_cast<int>(threads) * per_thread);
      ++seen[static_cast<std::size_t>(v)];
      const std::size_t producer = static_cast<std::size_t>(v / per_thread);
      ASSERT_GT(v, last[producer]) << "FIFO per producer, as one consumer sees it";
      last[producer] = v;
    }
  }
  for (int count : seen) ASSERT_EQ(count, 1);
}

// The stack suites cover fc_stack's LIFO order and conservation with its defaults; this runs
// it with more threads than publication records and a spinlock, so pops and pushes also take
// the fallback path.
TEST(fc_stack, conserves_values_under_contention) {
  constexpr unsigned threads = 8;
  constexpr int per_thread = 20'000;
  locked::fc_stack<int, locked::tatas_lock> s(4);
  std::vector<std::vector<int>> popped(threads);
  run_together(threads, [&](unsigned t) {
    for (int i = 0; i < per_thread; ++i) {
      s.push(static_cast<int>(t) * per_thread + i);
      if (i % 2 == 1) {
        for (int k = 0; k < 2; ++k) {
          if (std::optional<int> v = s.try_pop()) popped[t].push_back(*v);
        }
      }
    }
  });
  std::vector<int> seen(threads * per_thread, 0);
  for (const std::vector<int>& mine : popped) {
    for (int v : mine) ++seen[static_cast<std::size_t>(v)];
  }
  while (std::optional<int> v = s.try_pop()) ++seen[static_cast<std::size_t>(*v)];
  for (int count : seen) ASSERT_EQ(count, 1);
}

}  // namespace
