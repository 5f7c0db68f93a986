// Litmus tests of the seam itself: they prove that sync/ under Relacy does not weaken the
// model. If the seam initialised atomics "strongly" or dropped the orders it is given, the
// relaxed outcomes below would become unreachable and these checks would fail; if its
// destructors lost their stores under -O2, the use-after-free would go unreported.
#include <lockstep/verify/model_check.hpp>

#include <lockstep/sync/sync.hpp>

using namespace lockstep;

namespace {

// Store buffering: each thread stores to one variable and loads the other. r1 = r2 = 0 is
// allowed unless both stores and loads are seq_cst.
template <std::memory_order Order>
struct store_buffering : rl::test_suite<store_buffering<Order>, 2> {
  sync::atomic<int> x{0};
  sync::atomic<int> y{0};
  int r1 = -1;
  int r2 = -1;

  void thread(unsigned index) {
    if (index == 0) {
      x.store(1, Order);
      r1 = y.load(Order);
    } else {
      y.store(1, Order);
      r2 = x.load(Order);
    }
  }
  void after() { RL_ASSERT(!(r1 == 0 && r2 == 0)); }
};

// Message passing: a payload published behind a flag. With relaxed flag accesses the reader
// may see the flag and a stale payload (plain payload: a data race).
template <std::memory_order Store, std::memory_order Load>
struct message_passing_atomic : rl::test_suite<message_passing_atomic<Store, Load>, 2> {
  sync::atomic<int> data{0};
  sync::atomic<int> flag{0};

  void thread(unsigned index) {
    if (index == 0) {
      data.store(42, sync::relaxed);
      flag.store(1, Store);
    } else if (flag.load(Load) == 1) {
      RL_ASSERT(data.load(sync::relaxed) == 42);
    }
  }
};

template <std::memory_order Store, std::memory_order Load>
struct message_passing_plain : rl::test_suite<message_passing_plain<Store, Load>, 2> {
  sync::plain<int> data{0};
  sync::atomic<int> flag{0};

  void thread(unsigned index) {
    if (index == 0) {
      data.store(42);
      flag.store(1, Store);
    } else if (flag.load(Load) == 1) {
      RL_ASSERT(data.load() == 42);
    }
  }
};

struct node {
  sync::atomic<int> counter{1};
  sync::plain<int> payload{7};
};

// One thread unlinks and frees a node while the other may still be reading it: the read after
// the free must be reported, for an atomic field and for a plain one. This is the check that
// -O2's dead-store elimination of destructor stores would silently disable.
template <bool ReadPlain>
struct use_after_free : rl::test_suite<use_after_free<ReadPlain>, 2> {
  sync::atomic<node*> shared{nullptr};

  void before() { shared.store(new node, sync::relaxed); }

  void thread(unsigned index) {
    if (index == 0) {
      node* n = shared.load(sync::acquire);
      if (n == nullptr) return;
      if constexpr (ReadPlain) {
        (void)n->payload.load();
      } else {
        (void)n->counter.load(sync::relaxed);
      }
    } else {
      delete shared.exchange(nullptr, sync::acq_rel);
    }
  }
};

// A futex-style wait with the wake-up announced before the store it depends on would be a lost
// wake-up; written correctly (store, then notify) it must never deadlock.
struct wait_notify : rl::test_suite<wait_notify, 2> {
  sync::atomic<int> ready{0};

  void thread(unsigned index) {
    if (index == 0) {
      ready.store(1, sync::release);
      ready.notify_one();
    } else {
      ready.wait(0, sync::acquire);
      RL_ASSERT(ready.load(sync::relaxed) == 1);
    }
  }
};

// Mutex and condition variable through the seam: a waiter under `while` sees the state.
struct condition_handoff : rl::test_suite<condition_handoff, 2> {
  sync::mutex m;
  sync::condition_variable cv;
  sync::plain<bool> ready{false};

  void thread(unsigned index) {
    if (index == 0) {
      {
        std::scoped_lock lock(m);
        ready.store(true);
      }
      cv.notify_one();
    } else {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return ready.load(); });
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  using lockstep::verify::search;
  constexpr auto relaxed = std::memory_order_relaxed;
  constexpr auto acquire = std::memory_order_acquire;
  constexpr auto release = std::memory_order_release;
  constexpr auto seq_cst = std::memory_order_seq_cst;

  lockstep::verify::model_checks checks(argc, argv);
  checks.catches<store_buffering<relaxed>>("store buffering, relaxed: r1=r2=0 reachable",
                                           search::full(), rl::test_result_user_assert_failed);
  checks.catches<store_buffering<release>>("store buffering, release/acquire: r1=r2=0 reachable",
                                           search::full(), rl::test_result_user_assert_failed);
  checks.pass<store_buffering<seq_cst>>("store buffering, seq_cst: r1=r2=0 unreachable",
                                        search::full());
  checks.catches<message_passing_atomic<relaxed, relaxed>>(
      "message passing, relaxed: stale payload", search::full(), rl::test_result_user_assert_failed);
  checks.catches<message_passing_plain<relaxed, relaxed>>(
      "message passing, relaxed, plain payload: data race", search::full(),
      rl::test_result_data_race);
  checks.pass<message_passing_atomic<release, acquire>>("message passing, release/acquire",
                                                        search::full());
  checks.pass<message_passing_plain<release, acquire>>(
      "message passing, release/acquire, plain payload", search::full());
  checks.catches<use_after_free<false>>("use after free of an atomic field, -O2", search::full(),
                                        rl::test_result_access_to_freed_memory);
  checks.catches<use_after_free<true>>("use after free of a plain field, -O2", search::full(),
                                       rl::test_result_access_to_freed_memory);
  checks.pass<wait_notify>("futex-style wait/notify: no lost wake-up", search::full());
  checks.pass<condition_handoff>("mutex + condition variable hand-off", search::full());
  return checks.result();
}
