// The work-stealing deque contract (sync::work_stealing_deque) for both deques of the pair:
// LIFO at the owner's end, FIFO at the thieves', empty pops and steals, growth that keeps the
// order, size() when quiescent, trivially copyable values, and a steal racing the owner's pop
// of the last element (threads).
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/work_stealing_deque.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

namespace {

using lockstep::locked::work_stealing_deque;
using lockstep::lockfree::chase_lev_deque;

// The same deque (same reclaimer or lock) for another element type.
template <class Deque, class T>
struct rebind;
template <class U, class R, class T>
struct rebind<chase_lev_deque<U, R>, T> {
  using type = chase_lev_deque<T, R>;
};
template <class U, class L, class T>
struct rebind<work_stealing_deque<U, L>, T> {
  using type = work_stealing_deque<T, L>;
};
template <class Deque, class T>
using rebind_t = typename rebind<Deque, T>::type;

static_assert(lockstep::sync::work_stealing_deque<chase_lev_deque<std::coroutine_handle<>>>);
static_assert(lockstep::sync::work_stealing_deque<work_stealing_deque<std::coroutine_handle<>>>);
// The slots are atomics a thief may read while the owner overwrites them: T must be trivially
// copyable, and the constraint says so at the type.
template <class T>
concept chase_lev_of = requires {
  typename chase_lev_deque<T>::value_type;
};
static_assert(chase_lev_of<int*>);
static_assert(!chase_lev_of<std::string>);

// The smallest array a deque starts with, where it has one: every push past the first grows.
template <class Deque>
Deque make_small() {
  if constexpr (std::is_constructible_v<Deque, std::size_t>) {
    return Deque(1);
  } else {
    return Deque();
  }
}

template <class Deque>
class DequeTest : public ::testing::Test {};

using deques =
    ::testing::Types<chase_lev_deque<int>, chase_lev_deque<int, lockstep::hazard::epochs>,
                     chase_lev_deque<int, lockstep::hazard::leaking>, work_stealing_deque<int>,
                     work_stealing_deque<int, lockstep::locked::tatas_lock>>;
TYPED_TEST_SUITE(DequeTest, deques);

TYPED_TEST(DequeTest, NewDequeIsEmpty) {
  TypeParam d;
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.pop(), std::nullopt);
  EXPECT_EQ(d.steal(), std::nullopt);
  EXPECT_EQ(d.size(), 0u);
}

TYPED_TEST(DequeTest, OwnerEndIsLifo) {
  TypeParam d;
  for (int i = 1; i <= 100; ++i) d.push(i);
  for (int i = 100; i >= 1; --i) EXPECT_EQ(d.pop(), i);
  EXPECT_EQ(d.pop(), std::nullopt);
  EXPECT_EQ(d.steal(), std::nullopt);
}

TYPED_TEST(DequeTest, ThiefEndIsFifo) {
  TypeParam d;
  for (int i = 1; i <= 100; ++i) d.push(i);
  for (int i = 1; i <= 100; ++i) EXPECT_EQ(d.steal(), i);
  EXPECT_EQ(d.steal(), std::nullopt);
  EXPECT_EQ(d.pop(), std::nullopt);
}

TYPED_TEST(DequeTest, BothEndsMeetInTheMiddle) {
  TypeParam d;
  for (int i = 1; i <= 5; ++i) d.push(i);
  EXPECT_EQ(d.steal(), 1);
  EXPECT_EQ(d.pop(), 5);
  EXPECT_EQ(d.steal(), 2);
  d.push(6);
  EXPECT_EQ(d.pop(), 6);
  EXPECT_EQ(d.pop(), 4);
  EXPECT_EQ(d.steal(), 3);
  EXPECT_EQ(d.pop(), std::nullopt);
  EXPECT_EQ(d.steal(), std::nullopt);
  // Emptied from either end, the deque takes pushes again.
  d.push(7);
  EXPECT_EQ(d.steal(), 7);
  d.push(8);
  EXPECT_EQ(d.pop(), 8);
  EXPECT_EQ(d.size(), 0u);
}

// Growth from one slot, with the live range wrapped around the array's end each time it grows
// (the steals move the top, so the copy starts in the middle).
TYPED_TEST(DequeTest, GrowthKeepsTheOrder) {
  auto d = make_small<TypeParam>();
  int next_pushed = 0;
  int next_stolen = 0;
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < (1 << round); ++i) d.push(next_pushed++);
    EXPECT_EQ(d.steal(), next_stolen++);
    EXPECT_EQ(d.size(), static_cast<std::size_t>(next_pushed - next_stolen));
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(d.steal(), next_stolen++);
  for (int i = next_pushed - 1; i >= next_stolen; --i) EXPECT_EQ(d.pop(), i);
  EXPECT_EQ(d.pop(), std::nullopt);
  EXPECT_EQ(d.steal(), std::nullopt);
}

TYPED_TEST(DequeTest, SizeIsExactWhenQuiescent) {
  TypeParam d;
  for (int i = 0; i < 10; ++i) d.push(i);
  EXPECT_EQ(d.size(), 10u);
  (void)d.steal();
  (void)d.pop();
  EXPECT_EQ(d.size(), 8u);
  while (d.pop()) {
  }
  EXPECT_EQ(d.size(), 0u);
  // An empty pop restores what it claimed: size() does not go below zero or drift.
  EXPECT_EQ(d.pop(), std::nullopt);
  EXPECT_EQ(d.size(), 0u);
}

struct pair_of {
  std::int32_t a;
  float b;
  friend bool operator==(const pair_of&, const pair_of&) = default;
};

TYPED_TEST(DequeTest, TriviallyCopyableValues) {
  rebind_t<TypeParam, std::coroutine_handle<>> handles;
  const std::coroutine_handle<> h = std::noop_coroutine();
  handles.push(h);
  handles.push(std::coroutine_handle<>());
  EXPECT_EQ(handles.steal(), h);
  EXPECT_EQ(handles.pop(), std::coroutine_handle<>());

  rebind_t<TypeParam, pair_of> pairs;
  pairs.push({1, 2.5});
  pairs.push({3, 4.5});
  EXPECT_EQ(pairs.pop(), (pair_of{3, 4.5}));
  EXPECT_EQ(pairs.steal(), (pair_of{1, 2.5}));

  int x = 0;
  rebind_t<TypeParam, int*> pointers;
  pointers.push(&x);
  EXPECT_EQ(pointers.pop(), &x);
}

// The last-element race: the owner pops while a thief steals the one element there is. Exactly
// one of them gets it, every round; a deque that lost it or handed it to both fails.
TYPED_TEST(DequeTest, StealRacesThePopOfTheLastElement) {
  constexpr int rounds = 10000;
  TypeParam d;
  std::atomic<int> started{-1};
  std::atomic<int> thief_done{-1};
  std::atomic<int> stolen{0};
  std::thread thief([&] {
    for (int r = 0; r < rounds; ++r) {
      // Spins before it yields: a yield at once would let the owner's pop finish first every
      // round, and spinning only would burn the owner's time slice on a busy machine.
      for (int spin = 0; started.load(std::memory_order_acquire) != r; ++spin) {
        if (spin < 1024) {
          lockstep::sync::cpu_relax();
        } else {
          std::this_thread::yield();
        }
      }
      if (d.steal() == r) stolen.fetch_add(1, std::memory_order_relaxed);
      thief_done.store(r, std::memory_order_release);
    }
  });
  int popped = 0;
  int lost = 0;
  for (int r = 0; r < rounds; ++r) {
    d.push(r);
    started.store(r, std::memory_order_release);
    // A delay that varies by round, so that the pop meets the steal at every point of it.
    for (int spin = 0; spin < r % 97; ++spin) lockstep::sync::cpu_relax();
    if (d.pop() == r) ++popped;
    while (thief_done.load(std::memory_order_acquire) != r) std::this_thread::yield();
    // Whatever neither took is still there; the contract allows no such leftover.
    if (d.pop().has_value()) ++lost;
  }
  thief.join();
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(popped + stolen.load(), rounds);
  EXPECT_EQ(d.size(), 0u);
}

TEST(ChaseLevDeque, CapacityZeroIsAnError) {
  EXPECT_THROW(chase_lev_deque<int>(0), std::invalid_argument);
}

TEST(ChaseLevDeque, ReplacedArraysAreRetired) {
  chase_lev_deque<int, lockstep::hazard::leaking> d(1);
  for (int i = 0; i < 16; ++i) d.push(i);
  // 1 → 2 → 4 → 8 → 16: four arrays replaced, none freed by the leaking reclaimer.
  EXPECT_EQ(d.unreclaimed(), 4u);
}

}  // namespace
