// locked::channel and locked::select with coroutine waiters: coroutines at both ends, a thread
// at one end, close and timed waits reaching suspended coroutines, async_select (its default
// case is try_select, its fairness Go's), disabled cases for threads and coroutines, and a
// scheduler destroyed while a coroutine waits on a channel that outlives it.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/wait_group.hpp>

#include <gtest/gtest.h>

#include "sched_support.hpp"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using locked::channel;
using sync::channel_status;

constexpr int values = 2000;

sched::task<void> produce(channel<int>& ch, int from, int count, sched::wait_group& wg) {
  for (int i = from; i < from + count; ++i) co_await ch.async_send(i);
  wg.done();
}

sched::task<long> consume_until_closed(channel<int>& ch) {
  long sum = 0;
  while (std::optional<int> v = co_await ch.async_recv()) sum += *v;
  co_return sum;
}

// Two producers, one consumer, all coroutines; the last producer closes.
sched::task<long> producers_and_consumer(channel<int>& ch) {
  sched::wait_group wg;
  wg.add(2);
  sched::spawn(produce(ch, 0, values / 2, wg));
  sched::spawn(produce(ch, values / 2, values / 2, wg));
  sched::spawn([](channel<int>& c, sched::wait_group& g) -> sched::task<void> {
    co_await g.wait();
    c.close();
  }(ch, wg));
  co_return co_await consume_until_closed(ch);
}

constexpr long sum_below(long n) { return n * (n - 1) / 2; }

TEST(locked_channel_async, coroutines_at_both_ends_unbuffered_and_buffered) {
  verify::watchdog dog(60s, "coroutines_at_both_ends");
  for (std::size_t capacity : {0, 1, 64}) {
    channel<int> ch(capacity);
    sched::scheduler s(2);
    EXPECT_EQ(s.run(producers_and_consumer(ch)), sum_below(values)) << "capacity " << capacity;
  }
}

TEST(locked_channel_async, a_thread_sends_to_a_coroutine) {
  verify::watchdog dog(60s, "thread_to_coroutine");
  for (std::size_t capacity : {0, 8}) {
    channel<int> ch(capacity);
    sched::scheduler s(2);
    std::thread sender([&] {
      for (int i = 0; i < values; ++i) ch.send(i);
      ch.close();
    });
    EXPECT_EQ(s.run(consume_until_closed(ch)), sum_below(values));
    sender.join();
  }
}

TEST(locked_channel_async, a_coroutine_sends_to_a_thread) {
  verify::watchdog dog(60s, "coroutine_to_thread");
  for (std::size_t capacity : {0, 8}) {
    channel<int> ch(capacity);
    sched::scheduler s(2);
    s.go([](channel<int>& c) -> sched::task<void> {
      for (int i = 0; i < values; ++i) co_await c.async_send(i);
      c.close();
    }, std::ref(ch));
    long sum = 0;
    for (int v : ch) sum += v;
    EXPECT_EQ(sum, sum_below(values));
  }
}

// Suspended coroutines, as opposed to a thread's parked ones: `waiting` counts the tasks about
// to wait; a short sleep then lets them reach their suspension.
void let_them_suspend() { std::this_thread::sleep_for(20ms); }

TEST(locked_channel_async, close_wakes_suspended_receivers_and_senders) {
  verify::watchdog dog(60s, "close_wakes");
  channel<std::string> empty;
  channel<std::string> full(1);
  full.send("buffered");
  std::vector<int> received_closed(3, 0);
  std::vector<std::string> kept(3);
  std::vector<int> threw(3, 0);
  {
    sched::scheduler s(2);
    sched::wait_group wg;
    wg.add(6);
    for (int i = 0; i < 3; ++i) {
      s.go([](channel<std::string>& c, int& out, sched::wait_group& g) -> sched::task<void> {
        out = !(co_await c.async_recv()).has_value();
        g.done();
      }, std::ref(empty), std::ref(received_closed[i]), std::ref(wg));
      s.go([](channel<std::string>& c, std::string& keep, int& out,
              sched::wait_group& g) -> sched::task<void> {
        keep = "value " + std::to_string(out);
        try {
          co_await c.async_send(std::move(keep));
        } catch (const sync::channel_closed&) {
          out = 1;
        }
        g.done();
      }, std::ref(full), std::ref(kept[i]), std::ref(threw[i]), std::ref(wg));
    }
    let_them_suspend();
    empty.close();
    full.close();
    s.run([](sched::wait_group& g) -> sched::task<void> { co_await g.wait(); }(wg));
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(received_closed[i], 1);
    EXPECT_EQ(threw[i], 1);
    EXPECT_EQ(kept[i], "value 0") << "a failed send keeps its value";
  }
  EXPECT_EQ(full.recv(), "buffered");
  EXPECT_EQ(full.recv(), std::nullopt);
}

TEST(locked_channel_async, a_send_to_a_closed_channel_throws_at_once) {
  channel<int> ch(4);
  ch.close();
  sched::scheduler s(1);
  EXPECT_THROW(s.run([](channel<int>& c) -> sched::task<void> { co_await c.async_send(1); }(ch)),
               sync::channel_closed);
}

TEST(locked_channel_async, awaited_outside_a_worker_it_throws_logic_error) {
  channel<int> ch;
  auto recv = ch.async_recv();
  EXPECT_THROW((void)recv.await_suspend(std::noop_coroutine()), std::logic_error);
  EXPECT_EQ(ch.try_send(1), channel_status::full) << "nothing was queued";
}

TEST(locked_channel_async, timed_forms_time_out_and_succeed) {
  verify::watchdog dog(60s, "timed_forms");
  channel<std::string> ch;
  sched::scheduler s(2);
  s.run([](channel<std::string>& c) -> sched::task<void> {
    const auto start = std::chrono::steady_clock::now();
    sync::recv_result<std::string> r = co_await c.async_recv_for(10ms);
    EXPECT_EQ(r.status, channel_status::timeout);
    EXPECT_FALSE(r.value.has_value());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 10ms);

    std::string v = "kept";
    EXPECT_EQ(co_await c.async_send_for(std::move(v), 5ms), channel_status::timeout);
    EXPECT_EQ(v, "kept") << "a timed-out send keeps its value";
    const std::string lvalue = "copied";
    EXPECT_EQ(co_await c.async_send_for(lvalue, 1ms), channel_status::timeout);
  }(ch));
  EXPECT_EQ(ch.try_send("x"), channel_status::full) << "no stale record is left queued";

  std::thread partner([&] {
    std::this_thread::sleep_for(5ms);
    ch.send("arrives");
    EXPECT_EQ(ch.recv(), "answer");
  });
  s.run([](channel<std::string>& c) -> sched::task<void> {
    sync::recv_result<std::string> r = co_await c.async_recv_for(10s);
    EXPECT_EQ(r.status, channel_status::ok);
    EXPECT_EQ(r.value, "arrives");
    EXPECT_EQ(co_await c.async_send_for(std::string("answer"), 10s), channel_status::ok);
  }(ch));
  partner.join();

  ch.close();
  s.run([](channel<std::string>& c) -> sched::task<void> {
    EXPECT_EQ((co_await c.async_recv_for(1s)).status, channel_status::closed);
    EXPECT_THROW(co_await c.async_send_for(std::string("late"), 1s), sync::channel_closed);
  }(ch));
}

// Many timed receives racing sends: each value is received exactly once, whether the timer or
// the sender reaches the waiter first.
TEST(locked_channel_async, timers_racing_senders_lose_no_value) {
  verify::watchdog dog(60s, "timers_racing_senders");
  channel<int> ch;
  sched::scheduler s(2);
  constexpr int count = 300;
  std::thread sender([&] {
    for (int i = 0; i < count; ++i) ch.send(i);
    ch.close();
  });
  const long sum = s.run([](channel<int>& c) -> sched::task<long> {
    long total = 0;
    for (;;) {
      sync::recv_result<int> r = co_await c.async_recv_for(std::chrono::microseconds(50));
      if (r.status == channel_status::closed) co_return total;
      if (r.status == channel_status::ok) total += *r.value;
    }
  }(ch));
  sender.join();
  EXPECT_EQ(sum, sum_below(count));
}

TEST(locked_channel_async, async_select_fires_one_case_and_try_select_is_its_default) {
  verify::watchdog dog(60s, "async_select");
  channel<int> a;
  channel<int> b(1);
  sched::scheduler s(2);
  std::thread partner([&] {
    std::this_thread::sleep_for(5ms);
    a.send(7);
  });
  s.run([](channel<int>& a_, channel<int>& b_) -> sched::task<void> {
    std::optional<int> x;
    std::optional<int> y;
    EXPECT_EQ(locked::try_select(locked::on_recv(a_, x), locked::on_recv(b_, y)), std::nullopt);
    EXPECT_EQ(co_await locked::async_select(locked::on_recv(a_, x), locked::on_recv(b_, y)), 0u);
    EXPECT_EQ(x, 7);
    EXPECT_EQ(co_await locked::async_select(locked::on_recv(a_, x), locked::on_send(b_, 8)), 1u);
    EXPECT_EQ(co_await locked::async_select_for(2ms, locked::on_recv(a_, x),
                                                locked::on_send(b_, 9)),
              std::nullopt);
    EXPECT_EQ(co_await locked::async_select(locked::on_recv(b_, y)), 0u);
    EXPECT_EQ(y, 8);
  }(a, b));
  partner.join();
  EXPECT_EQ(b.try_recv().status, channel_status::empty) << "the timed-out send left nothing";
}

TEST(locked_channel_async, a_suspended_select_send_case_closed_throws_and_keeps_its_value) {
  verify::watchdog dog(60s, "select_send_closed");
  channel<std::string> a;
  channel<std::string> b;
  std::string kept = "mine";
  bool threw = false;
  sched::scheduler s(2);
  std::thread closer([&] {
    let_them_suspend();
    a.close();
  });
  s.run([](channel<std::string>& a_, channel<std::string>& b_, std::string& v,
           bool& out) -> sched::task<void> {
    std::optional<std::string> x;
    auto send = locked::on_send(a_, std::move(v));
    try {
      co_await locked::async_select(send, locked::on_recv(b_, x));
    } catch (const sync::channel_closed&) {
      out = true;
    }
    v = std::move(*send.owned);
  }(a, b, kept, threw));
  closer.join();
  EXPECT_TRUE(threw);
  EXPECT_EQ(kept, "mine");
}

// Go's fairness: with both cases always ready, each fires about half the time.
TEST(locked_channel_async, async_select_chooses_uniformly_among_ready_cases) {
  channel<int> a(1);
  channel<int> b(1);
  sched::scheduler s(1);
  constexpr int rounds = 2000;
  const int firsts = s.run([](channel<int>& a_, channel<int>& b_) -> sched::task<int> {
    int count = 0;
    std::optional<int> x;
    for (int i = 0; i < rounds; ++i) {
      a_.send(1);
      b_.send(2);
      const std::size_t fired =
          co_await locked::async_select(locked::on_recv(a_, x), locked::on_recv(b_, x));
      count += fired == 0;
      (fired == 0 ? b_ : a_).recv();
    }
    co_return count;
  }(a, b));
  EXPECT_GT(firsts, rounds * 4 / 10);
  EXPECT_LT(firsts, rounds * 6 / 10);
}

// The merge loop Go writes with nil channels: select over both until both close, disabling
// each case when its channel closes.
constexpr int per_source = 500;

void feed(channel<int>& ch, int from) {
  for (int i = from; i < from + per_source; ++i) ch.send(i);
  ch.close();
}

TEST(locked_channel_async, disabled_cases_merge_until_both_close_on_a_thread) {
  verify::watchdog dog(60s, "merge_thread");
  channel<int> a;
  channel<int> b(4);
  std::thread fa(feed, std::ref(a), 0);
  std::thread fb(feed, std::ref(b), per_source);
  long sum = 0;
  channel<int>* ca = &a;
  channel<int>* cb = &b;
  std::optional<int> v;
  while (ca != nullptr || cb != nullptr) {
    const std::size_t fired = locked::select(locked::on_recv(ca, v), locked::on_recv(cb, v));
    if (v) {
      sum += *v;
    } else {
      (fired == 0 ? ca : cb) = nullptr;
    }
  }
  fa.join();
  fb.join();
  EXPECT_EQ(sum, sum_below(2 * per_source));
}

TEST(locked_channel_async, disabled_cases_merge_until_both_close_in_a_coroutine) {
  verify::watchdog dog(60s, "merge_coroutine");
  channel<int> a;
  channel<int> b(4);
  sched::scheduler s(2);
  s.go([](channel<int>& c) -> sched::task<void> {
    for (int i = 0; i < per_source; ++i) co_await c.async_send(i);
    c.close();
  }, std::ref(a));
  std::thread fb(feed, std::ref(b), per_source);
  const long sum = s.run([](channel<int>* ca, channel<int>* cb) -> sched::task<long> {
    long total = 0;
    std::optional<int> v;
    while (ca != nullptr || cb != nullptr) {
      const std::size_t fired =
          co_await locked::async_select(locked::on_recv(ca, v), locked::on_recv(cb, v));
      if (v) {
        total += *v;
      } else {
        (fired == 0 ? ca : cb) = nullptr;
      }
    }
    co_return total;
  }(&a, &b));
  fb.join();
  EXPECT_EQ(sum, sum_below(2 * per_source));
}

TEST(locked_channel_async, all_disabled_cases_throw_wait_out_or_report_none) {
  channel<int>* none = nullptr;
  std::optional<int> v;
  EXPECT_THROW(locked::select(locked::on_recv(none, v), locked::on_send(none, 1)),
               std::logic_error);
  EXPECT_EQ(locked::try_select(locked::on_recv(none, v)), std::nullopt);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(locked::select_for(5ms, locked::on_recv(none, v), locked::on_send(none, 1)),
            std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 5ms);

  sched::scheduler s(1);
  s.run([](channel<int>* c) -> sched::task<void> {
    std::optional<int> x;
    EXPECT_THROW(co_await locked::async_select(locked::on_recv(c, x)), std::logic_error);
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_EQ(co_await locked::async_select_for(5ms, locked::on_recv(c, x)), std::nullopt);
    EXPECT_GE(std::chrono::steady_clock::now() - begin, 5ms);
  }(none));

  // A disabled case beside an enabled one never fires, and its value stays where it was.
  channel<int> ready(1);
  ready.send(3);
  std::optional<int> x;
  std::optional<int> y;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(locked::try_select(locked::on_recv(none, x), locked::on_recv(ready, y)), 1u);
    EXPECT_FALSE(x.has_value());
    ready.send(*y);
  }
}

// The scheduler goes while coroutines wait on channels that outlive it: their frames are
// destroyed, and each withdraws its record (and stops its timer), so the channels then serve
// threads with no stale waiter in their queues.
TEST(locked_channel_async, a_destroyed_scheduler_leaves_no_waiter_in_a_channel_that_outlives_it) {
  verify::watchdog dog(60s, "shutdown");
  channel<std::string> empty;
  channel<std::string> full(1);
  full.send("buffered");
  channel<std::string> other;
  {
    sched::scheduler s(2);
    s.go([](channel<std::string>& c) -> sched::task<void> {
      (void)co_await c.async_recv();
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(empty));
    s.go([](channel<std::string>& c) -> sched::task<void> {
      (void)co_await c.async_recv_for(1h);
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(empty));
    s.go([](channel<std::string>& c) -> sched::task<void> {
      co_await c.async_send(std::string("never sent"));
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(full));
    s.go([](channel<std::string>& a, channel<std::string>& b) -> sched::task<void> {
      std::optional<std::string> x;
      (void)co_await locked::async_select_for(1h, locked::on_recv(a, x), locked::on_recv(b, x));
      ADD_FAILURE() << "resumed after shutdown";
    }, std::ref(empty), std::ref(other));
    let_them_suspend();
  }
  EXPECT_EQ(empty.try_send("x"), channel_status::full) << "no receiver is left queued";
  EXPECT_EQ(other.try_send("x"), channel_status::full);
  EXPECT_EQ(full.recv(), "buffered");
  EXPECT_EQ(full.try_recv().status, channel_status::empty) << "no sender is left queued";
  std::thread t([&] { empty.send("after"); });
  EXPECT_EQ(empty.recv(), "after");
  t.join();
}

}  // namespace
}  // namespace lockstep
