// Go's select races from runtime/chan_test.go, for both families (locked::select,
// lockfree::select): a non-blocking select acts on the channels' state at one instant, and two
// selects that send and receive on one channel complete each other.
//
// Go starts a goroutine per iteration; here one helper thread runs every iteration's select,
// since a thread per iteration costs too much under qemu. The helper spins for the next
// iteration, and the main thread waits a varying number of pauses before it changes the
// channels, so that over the iterations the select's polls fall at every point of the main
// thread's steps: the race the Go tests are about.
#include "channel_types.hpp"

#include <atomic>
#include <cstddef>
#include <optional>
#include <thread>

namespace {

using lockstep::verify::channel_family_names;
using lockstep::verify::select_families;

template <class Family>
class go_select_race : public lockstep::verify::channel_suite<Family> {};
TYPED_TEST_SUITE(go_select_race, select_families, channel_family_names);

// Go runs 100000 iterations, 1000 with -short; 1000 here too.
constexpr int nonblock_iterations = 1000;

// A helper thread that runs, for each iteration it is handed, a try_select over receiving from
// c1 and from c2, and reports whether a case fired (Go's `default:` sends false).
template <class Family>
class nonblock_selector {
 public:
  template <class T>
  using chan = typename Family::template type<T>;

  nonblock_selector()
      : helper_([this] {
          for (int seen = 0;; ++seen) {
            for (int n = 0; started_.load(std::memory_order_acquire) == seen; ++n) pause(n);
            if (c1_ == nullptr) return;
            std::optional<int> x, y;
            fired_ = try_select(on_recv(*c1_, x), on_recv(*c2_, y)).has_value();
            finished_.store(seen + 1, std::memory_order_release);
          }
        }) {}
  ~nonblock_selector() {
    c1_ = nullptr;
    started_.fetch_add(1, std::memory_order_release);
    helper_.join();
  }

  // Starts the select over c1 and c2, then waits `skew` pauses.
  void start(chan<int>& c1, chan<int>& c2, int skew) {
    c1_ = &c1;
    c2_ = &c2;
    started_.fetch_add(1, std::memory_order_release);
    for (int i = 0; i < skew; ++i) lockstep::sync::cpu_relax();
  }
  bool fired() {
    for (int n = 0;
         finished_.load(std::memory_order_acquire) != started_.load(std::memory_order_relaxed);
         ++n) {
      pause(n);
    }
    return fired_;
  }

 private:
  // A spin that yields now and then: the other thread may share this core.
  static void pause(int n) {
    if (n % 256 == 255) {
      std::this_thread::yield();
    } else {
      lockstep::sync::cpu_relax();
    }
  }

  chan<int>* c1_ = nullptr;
  chan<int>* c2_ = nullptr;
  bool fired_ = false;
  std::atomic<int> started_{0};
  std::atomic<int> finished_{0};
  std::thread helper_;
};

// Ports Go's runtime/chan_test.go TestNonblockSelectRace: c1 is ready for receiving before the
// select starts; c2 is made ready, then c1 is drained, while the select runs. One of them is
// ready at every instant, so the select must never take `default`.
TYPED_TEST(go_select_race, nonblock_select_race) {
  using chan = typename TestFixture::template chan<int>;
  nonblock_selector<TypeParam> selector;
  for (int i = 0; i < nonblock_iterations; ++i) {
    chan c1(1), c2(1);
    c1.send(1);
    selector.start(c1, c2, i % 64);
    c2.send(1);
    (void)c1.try_recv();
    ASSERT_TRUE(selector.fired()) << "no chan is ready, iteration " << i;
  }
}

// Ports Go's runtime/chan_test.go TestNonblockSelectRace2: as TestNonblockSelectRace, but c2 is
// unbuffered and made ready by close(c2) instead of a send.
TYPED_TEST(go_select_race, nonblock_select_race_2) {
  using chan = typename TestFixture::template chan<int>;
  nonblock_selector<TypeParam> selector;
  for (int i = 0; i < nonblock_iterations; ++i) {
    chan c1(1), c2(0);
    c1.send(1);
    selector.start(c1, c2, i % 64);
    c2.close();
    (void)c1.try_recv();
    ASSERT_TRUE(selector.fired()) << "no chan is ready, iteration " << i;
  }
}

// Ports Go's runtime/chan_test.go TestSelfSelect: two threads each run 1000 selects that send
// their number on c and receive from c, the cases in either order, on an unbuffered channel and
// on one of capacity 10. Neither may deadlock, and unbuffered, neither may receive its own
// value.
TYPED_TEST(go_select_race, self_select) {
  using chan = typename TestFixture::template chan<int>;
  for (std::size_t capacity : {std::size_t{0}, std::size_t{10}}) {
    chan c(capacity);
    const auto selector = [&](int p) {
      for (int i = 0; i < 1000; ++i) {
        std::optional<int> v;
        if (p == 0 || i % 2 == 0) {
          select(on_send(c, p), on_recv(c, v));
        } else {
          select(on_recv(c, v), on_send(c, p));
        }
        if (capacity == 0 && v == p) {
          ADD_FAILURE() << "self receive";
          return;
        }
      }
    };
    std::thread other(selector, 1);
    selector(0);
    other.join();
  }
}

}  // namespace
