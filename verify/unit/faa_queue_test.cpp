// lockfree::faa_queue beyond the contract every queue shares (queue_test.cpp): each reclaimer
// with one-, two- and many-cell segments, that segments are appended, retired and freed (and
// that polling an empty queue consumes no cells), what the destructor destroys and frees, the
// exception guarantees of the header comment (a throwing copy, a failed segment allocation, a
// throwing move out of try_pop, and push(T&&) copying a T whose move may throw), and a small
// real-thread run of four producers and four consumers (also under TSan in CI).
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/lockfree/faa_queue.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using lockstep::hazard::basic_hazard_pointers;
using lockstep::hazard::epochs;
using lockstep::hazard::hazard_pointers;
using lockstep::hazard::leaking;
using lockstep::lockfree::faa_queue;

// Counts live instances. Its copy constructor throws while throw_on_copy is set, its move
// constructor while throw_on_move is (both before touching either object); the move is not
// noexcept, so push(T&&) copies it.
struct tracked {
  static inline int live = 0;
  static inline bool throw_on_copy = false;
  static inline bool throw_on_move = false;
  int value;

  explicit tracked(int v) : value(v) { ++live; }
  tracked(const tracked& other) : value(other.value) {
    if (throw_on_copy) throw std::runtime_error("copy");
    ++live;
  }
  tracked(tracked&& other) : value(other.value) {
    if (throw_on_move) throw std::runtime_error("move");
    other.value = -1;
    ++live;
  }
  tracked& operator=(const tracked&) = default;
  ~tracked() { --live; }
};

// A single-threaded test reclaimer that counts its live segments and can fail an allocation:
// retire keeps a segment until the domain is destroyed, as leaking does.
struct counting_segments {
  static inline int live = 0;
  static inline bool fail_allocation = false;

  template <class Node>
  class domain {
   public:
    using link = Node*;
    using guard = lockstep::hazard::loaded_link<link>;

    domain() = default;
    domain(const domain&) = delete;
    domain& operator=(const domain&) = delete;
    ~domain() {
      for (Node* n : retired_) {
        delete n;
        --live;
      }
    }

    static Node* pointer(link l) noexcept { return l; }
    static link successor(link, Node* p) noexcept { return p; }
    guard protect(const lockstep::sync::atomic<link>& source) const {
      return guard(source.load(std::memory_order_acquire));
    }
    Node* allocate() {
      if (fail_allocation) throw std::bad_alloc();
      Node* n = new Node();
      ++live;
      return n;
    }
    void retire(Node* n) { retired_.push_back(n); }
    std::size_t unreclaimed() const noexcept { return retired_.size(); }

   private:
    std::vector<Node*> retired_;
  };
};

class faa_queue_test : public ::testing::Test {
 protected:
  void TearDown() override {
    tracked::throw_on_copy = false;
    tracked::throw_on_move = false;
    counting_segments::fail_allocation = false;
    EXPECT_EQ(tracked::live, 0);
    EXPECT_EQ(counting_segments::live, 0);
  }
};

template <class Queue>
class faa_queue_shapes : public ::testing::Test {};

using shapes =
    ::testing::Types<faa_queue<int>, faa_queue<int, hazard_pointers, 1>,
                     faa_queue<int, hazard_pointers, 2>,
                     faa_queue<int, basic_hazard_pointers<2>, 2>, faa_queue<int, epochs, 1>,
                     faa_queue<int, epochs, 2>, faa_queue<int, epochs>, faa_queue<int, leaking, 1>,
                     faa_queue<int, leaking, 2>, faa_queue<int, leaking>>;
TYPED_TEST_SUITE(faa_queue_shapes, shapes);

TYPED_TEST(faa_queue_shapes, is_fifo_across_segment_boundaries) {
  TypeParam q;
  EXPECT_EQ(q.try_pop(), std::nullopt);
  int next_in = 0, next_out = 0;
  // Bursts of growing length, so that both ends cross segment boundaries in every phase.
  for (int burst = 1; burst <= 40; ++burst) {
    for (int i = 0; i < burst; ++i) q.push(next_in++);
    for (int i = 0; i < burst / 2 + 1 && next_out < next_in; ++i)
      EXPECT_EQ(q.try_pop(), next_out++);
  }
  while (next_out < next_in) EXPECT_EQ(q.try_pop(), next_out++);
  EXPECT_EQ(q.try_pop(), std::nullopt);
  EXPECT_EQ(q.try_pop(), std::nullopt);
  q.push(-1);
  EXPECT_EQ(q.try_pop(), -1);
}

TYPED_TEST(faa_queue_shapes, holds_move_only_values) {
  using queue = faa_queue<std::unique_ptr<int>, lockstep::hazard::leaking, TypeParam::segment_size>;
  queue q;
  for (int i = 0; i < 5; ++i) {
    auto p = std::make_unique<int>(i);
    q.push(std::move(p));
    EXPECT_EQ(p, nullptr);  // moved in, and the cell was not lost: nothing came back
  }
  for (int i = 0; i < 5; ++i) {
    std::optional<std::unique_ptr<int>> v = q.try_pop();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(**v, i);
  }
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

// Single-threaded, nothing is ever poisoned: each segment is retired exactly once, when a pop
// runs past its end, so leaking's count of kept segments is exact.
TEST_F(faa_queue_test, retires_each_drained_segment_once) {
  faa_queue<int, leaking, 4> q;
  for (int i = 0; i < 4; ++i) q.push(i);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(q.try_pop(), i);
  EXPECT_EQ(q.unreclaimed(), 0u);  // drained, but still the last segment: nowhere to move head
  q.push(4);                       // appends the second segment
  EXPECT_EQ(q.try_pop(), 4);       // runs past the first: retires it
  EXPECT_EQ(q.unreclaimed(), 1u);
  for (int i = 5; i < 5 + 40; ++i) q.push(i);
  for (int i = 5; i < 5 + 40; ++i) EXPECT_EQ(q.try_pop(), i);
  // Values 4 to 7 filled the second segment, 8 to 44 nine more and one cell of a tenth: popping
  // them drained the second to the eleventh segment, and the twelfth is head.
  EXPECT_EQ(q.unreclaimed(), 11u);
}

TEST_F(faa_queue_test, polling_an_empty_queue_consumes_no_cells) {
  // Had the polls taken cells, they would have poisoned the first segment's two cells, the
  // pushes would have appended a second segment, and the pops would have retired the first.
  faa_queue<int, leaking, 2> q;
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(q.try_pop(), std::nullopt);
  q.push(1);
  for (int i = 0; i < 1000; ++i)
    EXPECT_EQ(q.try_pop(), i == 0 ? std::optional<int>(1) : std::nullopt);
  q.push(2);
  EXPECT_EQ(q.try_pop(), 2);
  EXPECT_EQ(q.unreclaimed(), 0u);
}

// A long run frees what it retires: what waits stays within each policy's bound (hazard
// pointers: a scan at 2H retired segments, H = 1 here; epochs: a collect every 64 retires, which
// frees what was retired two epochs earlier), far below the 25 000 segments the run goes through.
TEST_F(faa_queue_test, reclaims_segments_during_a_long_run) {
  faa_queue<int, hazard_pointers, 4> hp;
  faa_queue<int, epochs, 4> ep;
  std::size_t hp_peak = 0, ep_peak = 0;
  for (int round = 0; round < 10'000; ++round) {
    for (int i = 0; i < 10; ++i) {
      hp.push(i);
      ep.push(i);
    }
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(hp.try_pop(), i);
      EXPECT_EQ(ep.try_pop(), i);
    }
    hp_peak = std::max(hp_peak, hp.unreclaimed());
    ep_peak = std::max(ep_peak, ep.unreclaimed());
  }
  EXPECT_LE(hp_peak, 4u);
  EXPECT_LE(ep_peak, 3u * 64u);
}

TEST_F(faa_queue_test, destruction_destroys_the_values_left_and_frees_every_segment) {
  {
    faa_queue<tracked, counting_segments, 2> q;
    for (int i = 0; i < 7; ++i) q.push(tracked(i));
    EXPECT_EQ(counting_segments::live, 4);  // [0 1] [2 3] [4 5] [6 -]
    EXPECT_EQ(q.try_pop()->value, 0);
    EXPECT_EQ(q.try_pop()->value, 1);
    EXPECT_EQ(q.try_pop()->value, 2);  // retires the first segment
    EXPECT_EQ(q.unreclaimed(), 1u);
    EXPECT_EQ(tracked::live, 4);
  }
  EXPECT_EQ(tracked::live, 0);
  EXPECT_EQ(counting_segments::live, 0);
}

TEST_F(faa_queue_test, a_throwing_copy_into_push_changes_nothing) {
  faa_queue<tracked, counting_segments, 2> q;
  const tracked one(1), two(2), three(3);
  q.push(one);
  tracked::throw_on_copy = true;
  EXPECT_THROW(q.push(two), std::runtime_error);  // into cell 1: claimed, left empty
  EXPECT_THROW(q.push(two), std::runtime_error);  // past the end: a new segment, retired
  tracked::throw_on_copy = false;
  EXPECT_EQ(two.value, 2);
  q.push(three);
  EXPECT_EQ(q.try_pop()->value, 1);
  EXPECT_EQ(q.try_pop()->value, 3);
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

// push(T&&) moves only a T whose moves cannot throw; tracked's can, so it is copied, and the
// caller's object is untouched.
TEST_F(faa_queue_test, push_of_an_rvalue_copies_a_value_whose_move_may_throw) {
  faa_queue<tracked, counting_segments, 2> q;
  tracked x(7);
  tracked::throw_on_move = true;  // would fail the push if it moved
  q.push(std::move(x));
  tracked::throw_on_move = false;
  EXPECT_EQ(x.value, 7);
  EXPECT_EQ(q.try_pop()->value, 7);
}

// The move path keeps the value in the caller's object until a cell or a segment is published:
// a failed segment allocation leaves it there.
TEST_F(faa_queue_test, a_failed_segment_allocation_leaves_a_moved_value_with_the_caller) {
  faa_queue<std::unique_ptr<int>, counting_segments, 2> q;
  q.push(std::make_unique<int>(1));
  q.push(std::make_unique<int>(2));
  auto three = std::make_unique<int>(3);
  counting_segments::fail_allocation = true;
  EXPECT_THROW(q.push(std::move(three)), std::bad_alloc);
  counting_segments::fail_allocation = false;
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(*three, 3);
  q.push(std::move(three));
  EXPECT_EQ(**q.try_pop(), 1);
  EXPECT_EQ(**q.try_pop(), 2);
  EXPECT_EQ(**q.try_pop(), 3);
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

// try_pop takes the cell before it moves the value out: a throwing move loses that value (it is
// destroyed with its segment) and nothing else.
TEST_F(faa_queue_test, a_throwing_move_out_of_try_pop_loses_only_that_value) {
  faa_queue<tracked, counting_segments, 2> q;
  for (int i = 1; i <= 3; ++i) q.push(tracked(i));
  tracked::throw_on_move = true;
  EXPECT_THROW(q.try_pop(), std::runtime_error);
  tracked::throw_on_move = false;
  EXPECT_EQ(q.try_pop()->value, 2);
  EXPECT_EQ(q.try_pop()->value, 3);
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

// Four producers and four consumers; every value comes out exactly once, and each consumer
// receives each producer's values in increasing order. Small segments, so that appends, head
// moves and poisoned cells happen throughout.
template <class Queue>
void four_by_four() {
  constexpr int producers = 4, consumers = 4, per_producer = 20'000;
  Queue q;
  std::vector<std::atomic<int>> seen(producers * per_producer);
  std::atomic<int> remaining{producers * per_producer};
  std::atomic<bool> fifo{true};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&q, p] {
      for (int i = 0; i < per_producer; ++i) q.push(p * per_producer + i);
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      std::vector<int> last(producers, -1);
      while (remaining.load(std::memory_order_relaxed) > 0) {
        std::optional<int> v = q.try_pop();
        if (!v) {
          std::this_thread::yield();
          continue;
        }
        seen[*v].fetch_add(1, std::memory_order_relaxed);
        const int producer = *v / per_producer;
        if (*v <= last[producer]) fifo.store(false);
        last[producer] = *v;
        remaining.fetch_sub(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(fifo.load());
  for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i].load(), 1) << "value " << i;
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

TEST_F(faa_queue_test, four_producers_four_consumers_hazard_pointers) {
  four_by_four<faa_queue<int, hazard_pointers, 8>>();
}
TEST_F(faa_queue_test, four_producers_four_consumers_epochs) {
  four_by_four<faa_queue<int, epochs, 8>>();
}
TEST_F(faa_queue_test, four_producers_four_consumers_leaking) {
  four_by_four<faa_queue<int, leaking, 8>>();
}
TEST_F(faa_queue_test, four_producers_four_consumers_default_segments) {
  four_by_four<faa_queue<int>>();
}

}  // namespace
