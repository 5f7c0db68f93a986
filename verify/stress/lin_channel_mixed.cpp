// Channels used at once by threads and by coroutines are linearizable with respect to the one
// channel specification (verify/lin/channel_spec.hpp): the random driver of lin_channel.cpp,
// with every other thread of a scenario a coroutine client. Such a thread makes its blocking
// calls (send_for, recv_for) as a task on a scheduler shared by the whole test — co_await
// async_send_for / async_recv_for, suspending in the channel — and waits for the task with
// run(); its tries it makes itself, as a coroutine would (they never wait). So in one history a
// coroutine's suspended receive is completed by a parked thread's send and the other way round,
// and timers of the scheduler's timer thread race hand-overs. Both families, unbuffered (the
// hand-over is a dual operation, which the specification checks overlaps its partner) and
// buffered with capacities 1 and 2.
//
// A coroutine client's call is recorded from before run() to after it returns, a superset of
// the operation's own interval: a history that is not linearizable with these intervals is not
// with the exact ones either, so a failure is a real one.
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sync/thread.hpp>
#include <lockstep/verify/lin/channel_spec.hpp>
#include <lockstep/verify/lin/scenario.hpp>
#include "../unit/channel_types.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <utility>

namespace {

using lockstep::verify::channel_families;
using lockstep::verify::channel_family_names;
namespace lin = lockstep::verify::lin;
namespace sched = lockstep::sched;
namespace sync = lockstep::sync;

// A channel whose blocking calls are made by a coroutine when the calling thread is a coroutine
// client: threads alternate (sync::thread_index's parity), so every scenario of two or more
// threads has both kinds.
template <class Channel>
class mixed_clients {
 public:
  using value_type = typename Channel::value_type;

  mixed_clients(std::size_t capacity, sched::scheduler& s) : ch_(capacity), scheduler_(s) {}

  std::size_t capacity() const { return ch_.capacity(); }

  template <class Duration>
  sync::channel_status send_for(value_type v, Duration d) {
    if (!coroutine_client()) {
      thread_calls.fetch_add(1, std::memory_order_relaxed);
      return ch_.send_for(std::move(v), d);
    }
    coroutine_calls.fetch_add(1, std::memory_order_relaxed);
    return scheduler_.run(send(ch_, std::move(v), d));
  }
  template <class Duration>
  sync::recv_result<value_type> recv_for(Duration d) {
    if (!coroutine_client()) {
      thread_calls.fetch_add(1, std::memory_order_relaxed);
      return ch_.recv_for(d);
    }
    coroutine_calls.fetch_add(1, std::memory_order_relaxed);
    return scheduler_.run(receive(ch_, d));
  }
  sync::channel_status try_send(value_type v) { return ch_.try_send(std::move(v)); }
  sync::recv_result<value_type> try_recv() { return ch_.try_recv(); }

  // The blocking calls made each way, so that a test can require that both kinds of client ran.
  // Relaxed: counters, read after the threads are joined.
  static inline std::atomic<unsigned long> thread_calls{0};
  static inline std::atomic<unsigned long> coroutine_calls{0};

 private:
  static bool coroutine_client() { return sync::thread_index() % 2 == 1; }

  template <class Duration>
  static sched::task<sync::channel_status> send(Channel& ch, value_type v, Duration d) {
    co_return co_await ch.async_send_for(std::move(v), d);
  }
  template <class Duration>
  static sched::task<sync::recv_result<value_type>> receive(Channel& ch, Duration d) {
    co_return co_await ch.async_recv_for(d);
  }

  Channel ch_;
  sched::scheduler& scheduler_;
};

template <class Family>
lin::scenario_report check(sched::scheduler& s, std::size_t capacity) {
  using channel = mixed_clients<typename Family::template type<std::int64_t>>;
  lin::scenario_options options;
  options.capacity = capacity;
  // A coroutine client's call goes through the scheduler and a wake-up of the waiting thread:
  // each history takes longer than lin_channel's, so fewer of them, in the same few seconds.
  options.scenarios = lin::default_scenarios / 4;
  const lin::scenario_report r = lin::run_scenarios<lin::channel_workload>(
      [&s](std::size_t c) { return std::make_unique<channel>(c, s); }, options);
  const unsigned long by_threads = channel::thread_calls.exchange(0);
  const unsigned long by_coroutines = channel::coroutine_calls.exchange(0);
  std::printf("capacity %zu: %u scenarios, %u runs (seed %llu); blocking calls: %lu by "
              "threads, %lu by coroutines\n",
              capacity, r.scenarios_run, r.runs, static_cast<unsigned long long>(r.seed),
              by_threads, by_coroutines);
  EXPECT_GT(by_threads, 0u);
  EXPECT_GT(by_coroutines, 0u);
  return r;
}

template <class Family>
class lin_channel_mixed : public ::testing::Test {};
TYPED_TEST_SUITE(lin_channel_mixed, channel_families, channel_family_names);

TYPED_TEST(lin_channel_mixed, unbuffered_histories_are_linearizable) {
  sched::scheduler s(2);
  const lin::scenario_report r = check<TypeParam>(s, 0);
  EXPECT_TRUE(r) << r.counterexample;
}

TYPED_TEST(lin_channel_mixed, buffered_histories_are_linearizable) {
  sched::scheduler s(2);
  for (std::size_t capacity : {1u, 2u}) {
    const lin::scenario_report r = check<TypeParam>(s, capacity);
    EXPECT_TRUE(r) << r.counterexample;
  }
}

}  // namespace
