// lockfree::channel's second kind of waiter: coroutines that suspend on the same cells a thread
// parks on. Coroutine to coroutine on unbuffered and buffered channels, thread to coroutine both
// ways, close waking suspended receivers and senders (a sender gets channel_closed with its value
// back), the timed forms, async_select (two selects racing for one value, a select meeting
// itself), disabled cases, and a scheduler destroyed with coroutines suspended on a channel that
// outlives it. Each wait that needs a partner gets it from the other side, so a lost resume hangs
// the test (the watchdog names it) rather than passing by luck.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/task.hpp>
#include <lockstep/sched/wait_group.hpp>

#include "sched_support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace lockstep;
using lockstep::lockfree::on_recv;
using lockstep::lockfree::on_send;
using lockstep::verify::watchdog;

template <class T>
using chan = lockfree::channel<T>;

static_assert(sync::awaitable_channel<chan<int>>);
static_assert(sync::awaitable_channel<chan<std::unique_ptr<int>>>);

constexpr int messages = 2000;

sched::task<void> produce(chan<int>& ch, int from, int count, sched::wait_group& wg) {
  for (int i = from; i < from + count; ++i) co_await ch.async_send(i);
  wg.done();
}

sched::task<long> consume(chan<int>& ch) {
  long sum = 0;
  while (std::optional<int> v = co_await ch.async_recv()) sum += *v;
  co_return sum;
}

constexpr long sum_below(long n) { return n * (n - 1) / 2; }

sched::task<void> done_after(sched::task<void> t, sched::wait_group& wg) {
  co_await std::move(t);
  wg.done();
}

// Spawns `t` as one more coroutine that `wg` waits for.
void spawn_counted(sched::task<void> t, sched::wait_group& wg) {
  wg.add(1);
  sched::spawn(done_after(std::move(t), wg));
}

// A thread that closes `channels` once `count` coroutines have started and a pause has passed:
// most are suspended by then, and either way they must end.
template <class... Channels>
std::thread close_when_started(const std::atomic<int>& started, int count,
                               std::chrono::milliseconds pause, Channels&... channels) {
  return std::thread([&started, count, pause, &channels...] {
    while (started.load() < count) std::this_thread::yield();
    std::this_thread::sleep_for(pause);
    (channels.close(), ...);
  });
}

class lockfree_channel_async : public ::testing::TestWithParam<std::size_t> {};
INSTANTIATE_TEST_SUITE_P(capacities, lockfree_channel_async, ::testing::Values(0, 1, 4));

// Two producers and two consumers, all coroutines: every value arrives once.
TEST_P(lockfree_channel_async, coroutines_exchange_every_value_once) {
  watchdog guard(20s, "coroutines_exchange_every_value_once");
  sched::scheduler s(2);
  chan<int> ch(GetParam());
  const long sum = s.run([](chan<int>& ch) -> sched::task<long> {
    sched::wait_group producers;
    producers.add(2);
    sched::spawn(produce(ch, 0, messages / 2, producers));
    sched::spawn(produce(ch, messages / 2, messages / 2, producers));
    sched::wait_group consumers;
    consumers.add(1);
    long other = 0;
    sched::spawn([](chan<int>& ch, long& out, sched::wait_group& wg) -> sched::task<void> {
      out = co_await consume(ch);
      wg.done();
    }(ch, other, consumers));
    sched::spawn([](chan<int>& ch, sched::wait_group& producers) -> sched::task<void> {
      co_await producers.wait();
      ch.close();
    }(ch, producers));
    const long mine = co_await consume(ch);
    co_await consumers.wait();
    co_return mine + other;
  }(ch));
  EXPECT_EQ(sum, sum_below(messages));
}

// A thread sends to a coroutine, and a coroutine to a thread, on the one channel family.
TEST_P(lockfree_channel_async, threads_and_coroutines_meet_both_ways) {
  watchdog guard(20s, "threads_and_coroutines_meet_both_ways");
  sched::scheduler s(2);
  {
    chan<int> ch(GetParam());
    std::thread sender([&] {
      for (int i = 0; i < messages; ++i) ch.send(i);
      ch.close();
    });
    EXPECT_EQ(s.run(consume(ch)), sum_below(messages));
    sender.join();
  }
  {
    chan<int> ch(GetParam());
    long sum = 0;
    std::thread receiver([&] {
      for (int v : ch) sum += v;
    });
    s.run([](chan<int>& ch) -> sched::task<void> {
      for (int i = 0; i < messages; ++i) co_await ch.async_send(i);
      ch.close();
    }(ch));
    receiver.join();
    EXPECT_EQ(sum, sum_below(messages));
  }
}

// A move-only value, moved only by the send that happens.
TEST_P(lockfree_channel_async, move_only_values_move_once) {
  watchdog guard(20s, "move_only_values_move_once");
  sched::scheduler s(2);
  chan<std::unique_ptr<int>> ch(GetParam());
  std::thread receiver([&] {
    for (int i = 0; i < 100; ++i) EXPECT_EQ(**ch.recv(), i);
  });
  s.run([](chan<std::unique_ptr<int>>& ch) -> sched::task<void> {
    for (int i = 0; i < 100; ++i) {
      auto p = std::make_unique<int>(i);
      co_await ch.async_send(std::move(p));
      EXPECT_EQ(p, nullptr);
    }
  }(ch));
  receiver.join();
}

// close() resumes every suspended receiver with nothing, and every suspended sender with
// channel_closed and its value back.
TEST(lockfree_channel_async_close, wakes_suspended_receivers_and_senders) {
  watchdog guard(20s, "wakes_suspended_receivers_and_senders");
  sched::scheduler s(2);
  chan<int> receivers_ch(0);
  chan<std::unique_ptr<int>> senders_ch(0);
  std::atomic<int> started{0};
  std::atomic<int> empty_receives{0};
  std::atomic<int> values_back{0};
  std::thread closer = close_when_started(started, 6, 20ms, receivers_ch, senders_ch);
  s.run([](chan<int>& rc, chan<std::unique_ptr<int>>& sc, std::atomic<int>& started,
           std::atomic<int>& empty, std::atomic<int>& back) -> sched::task<void> {
    sched::wait_group wg;
    for (int i = 0; i < 3; ++i) {
      spawn_counted([](chan<int>& ch, std::atomic<int>& started,
                       std::atomic<int>& empty) -> sched::task<void> {
        started.fetch_add(1);
        if (!(co_await ch.async_recv())) empty.fetch_add(1);
      }(rc, started, empty), wg);
      spawn_counted([](chan<std::unique_ptr<int>>& ch, int i, std::atomic<int>& started,
                       std::atomic<int>& back) -> sched::task<void> {
        auto p = std::make_unique<int>(i);
        started.fetch_add(1);
        try {
          co_await ch.async_send(std::move(p));
        } catch (const sync::channel_closed&) {
          if (p && *p == i) back.fetch_add(1);
        }
      }(sc, i, started, back), wg);
    }
    co_await wg.wait();
  }(receivers_ch, senders_ch, started, empty_receives, values_back));
  closer.join();
  EXPECT_EQ(empty_receives.load(), 3);
  EXPECT_EQ(values_back.load(), 3);
}

// A send on a closed channel throws at once; a buffered value is still received after close.
TEST(lockfree_channel_async_close, closed_channel_throws_and_drains) {
  sched::scheduler s(1);
  chan<int> ch(2);
  ch.send(7);
  ch.close();
  s.run([](chan<int>& ch) -> sched::task<void> {
    int v = 3;
    EXPECT_THROW(co_await ch.async_send(v), sync::channel_closed);
    EXPECT_THROW(co_await ch.async_send_for(v, 1ms), sync::channel_closed);
    EXPECT_EQ(co_await ch.async_recv(), 7);
    EXPECT_EQ(co_await ch.async_recv(), std::nullopt);
    EXPECT_EQ((co_await ch.async_recv_for(1ms)).status, sync::channel_status::closed);
  }(ch));
}

TEST(lockfree_channel_async_timed, times_out_with_the_value_back) {
  watchdog guard(20s, "times_out_with_the_value_back");
  sched::scheduler s(2);
  chan<std::unique_ptr<int>> ch(0);
  s.run([](chan<std::unique_ptr<int>>& ch) -> sched::task<void> {
    const auto start = std::chrono::steady_clock::now();
    const sync::recv_result<std::unique_ptr<int>> got = co_await ch.async_recv_for(10ms);
    EXPECT_EQ(got.status, sync::channel_status::timeout);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 10ms);
    auto p = std::make_unique<int>(5);
    EXPECT_EQ(co_await ch.async_send_for(std::move(p), 10ms), sync::channel_status::timeout);
    EXPECT_TRUE(p != nullptr && *p == 5);
  }(ch));
  // The withdrawn cells are skipped: the channel still works.
  std::thread sender([&] { ch.send(std::make_unique<int>(6)); });
  EXPECT_EQ(**ch.recv(), 6);
  sender.join();
}

TEST(lockfree_channel_async_timed, completes_when_a_partner_comes_in_time) {
  watchdog guard(20s, "completes_when_a_partner_comes_in_time");
  sched::scheduler s(2);
  chan<int> ch(0);
  std::thread partner([&] {
    std::this_thread::sleep_for(5ms);
    ch.send(1);
    EXPECT_EQ(ch.recv(), 2);
  });
  s.run([](chan<int>& ch) -> sched::task<void> {
    const sync::recv_result<int> got = co_await ch.async_recv_for(10s);
    EXPECT_EQ(got.status, sync::channel_status::ok);
    EXPECT_EQ(got.value, 1);
    EXPECT_EQ(co_await ch.async_send_for(2, 10s), sync::channel_status::ok);
  }(ch));
  partner.join();
}

// Timed waits racing their partners: each value moves exactly once, whoever wins.
TEST(lockfree_channel_async_timed, racing_deadlines_lose_no_value) {
  watchdog guard(20s, "racing_deadlines_lose_no_value");
  sched::scheduler s(2);
  chan<int> ch(0);
  std::atomic<long> received{0};
  std::atomic<long> sent{0};
  s.run([](chan<int>& ch, std::atomic<long>& received,
           std::atomic<long>& sent) -> sched::task<void> {
    sched::wait_group wg;
    spawn_counted([](chan<int>& ch, std::atomic<long>& sent) -> sched::task<void> {
      for (int i = 1; i <= 300; ++i) {
        if (co_await ch.async_send_for(i, 50us) == sync::channel_status::ok) sent += i;
      }
    }(ch, sent), wg);
    spawn_counted([](chan<int>& ch, std::atomic<long>& received) -> sched::task<void> {
      for (int i = 0; i < 300; ++i) {
        const sync::recv_result<int> got = co_await ch.async_recv_for(50us);
        if (got) received += *got.value;
      }
    }(ch, received), wg);
    co_await wg.wait();
  }(ch, received, sent));
  EXPECT_EQ(received.load(), sent.load());
}

TEST(lockfree_channel_async_errors, awaiting_off_a_worker_is_a_logic_error) {
  // A coroutine driven by hand, on no executor: the await throws before any cell is taken.
  struct bare {
    struct promise_type {
      std::exception_ptr error;
      bare get_return_object() { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
      std::suspend_never initial_suspend() noexcept { return {}; }
      std::suspend_always final_suspend() noexcept { return {}; }
      void return_void() {}
      void unhandled_exception() { error = std::current_exception(); }
    };
    std::coroutine_handle<promise_type> h;
  };
  chan<int> ch(0);
  bare b = [](chan<int>& ch) -> bare { (void)co_await ch.async_recv(); }(ch);
  EXPECT_TRUE(b.h.done());
  EXPECT_THROW(std::rethrow_exception(b.h.promise().error), std::logic_error);
  b.h.destroy();
  EXPECT_EQ(ch.try_send(1), sync::channel_status::full);  // nobody waits in the channel
}

// Two selecting coroutines race for each value (a second case that never fires keeps each a
// real select): every value goes to exactly one of them.
TEST(lockfree_channel_async_select, two_selects_race_for_each_value) {
  watchdog guard(20s, "two_selects_race_for_each_value");
  sched::scheduler s(2);
  chan<int> ch(0);
  chan<int> idle(0);
  std::atomic<long> sum{0};
  std::atomic<int> count{0};
  s.run([](chan<int>& ch, chan<int>& idle, std::atomic<long>& sum,
           std::atomic<int>& count) -> sched::task<void> {
    sched::wait_group wg;
    for (int i = 0; i < 2; ++i) {
      spawn_counted([](chan<int>& ch, chan<int>& idle, std::atomic<long>& sum,
                       std::atomic<int>& count) -> sched::task<void> {
        for (;;) {
          std::optional<int> v;
          std::optional<int> never;
          const std::size_t fired =
              co_await lockfree::async_select(on_recv(idle, never), on_recv(ch, v));
          EXPECT_EQ(fired, 1u);
          if (!v) break;
          sum += *v;
          ++count;
        }
      }(ch, idle, sum, count), wg);
    }
    for (int i = 0; i < messages; ++i) co_await ch.async_send(i);
    ch.close();
    co_await wg.wait();
  }(ch, idle, sum, count));
  EXPECT_EQ(count.load(), messages);
  EXPECT_EQ(sum.load(), sum_below(messages));
}

// A select with a send and a receive on one unbuffered channel meets itself; a partner thread
// completes one of the two cases, whichever it can.
TEST(lockfree_channel_async_select, a_select_meeting_itself_waits_for_a_partner) {
  watchdog guard(20s, "a_select_meeting_itself_waits_for_a_partner");
  sched::scheduler s(2);
  chan<int> ch(0);
  for (int round = 0; round < 20; ++round) {
    const bool partner_receives = round % 2 == 0;
    std::thread partner([&] {
      if (partner_receives) {
        EXPECT_EQ(ch.recv(), 1);
      } else {
        ch.send(2);
      }
    });
    const std::size_t fired = s.run([](chan<int>& ch) -> sched::task<std::size_t> {
      std::optional<int> v;
      const std::size_t i = co_await lockfree::async_select(on_send(ch, 1), on_recv(ch, v));
      if (i == 1) {
        EXPECT_EQ(v, 2);
      }
      co_return i;
    }(ch));
    partner.join();
    EXPECT_EQ(fired, partner_receives ? 0u : 1u);
  }
}

TEST(lockfree_channel_async_select, timed_select_gives_up_or_fires) {
  watchdog guard(20s, "timed_select_gives_up_or_fires");
  sched::scheduler s(2);
  chan<int> ch(0);
  std::thread partner([&] {
    std::this_thread::sleep_for(30ms);
    EXPECT_EQ(ch.recv(), 9);
  });
  s.run([](chan<int>& ch) -> sched::task<void> {
    std::optional<int> v;
    const auto start = std::chrono::steady_clock::now();
    auto timed_out = co_await lockfree::async_select_for(10ms, on_recv(ch, v));
    EXPECT_EQ(timed_out, std::nullopt);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 10ms);
    auto fired = co_await lockfree::async_select_for(10s, on_recv(ch, v), on_send(ch, 9));
    EXPECT_EQ(fired, std::optional<std::size_t>(1));
  }(ch));
  partner.join();
}

// close() fires a suspended select's cases: a receive with nothing, a send with channel_closed.
TEST(lockfree_channel_async_select, close_fires_suspended_selects) {
  watchdog guard(20s, "close_fires_suspended_selects");
  sched::scheduler s(2);
  chan<int> in(0);
  chan<int> out(0);
  std::atomic<int> started{0};
  std::thread closer = close_when_started(started, 2, 10ms, in, out);
  s.run([](chan<int>& in, chan<int>& out, std::atomic<int>& started) -> sched::task<void> {
    sched::wait_group wg;
    spawn_counted([](chan<int>& in, std::atomic<int>& started) -> sched::task<void> {
      std::optional<int> v{5};
      started.fetch_add(1);
      EXPECT_EQ(co_await lockfree::async_select(on_recv(in, v)), 0u);
      EXPECT_EQ(v, std::nullopt);
    }(in, started), wg);
    spawn_counted([](chan<int>& out, std::atomic<int>& started) -> sched::task<void> {
      started.fetch_add(1);
      EXPECT_THROW(co_await lockfree::async_select(on_send(out, 1)), sync::channel_closed);
    }(out, started), wg);
    co_await wg.wait();
  }(in, out, started));
  closer.join();
}

// Go's nil-channel idiom: merge two channels until both close, disabling each case as its
// channel closes, on a thread and in a coroutine.
long merge_on_a_thread(chan<int>* a, chan<int>* b) {
  long sum = 0;
  while (a != nullptr || b != nullptr) {
    std::optional<int> from_a;
    std::optional<int> from_b;
    switch (lockfree::select(on_recv(a, from_a), on_recv(b, from_b))) {
      case 0:
        if (from_a) sum += *from_a; else a = nullptr;
        break;
      default:
        if (from_b) sum += *from_b; else b = nullptr;
        break;
    }
  }
  return sum;
}

sched::task<long> merge_in_a_coroutine(chan<int>* a, chan<int>* b) {
  long sum = 0;
  while (a != nullptr || b != nullptr) {
    std::optional<int> from_a;
    std::optional<int> from_b;
    switch (co_await lockfree::async_select(on_recv(a, from_a), on_recv(b, from_b))) {
      case 0:
        if (from_a) sum += *from_a; else a = nullptr;
        break;
      default:
        if (from_b) sum += *from_b; else b = nullptr;
        break;
    }
  }
  co_return sum;
}

void feed(chan<int>& a, chan<int>& b) {
  for (int i = 0; i < messages; ++i) (i % 3 == 0 ? a : b).send(i);
  a.close();
  for (int i = messages; i < 2 * messages; ++i) b.send(i);
  b.close();
}

TEST(lockfree_channel_async_disabled, merge_until_both_close) {
  watchdog guard(20s, "merge_until_both_close");
  {
    chan<int> a(0);
    chan<int> b(4);
    std::thread feeder([&] { feed(a, b); });
    EXPECT_EQ(merge_on_a_thread(&a, &b), sum_below(2 * messages));
    feeder.join();
  }
  {
    sched::scheduler s(2);
    chan<int> a(0);
    chan<int> b(4);
    std::thread feeder([&] { feed(a, b); });
    EXPECT_EQ(s.run(merge_in_a_coroutine(&a, &b)), sum_below(2 * messages));
    feeder.join();
  }
}

TEST(lockfree_channel_async_disabled, all_disabled) {
  chan<int>* none = nullptr;
  std::optional<int> v;
  EXPECT_THROW(lockfree::select(on_recv(none, v), on_send(none, 1)), std::logic_error);
  EXPECT_EQ(lockfree::try_select(on_recv(none, v), on_send(none, 1)), std::nullopt);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(lockfree::select_for(5ms, on_recv(none, v)), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 5ms);
  sched::scheduler s(1);
  s.run([](chan<int>* none) -> sched::task<void> {
    std::optional<int> v;
    EXPECT_THROW((void)co_await lockfree::async_select(on_recv(none, v)), std::logic_error);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(co_await lockfree::async_select_for(5ms, on_recv(none, v), on_send(none, 1)),
              std::nullopt);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 5ms);
  }(none));
  // A disabled case beside an enabled one never fires, even when the enabled one is not ready.
  chan<int> ch(1);
  EXPECT_EQ(lockfree::try_select(on_recv(none, v), on_recv(&ch, v)), std::nullopt);
  ch.send(4);
  EXPECT_EQ(lockfree::try_select(on_recv(none, v), on_recv(&ch, v)), std::optional<std::size_t>(1));
  EXPECT_EQ(v, 4);
}

// Shutdown destroys coroutines suspended on a channel that outlives the scheduler: each
// withdraws its cell or cancels its select (a timed one stops its timer first), a suspended
// sender's value is freed with the channel, and the channel serves threads afterwards (ASan:
// nothing dangles, nothing leaks).
TEST(lockfree_channel_async_shutdown, suspended_waiters_withdraw) {
  chan<int> ch(0);
  chan<std::unique_ptr<int>> values(0);
  {
    sched::scheduler s(2);
    std::atomic<int> started{0};
    s.go([](chan<int>& ch, std::atomic<int>& started) -> sched::task<void> {
      started.fetch_add(1);
      (void)co_await ch.async_recv();
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(ch), std::ref(started));
    s.go([](chan<int>& ch, std::atomic<int>& started) -> sched::task<void> {
      started.fetch_add(1);
      (void)co_await ch.async_recv_for(1h);
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(ch), std::ref(started));
    s.go([](chan<std::unique_ptr<int>>& values, std::atomic<int>& started) -> sched::task<void> {
      started.fetch_add(1);
      co_await values.async_send(std::make_unique<int>(1));
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(values), std::ref(started));
    s.go([](chan<int>& ch, chan<std::unique_ptr<int>>& values,
            std::atomic<int>& started) -> sched::task<void> {
      std::optional<int> v;
      started.fetch_add(1);
      (void)co_await lockfree::async_select(on_recv(ch, v),
                                            on_send(values, std::make_unique<int>(2)));
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(ch), std::ref(values), std::ref(started));
    s.go([](chan<int>& ch, std::atomic<int>& started) -> sched::task<void> {
      std::optional<int> v;
      started.fetch_add(1);
      (void)co_await lockfree::async_select_for(1h, on_recv(ch, v));
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(ch), std::ref(started));
    while (started.load() < 5) std::this_thread::yield();
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(ch.try_send(1), sync::channel_status::full);
  std::thread receiver([&] { EXPECT_EQ(ch.recv(), 2); });
  ch.send(2);
  receiver.join();
}

}  // namespace
