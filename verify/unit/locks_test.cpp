// The locks with real threads: mutual exclusion under oversubscription, try_lock semantics,
// std::scoped_lock over several locks, and mcs_lock's guard and per-thread node pool.
#include <lockstep/locked/futex_lock.hpp>
#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/ticket_lock.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using namespace lockstep;

constexpr unsigned threads = 8;  // 4x the cores of the reference machine: oversubscribed
constexpr unsigned rounds = 2'000;

void run_threads(unsigned count, const std::function<void(unsigned)>& body) {
  std::vector<std::thread> pool;
  pool.reserve(count);
  for (unsigned t = 0; t < count; ++t) pool.emplace_back(body, t);
  for (std::thread& t : pool) t.join();
}

// Polls a flag that another thread sets, giving the core away meanwhile.
void await(const std::atomic<bool>& flag) {
  while (!flag.load(std::memory_order_acquire)) std::this_thread::yield();
}

template <class Lock>
class Locks : public ::testing::Test {};

using all_locks =
    ::testing::Types<locked::std_mutex, locked::tatas_lock, locked::ticket_lock, locked::mcs_lock,
                     locked::futex_lock>;
TYPED_TEST_SUITE(Locks, all_locks);

// A non-atomic read-modify-write of several words: lost updates or a torn pair would show a
// broken lock, and ThreadSanitizer sees the plain accesses.
TYPED_TEST(Locks, MutualExclusionUnderOversubscription) {
  TypeParam lock;
  unsigned long counter = 0;
  unsigned long shadow = 0;
  unsigned inside = 0;
  bool overlapped = false;
  run_threads(threads, [&](unsigned) {
    for (unsigned i = 0; i < rounds; ++i) {
      lock.lock();
      if (++inside != 1) overlapped = true;
      counter = counter + 1;
      shadow = counter * 2;
      --inside;
      lock.unlock();
    }
  });
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(counter, static_cast<unsigned long>(threads) * rounds);
  EXPECT_EQ(shadow, counter * 2);
}

TYPED_TEST(Locks, TryLockSucceedsWhenFreeAndFailsWhenHeld) {
  TypeParam lock;
  ASSERT_TRUE(lock.try_lock());
  bool other_got_it = true;
  std::thread([&] { other_got_it = lock.try_lock(); }).join();
  EXPECT_FALSE(other_got_it);
  lock.unlock();

  bool got_after_release = false;
  std::thread([&] {
    got_after_release = lock.try_lock();
    if (got_after_release) lock.unlock();
  }).join();
  // std::mutex's try_lock may fail spuriously; the spinlocks fail only when contended.
  if constexpr (!std::is_same_v<TypeParam, locked::std_mutex>) {
    EXPECT_TRUE(got_after_release);
  }
}

TYPED_TEST(Locks, TryLockAndLockExcludeEachOther) {
  TypeParam lock;
  unsigned long counter = 0;
  std::atomic<unsigned long> entered{0};
  run_threads(threads, [&](unsigned t) {
    for (unsigned i = 0; i < rounds; ++i) {
      if (t % 2 == 0) {
        lock.lock();
      } else if (!lock.try_lock()) {
        continue;
      }
      counter = counter + 1;
      lock.unlock();
      entered.fetch_add(1, std::memory_order_relaxed);
    }
  });
  EXPECT_EQ(counter, entered.load());
  EXPECT_GE(counter, static_cast<unsigned long>(threads / 2) * rounds);
}

// std::scoped_lock over two locks of the same kind, taken in opposite orders by different
// threads: its deadlock-avoidance algorithm relies on try_lock, so this also checks that a
// failed try_lock leaves the lock usable.
TYPED_TEST(Locks, ScopedLockOverTwoLocksInOppositeOrders) {
  TypeParam a;
  TypeParam b;
  unsigned long counter = 0;
  run_threads(4, [&](unsigned t) {
    for (unsigned i = 0; i < rounds; ++i) {
      if (t % 2 == 0) {
        std::scoped_lock hold(a, b);
        counter = counter + 1;
      } else {
        std::scoped_lock hold(b, a);
        counter = counter + 1;
      }
    }
  });
  EXPECT_EQ(counter, 4ul * rounds);
}

TYPED_TEST(Locks, BlocksAWaiterUntilReleased) {
  TypeParam lock;
  std::atomic<bool> started{false};
  std::atomic<bool> acquired{false};
  lock.lock();
  std::thread waiter([&] {
    started.store(true, std::memory_order_release);
    lock.lock();
    acquired.store(true, std::memory_order_release);
    lock.unlock();
  });
  await(started);
  for (int i = 0; i < 100; ++i) std::this_thread::yield();
  EXPECT_FALSE(acquired.load(std::memory_order_acquire));
  lock.unlock();
  waiter.join();
  EXPECT_TRUE(acquired.load());
}

TEST(McsLock, GuardExcludesOtherGuardsAndLockableUsers) {
  locked::mcs_lock lock;
  unsigned long counter = 0;
  run_threads(threads, [&](unsigned t) {
    for (unsigned i = 0; i < rounds; ++i) {
      if (t % 2 == 0) {
        locked::mcs_lock::guard hold(lock);
        counter = counter + 1;
      } else {
        std::scoped_lock hold(lock);
        counter = counter + 1;
      }
    }
  });
  EXPECT_EQ(counter, static_cast<unsigned long>(threads) * rounds);
}

// The guard's node lives on the stack, so any number of mcs_locks can be held that way.
TEST(McsLock, GuardsNestWithoutLimit) {
  constexpr std::size_t count = 3 * locked::mcs_lock::max_held_per_thread;
  std::vector<std::unique_ptr<locked::mcs_lock>> locks;
  for (std::size_t i = 0; i < count; ++i) locks.push_back(std::make_unique<locked::mcs_lock>());
  std::vector<std::unique_ptr<locked::mcs_lock::guard>> held;
  for (auto& l : locks) held.push_back(std::make_unique<locked::mcs_lock::guard>(*l));
  for (auto& l : locks) {
    bool taken = true;
    std::thread([&] { taken = l->try_lock(); }).join();
    EXPECT_FALSE(taken);
  }
  held.clear();
  for (auto& l : locks) {
    ASSERT_TRUE(l->try_lock());
    l->unlock();
  }
}

// Through lock(), each held mcs_lock occupies one of the thread's pooled nodes: up to
// max_held_per_thread at once, released in any order, and one more is a clear error.
TEST(McsLock, LockableNodePoolLimitAndOutOfOrderRelease) {
  constexpr std::size_t limit = locked::mcs_lock::max_held_per_thread;
  std::vector<std::unique_ptr<locked::mcs_lock>> locks;
  for (std::size_t i = 0; i <= limit; ++i) locks.push_back(std::make_unique<locked::mcs_lock>());

  for (std::size_t i = 0; i < limit; ++i) locks[i]->lock();
  EXPECT_THROW(locks[limit]->lock(), std::system_error);
  EXPECT_THROW((void)locks[limit]->try_lock(), std::system_error);

  // Release out of order, then reuse the freed nodes while the others stay held.
  locks[0]->unlock();
  locks[limit / 2]->unlock();
  locks[limit]->lock();
  ASSERT_TRUE(locks[0]->try_lock());

  bool taken = true;
  std::thread([&] { taken = locks[limit]->try_lock(); }).join();
  EXPECT_FALSE(taken);

  locks[0]->unlock();
  locks[limit]->unlock();
  for (std::size_t i = 1; i < limit; ++i) {
    if (i != limit / 2) locks[i]->unlock();
  }
  for (auto& l : locks) {
    ASSERT_TRUE(l->try_lock());
    l->unlock();
  }
}

}  // namespace
