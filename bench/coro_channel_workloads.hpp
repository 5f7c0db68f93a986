// The channel workloads with coroutines: channel_workloads.hpp's transfer and ping-pong and Go's
// three patterns (bench/go/patterns.go), each side a sched::task on lockstep's scheduler that
// waits with co_await ch.async_send / async_recv / async_select instead of parking a thread.
// The names are the thread workloads' with the structure <family>_channel_coro, so that one run
// puts threads, coroutines, Go's goroutines and Boost.Fiber's fibers side by side.
//
// Workers: as many as Go's GOMAXPROCS for the same benchmark (bench/go/main.go's measure): the
// tasks the workload runs, at most the machine's PUs. One scheduler per worker count, made on
// first use and kept for the process (bench/runtime/main.cpp's `kept` says why); between runs
// its workers park.
//
// Timing: from the root task's first spawn to the last task's join, on the worker that runs
// the root (Go's team() starts its goroutines before the clock; here a spawn is a deque push,
// a few nanoseconds). The checks are the thread workloads': the tallies of what was sent and
// received, the patterns' sums. The cap closes the channels as it does for threads: a
// suspended async_send then throws channel_closed and a suspended async_recv drains and ends.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/task.hpp>
#include <lockstep/sched/wait_group.hpp>
#include <lockstep/sync/channel.hpp>

#include "channel_workloads.hpp"
#include "harness.hpp"

namespace lockstep::bench::coro {

using u64 = std::uint64_t;

// A channel family the coroutine workloads can run: its awaitable operations; the patterns
// need, for the broker, an async_select found by argument-dependent lookup (locked::,
// lockfree::) as well.
template <template <class> class Channel>
concept awaitable_family = sync::awaitable_channel<Channel<u64>>;

template <template <class> class Channel>
concept selecting_family =
    awaitable_family<Channel> && requires(Channel<u64>* c, std::optional<u64>& out) {
      async_select(sync::on_recv(c, out), sync::on_recv(c, out));
    };

// The scheduler of `workers` workers, kept for the process.
inline sched::scheduler& scheduler_of(std::size_t workers) {
  static std::mutex m;
  static std::map<std::size_t, std::unique_ptr<sched::scheduler>> made;
  const std::lock_guard lock(m);
  std::unique_ptr<sched::scheduler>& s = made[workers];
  if (!s) s = std::make_unique<sched::scheduler>(workers);
  return *s;
}

// Go's GOMAXPROCS for a benchmark that runs `tasks` goroutines.
inline std::size_t workers_for(std::size_t tasks) {
  const std::size_t pus = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp<std::size_t>(tasks, 1, pus);
}

inline double seconds_since(clock::time_point t0) {
  return std::chrono::duration<double>(clock::now() - t0).count();
}

// A task's tally on its own cache line, as thread_record keeps a thread's.
struct alignas(64) task_tally {
  tally sent;
  tally received;
};

template <class Channel>
sched::task<void> sender(Channel& ch, std::size_t i, std::size_t senders, std::size_t messages,
                         task_tally& t, std::atomic<std::size_t>& senders_left,
                         close_once<Channel>& close, sched::wait_group& joined) {
  try {
    for (std::size_t j = i; j < messages; j += senders) {
      const u64 v = channel_token(i, j);
      co_await ch.async_send(v);
      t.sent.add(v);
    }
  } catch (const sync::channel_closed&) {
    // The cap closed the channel: what was sent so far is what gets checked.
  }
  if (senders_left.fetch_sub(1) == 1) close();
  joined.done();
}

template <class Channel>
sched::task<void> receiver(Channel& ch, task_tally& t, sched::wait_group& joined) {
  while (std::optional<u64> v = co_await ch.async_recv()) t.received.add(*v);
  joined.done();
}

// One task sends each message and receives it back (a buffered channel only).
template <class Channel>
sched::task<void> alone(Channel& ch, std::size_t messages, task_tally& t,
                        sched::wait_group& joined) {
  try {
    for (std::size_t j = 0; j < messages; ++j) {
      const u64 v = channel_token(0, j);
      co_await ch.async_send(v);
      t.sent.add(v);
      if (std::optional<u64> x = co_await ch.async_recv()) t.received.add(*x);
    }
  } catch (const sync::channel_closed&) {
    // Capped, as above.
  }
  joined.done();
}

template <class Channel>
sched::task<double> transfer_root(Channel& ch, std::size_t threads, std::size_t messages,
                                  std::vector<task_tally>& tallies, close_once<Channel>& close) {
  const std::size_t senders = threads == 1 ? 1 : threads / 2;
  std::atomic<std::size_t> senders_left{senders};
  sched::wait_group joined;
  const clock::time_point t0 = clock::now();
  if (threads == 1) {
    joined.add(1);
    sched::spawn(alone(ch, messages, tallies[0], joined));
  } else {
    joined.add(static_cast<std::ptrdiff_t>(2 * senders));
    for (std::size_t i = 0; i < senders; ++i) {
      sched::spawn(sender(ch, i, senders, messages, tallies[i], senders_left, close, joined));
    }
    for (std::size_t i = senders; i < 2 * senders; ++i) {
      sched::spawn(receiver(ch, tallies[i], joined));
    }
  }
  co_await joined.wait();
  co_return seconds_since(t0);
}

template <template <class> class Channel>
channel_run run_transfer(std::size_t threads, std::size_t capacity, std::size_t messages,
                         std::chrono::milliseconds cap) {
  using channel = Channel<u64>;
  channel ch(capacity);
  close_once<channel> close(ch);
  std::vector<task_tally> tallies(threads == 1 ? 1 : threads / 2 * 2);
  channel_run r;
  {
    const cap_watchdog watchdog(cap, [&close] { close(); });
    r.seconds = scheduler_of(workers_for(tallies.size()))
                    .run(transfer_root(ch, threads, messages, tallies, close));
    r.capped = watchdog.fired();
  }
  tally sent, received;
  for (const task_tally& t : tallies) {
    sent += t.sent;
    received += t.received;
  }
  r.items = received.count;
  r.error = tally_mismatch(capacity == 0 ? "unbuffered" : "buffered", sent, received);
  return r;
}

template <class Channel>
sched::task<void> pinger(Channel& ping, Channel& pong, std::size_t roundtrips, task_tally& t,
                         close_once<Channel>& close_ping, sched::wait_group& joined) {
  try {
    for (std::size_t j = 0; j < roundtrips; ++j) {
      const u64 v = channel_token(0, j);
      co_await ping.async_send(v);
      t.sent.add(v);
      const std::optional<u64> back = co_await pong.async_recv();
      if (!back) break;
      t.received.add(*back);
    }
  } catch (const sync::channel_closed&) {
    // The cap closed both channels.
  }
  close_ping();
  joined.done();
}

template <class Channel>
sched::task<void> ponger(Channel& ping, Channel& pong, task_tally& t, sched::wait_group& joined) {
  try {
    while (std::optional<u64> v = co_await ping.async_recv()) {
      t.received.add(*v);
      co_await pong.async_send(*v);
      t.sent.add(*v);
    }
  } catch (const sync::channel_closed&) {
    // The cap closed both channels.
  }
  joined.done();
}

template <class Channel>
sched::task<double> pingpong_root(Channel& ping, Channel& pong, std::size_t roundtrips,
                                  std::vector<task_tally>& tallies,
                                  close_once<Channel>& close_ping) {
  sched::wait_group joined;
  joined.add(2);
  const clock::time_point t0 = clock::now();
  sched::spawn(pinger(ping, pong, roundtrips, tallies[0], close_ping, joined));
  sched::spawn(ponger(ping, pong, tallies[1], joined));
  co_await joined.wait();
  co_return seconds_since(t0);
}

// Two tasks bounce a value over two unbuffered channels; both directions are checked.
template <template <class> class Channel>
channel_run run_pingpong(std::size_t roundtrips, std::chrono::milliseconds cap) {
  using channel = Channel<u64>;
  channel ping(0);
  channel pong(0);
  close_once<channel> close_ping(ping);
  close_once<channel> close_pong(pong);
  std::vector<task_tally> tallies(2);
  channel_run r;
  {
    const cap_watchdog watchdog(cap, [&] {
      close_ping();
      close_pong();
    });
    r.seconds = scheduler_of(workers_for(2))
                    .run(pingpong_root(ping, pong, roundtrips, tallies, close_ping));
    r.capped = watchdog.fired();
  }
  r.items = tallies[0].received.count;
  if (auto e = tally_mismatch("ping", tallies[0].sent, tallies[1].received)) {
    r.error = e;
  } else {
    r.error = tally_mismatch("pong", tallies[1].sent, tallies[0].received);
  }
  return r;
}

// The patterns, as bench/go/patterns.go writes them, a goroutine per task.

// Every task of a pattern ends with all.done(), its last touch of anything the root owns: the
// root returns (and its channels go) only after all.wait(), not when the last value arrives,
// because a task may still be inside close() then. Go's collector keeps them alive instead.
template <class Channel>
sched::task<void> produce(Channel& out, std::size_t messages, sched::wait_group& all) {
  for (u64 m = 1; m <= messages; ++m) co_await out.async_send(m);
  out.close();
  all.done();
}

template <class Channel>
sched::task<void> cook(Channel& in, Channel& out, sched::wait_group& working,
                       sched::wait_group& all) {
  while (std::optional<u64> o = co_await in.async_recv()) co_await out.async_send(*o);
  working.done();
  all.done();
}

template <class Channel>
sched::task<void> close_when_done(Channel& out, sched::wait_group& working,
                                  sched::wait_group& all) {
  co_await working.wait();
  out.close();
  all.done();
}

template <template <class> class Channel>
sched::task<u64> fan_in_fan_out(std::size_t orders, std::size_t cooks, std::size_t capacity) {
  Channel<u64> in(capacity);
  Channel<u64> out(capacity);
  sched::wait_group working, all;
  working.add(static_cast<std::ptrdiff_t>(cooks));
  all.add(static_cast<std::ptrdiff_t>(cooks + 2));
  sched::spawn(produce(in, orders, all));
  for (std::size_t c = 0; c < cooks; ++c) sched::spawn(cook(in, out, working, all));
  sched::spawn(close_when_done(out, working, all));
  u64 sum = 0;
  while (std::optional<u64> v = co_await out.async_recv()) sum += *v;
  co_await all.wait();
  co_return sum;
}

template <class Channel>
sched::task<void> stage(Channel& in, Channel& out, sched::wait_group& all) {
  while (std::optional<u64> v = co_await in.async_recv()) co_await out.async_send(*v + 1);
  out.close();
  all.done();
}

template <template <class> class Channel>
sched::task<u64> pipeline(std::size_t messages, std::size_t stages, std::size_t capacity) {
  std::vector<std::unique_ptr<Channel<u64>>> chain;
  for (std::size_t s = 0; s <= stages; ++s) {
    chain.push_back(std::make_unique<Channel<u64>>(capacity));
  }
  sched::wait_group all;
  all.add(static_cast<std::ptrdiff_t>(stages + 1));
  sched::spawn(produce(*chain[0], messages, all));
  for (std::size_t s = 0; s < stages; ++s) sched::spawn(stage(*chain[s], *chain[s + 1], all));
  u64 sum = 0;
  while (std::optional<u64> v = co_await chain[stages]->async_recv()) sum += *v;
  co_await all.wait();
  co_return sum;
}

// The broker of patterns.go: one task owns the topic table and selects over publish,
// subscribe and done; a full subscriber loses the message (Go's select with a default is a
// try_send). Published messages carry no topic string here: a topic is the broker's key, and
// the one topic is interned as an index so that the message is a plain value as Go's is a
// string header.
template <template <class> class Channel>
struct broker {
  struct message {
    std::size_t topic;
    u64 content;
  };
  struct subscription {
    std::size_t topic;
    Channel<message>* channel;
  };
  struct stop {};

  Channel<message> publish{0};
  Channel<subscription> subscribe{0};
  Channel<stop> done{0};
  u64 dropped = 0;
  sched::wait_group stopped;

  sched::task<void> loop() {
    std::unordered_map<std::size_t, std::vector<Channel<message>*>> subscribers;
    for (;;) {
      std::optional<message> m;
      std::optional<subscription> s;
      std::optional<stop> d;
      const std::size_t fired = co_await async_select(sync::on_recv(&publish, m),
                                                      sync::on_recv(&subscribe, s),
                                                      sync::on_recv(&done, d));
      if (fired == 0 && m) {
        for (Channel<message>* ch : subscribers[m->topic]) {
          if (ch->try_send(*m) != sync::channel_status::ok) ++dropped;
        }
      } else if (fired == 1 && s) {
        subscribers[s->topic].push_back(s->channel);
      } else if (fired == 2) {
        for (auto& [topic, chs] : subscribers) {
          for (Channel<message>* ch : chs) ch->close();
        }
        stopped.done();
        co_return;
      }
    }
  }
};

template <class Channel>
sched::task<void> read_all(Channel& ch, u64& count, sched::wait_group& reading) {
  u64 n = 0;
  while (co_await ch.async_recv()) ++n;
  count = n;
  reading.done();
}

template <template <class> class Channel>
sched::task<void> pubsub(std::size_t messages, std::size_t subscribers, std::size_t capacity,
                         u64& received, u64& dropped) {
  using broker_type = broker<Channel>;
  broker_type b;
  b.stopped.add(1);
  sched::spawn(b.loop());
  std::vector<std::unique_ptr<Channel<typename broker_type::message>>> chs;
  std::vector<u64> counts(subscribers, 0);
  sched::wait_group reading;
  reading.add(static_cast<std::ptrdiff_t>(subscribers));
  for (std::size_t i = 0; i < subscribers; ++i) {
    chs.push_back(std::make_unique<Channel<typename broker_type::message>>(capacity));
    co_await b.subscribe.async_send(typename broker_type::subscription{0, chs.back().get()});
    sched::spawn(read_all(*chs.back(), counts[i], reading));
  }
  for (u64 m = 1; m <= messages; ++m) {
    co_await b.publish.async_send(typename broker_type::message{0, m});
  }
  b.done.close();
  co_await b.stopped.wait();
  co_await reading.wait();
  received = 0;
  for (u64 n : counts) received += n;
  dropped = b.dropped;
}

template <template <class> class Channel>
sched::task<double> pattern_root(channel_workload w, std::size_t workers, std::size_t capacity,
                                 std::size_t messages, u64& got, u64& dropped) {
  const clock::time_point t0 = clock::now();
  if (w == channel_workload::fan_in_fan_out) {
    got = co_await fan_in_fan_out<Channel>(messages, workers, capacity);
  } else if (w == channel_workload::pipeline) {
    got = co_await pipeline<Channel>(messages, workers, capacity);
  } else {
    co_await pubsub<Channel>(messages, workers, capacity, got, dropped);
  }
  co_return seconds_since(t0);
}

// Checked as channel_patterns.hpp checks the thread patterns. The pattern's own tasks (the
// producer and the caller that collects) come on top of its workers, as in the Go twin.
template <template <class> class Channel>
channel_run run_pattern(channel_workload w, std::size_t workers, std::size_t capacity,
                        std::size_t messages) {
  const u64 m = messages;
  const u64 triangle = m * (m + 1) / 2;
  const std::string what(name(w));
  u64 got = 0, dropped = 0;
  channel_run r;
  r.seconds = scheduler_of(workers_for(workers + 2))
                  .run(pattern_root<Channel>(w, workers, capacity, messages, got, dropped));
  if (w == channel_workload::fan_in_fan_out) {
    r.items = m;
    if (got != triangle) {
      r.error = what + ": delivered sum " + std::to_string(got) + ", sent " +
                std::to_string(triangle);
    }
  } else if (w == channel_workload::pipeline) {
    r.items = m;
    if (got != triangle + m * workers) {
      r.error = what + ": delivered sum " + std::to_string(got) + ", expected " +
                std::to_string(triangle + m * workers);
    }
  } else {
    r.items = got;
    if (got + dropped != m * workers) {
      r.error = what + ": received " + std::to_string(got) + " + dropped " +
                std::to_string(dropped) + " != " + std::to_string(m * workers);
    }
  }
  return r;
}

// Every channel workload with coroutines: channel_bench's runner (benchmarks.hpp). Runs
// unpinned, as the thread channels and Go do.
template <template <class> class Channel>
channel_run run_channel(hwloc_topology_t, const std::vector<unsigned>&, const channel_case& c,
                        std::size_t messages, std::size_t roundtrips,
                        std::chrono::milliseconds cap) {
  switch (c.workload) {
    case channel_workload::buffered:
    case channel_workload::unbuffered:
      return coro::run_transfer<Channel>(c.threads, c.capacity, messages, cap);
    case channel_workload::pingpong:
      return coro::run_pingpong<Channel>(roundtrips, cap);
    default:
      if constexpr (selecting_family<Channel>) {
        return coro::run_pattern<Channel>(c.workload, c.threads, c.capacity, messages);
      } else {
        channel_run r;
        r.error = std::string(name(c.workload)) + ": a pattern, which needs async_select";
        return r;
      }
  }
}

}  // namespace lockstep::bench::coro
