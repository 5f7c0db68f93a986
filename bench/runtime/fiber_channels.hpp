// The channel workloads with Boost.Fiber: bench/channel_workloads.hpp's transfer and ping-pong
// and Go's three patterns (bench/go/patterns.go) with boost::fibers::buffered_channel and
// unbuffered_channel, fibers on the work_stealing scheduler (peer_runtimes.hpp's with_workers),
// under lockstep_bench's names with the structure boost_fiber. Same messages, same checks.
//
// Capacities: a buffered_channel of n slots holds n - 1 values and n must be a power of two, so
// a channel of capacity c is made with the smallest such n that holds at least c (1 -> 2,
// 64 -> 128, 1024 -> 2048): never less room than the channel it is compared with.
// The broker: Boost.Fiber has no select, so the broker takes its publish, subscribe and stop
// requests from one unbuffered channel of commands, which is how a select-less program writes
// it; a full subscriber loses the message (try_push), as in Go.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/fiber/all.hpp>

#include "common.hpp"
#include "peer_runtimes.hpp"

namespace lockstep::bench::runtime::fiber_channels {

using u64 = std::uint64_t;
using boost::fibers::channel_op_status;

inline std::size_t slots_for(std::size_t capacity) { return std::bit_ceil(capacity + 1); }

// One workload's run: the wall time and the messages received (round trips for pingpong), or
// an error when what arrived differs from what was sent.
struct run {
  double seconds = 0;
  u64 items = 0;
  std::optional<std::string> error;
};

// bench/harness.hpp's tally, as the Go twin keeps it: count, sum and sum of squares.
struct alignas(64) tally {
  u64 count = 0, sum = 0, sum_sq = 0;
  void add(u64 v) {
    ++count;
    sum += v;
    sum_sq += v * v;
  }
  void merge(const tally& o) {
    count += o.count;
    sum += o.sum;
    sum_sq += o.sum_sq;
  }
  bool operator==(const tally& o) const {
    return count == o.count && sum == o.sum && sum_sq == o.sum_sq;
  }
};

// Messages received so far in the current run, one counter per receiving fiber on its own
// cache line, each written by its fiber alone (a plain load and store, no locked add): what a
// capped repetition reports, as a capped lockstep_bench run counts what was done by then.
struct alignas(64) progress_counter {
  std::atomic<u64> n{0};
  void tick() noexcept { n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
};
inline constexpr std::size_t progress_slots = 64;
inline std::array<progress_counter, progress_slots> progress;

inline progress_counter& progress_of(std::size_t receiver) {
  return progress[receiver % progress_slots];
}

inline u64 progress_sum() noexcept {
  u64 sum = 0;
  for (const progress_counter& c : progress) sum += c.n.load(std::memory_order_relaxed);
  return sum;
}

inline void progress_reset() noexcept {
  for (progress_counter& c : progress) c.n.store(0, std::memory_order_relaxed);
}

constexpr u64 token(std::size_t sender, std::size_t sequence) {
  return (static_cast<u64>(sender) << 40) | (sequence + 1);
}

inline std::optional<std::string> mismatch(const char* what, const tally& sent,
                                           const tally& received) {
  if (sent == received) return std::nullopt;
  return std::string(what) + ": received != sent: sent " + std::to_string(sent.count) +
         ", received " + std::to_string(received.count);
}

template <class F>
boost::fibers::fiber start(F f) {
  return boost::fibers::fiber(std::allocator_arg, on_fiber::stacks(), std::move(f));
}

// threads / 2 senders and as many receivers; the last sender closes. One thread alone sends
// each message and receives it back.
template <class Channel>
run transfer(Channel& ch, std::size_t threads, std::size_t messages, const char* what) {
  run r;
  if (threads == 1) {
    tally sent, received;
    const auto t0 = clock::now();
    start([&] {
      for (std::size_t j = 0; j < messages; ++j) {
        const u64 v = token(0, j);
        ch.push(v);
        sent.add(v);
        u64 x = 0;
        if (ch.pop(x) == channel_op_status::success) {
          received.add(x);
          progress_of(0).tick();
        }
      }
    }).join();
    r.seconds = seconds_since(t0);
    r.items = received.count;
    r.error = mismatch(what, sent, received);
    return r;
  }
  const std::size_t senders = threads / 2;
  std::vector<tally> sent(senders), received(senders);
  std::atomic<std::size_t> left{senders};
  std::vector<boost::fibers::fiber> team;
  const auto t0 = clock::now();
  for (std::size_t i = 0; i < senders; ++i) {
    team.push_back(start([&, i] {
      for (std::size_t j = i; j < messages; j += senders) {
        const u64 v = token(i, j);
        if (ch.push(v) != channel_op_status::success) break;
        sent[i].add(v);
      }
      if (left.fetch_sub(1) == 1) ch.close();
    }));
    team.push_back(start([&, i] {
      u64 v = 0;
      while (ch.pop(v) == channel_op_status::success) {
        received[i].add(v);
        progress_of(i).tick();
      }
    }));
  }
  for (auto& f : team) f.join();
  r.seconds = seconds_since(t0);
  tally s, g;
  for (std::size_t i = 0; i < senders; ++i) {
    s.merge(sent[i]);
    g.merge(received[i]);
  }
  r.items = g.count;
  r.error = mismatch(what, s, g);
  return r;
}

inline run pingpong(std::size_t roundtrips) {
  boost::fibers::unbuffered_channel<u64> ping, pong;
  tally sent, echoed, returned;
  const auto t0 = clock::now();
  auto a = start([&] {
    for (std::size_t j = 0; j < roundtrips; ++j) {
      const u64 v = token(0, j);
      ping.push(v);
      sent.add(v);
      u64 back = 0;
      if (pong.pop(back) != channel_op_status::success) break;
      returned.add(back);
      progress_of(0).tick();
    }
    ping.close();
  });
  auto b = start([&] {
    u64 v = 0;
    while (ping.pop(v) == channel_op_status::success) {
      echoed.add(v);
      pong.push(v);
    }
  });
  a.join();
  b.join();
  run r;
  r.seconds = seconds_since(t0);
  r.items = returned.count;
  r.error = mismatch("ping", sent, echoed);
  if (!r.error) r.error = mismatch("pong", sent, returned);
  return r;
}

inline u64 fan_in_fan_out(std::size_t orders, std::size_t cooks, std::size_t capacity) {
  boost::fibers::buffered_channel<u64> in(slots_for(capacity)), out(slots_for(capacity));
  std::vector<boost::fibers::fiber> team;
  team.push_back(start([&] {
    for (u64 o = 1; o <= orders; ++o) in.push(o);
    in.close();
  }));
  std::atomic<std::size_t> working{cooks};
  for (std::size_t c = 0; c < cooks; ++c) {
    team.push_back(start([&] {
      u64 o = 0;
      while (in.pop(o) == channel_op_status::success) out.push(o);
      if (working.fetch_sub(1) == 1) out.close();
    }));
  }
  u64 sum = 0, v = 0;
  while (out.pop(v) == channel_op_status::success) {
    sum += v;
    progress_of(0).tick();
  }
  for (auto& f : team) f.join();
  return sum;
}

inline u64 pipeline(std::size_t messages, std::size_t stages, std::size_t capacity) {
  std::vector<std::unique_ptr<boost::fibers::buffered_channel<u64>>> chain;
  for (std::size_t s = 0; s <= stages; ++s) {
    chain.push_back(std::make_unique<boost::fibers::buffered_channel<u64>>(slots_for(capacity)));
  }
  std::vector<boost::fibers::fiber> team;
  team.push_back(start([&] {
    for (u64 m = 1; m <= messages; ++m) chain[0]->push(m);
    chain[0]->close();
  }));
  for (std::size_t s = 0; s < stages; ++s) {
    team.push_back(start([&, s] {
      u64 v = 0;
      while (chain[s]->pop(v) == channel_op_status::success) chain[s + 1]->push(v + 1);
      chain[s + 1]->close();
    }));
  }
  u64 sum = 0, v = 0;
  while (chain[stages]->pop(v) == channel_op_status::success) {
    sum += v;
    progress_of(0).tick();
  }
  for (auto& f : team) f.join();
  return sum;
}

struct message {
  std::size_t topic;
  u64 content;
};
using subscriber_channel = boost::fibers::buffered_channel<message>;
// The broker's one channel: publish (channel null), subscribe (channel set) or stop (done).
struct command {
  message m;
  subscriber_channel* channel;
  bool done;
};

inline void pubsub(std::size_t messages, std::size_t subscribers, std::size_t capacity,
                   u64& received, u64& dropped) {
  boost::fibers::unbuffered_channel<command> commands;
  dropped = 0;
  auto broker = start([&] {
    std::unordered_map<std::size_t, std::vector<subscriber_channel*>> table;
    command c{};
    while (commands.pop(c) == channel_op_status::success) {
      if (c.done) break;
      if (c.channel != nullptr) {
        table[c.m.topic].push_back(c.channel);
        continue;
      }
      for (subscriber_channel* ch : table[c.m.topic]) {
        if (ch->try_push(c.m) != channel_op_status::success) ++dropped;
      }
    }
    for (auto& [topic, chs] : table) {
      for (subscriber_channel* ch : chs) ch->close();
    }
  });
  std::vector<std::unique_ptr<subscriber_channel>> chs;
  std::vector<u64> counts(subscribers, 0);
  std::vector<boost::fibers::fiber> readers;
  for (std::size_t i = 0; i < subscribers; ++i) {
    chs.push_back(std::make_unique<subscriber_channel>(slots_for(capacity)));
    commands.push(command{{0, 0}, chs.back().get(), false});
    readers.push_back(start([&, i] {
      message m{};
      u64 n = 0;
      while (chs[i]->pop(m) == channel_op_status::success) {
        ++n;
        progress_of(i).tick();
      }
      counts[i] = n;
    }));
  }
  for (u64 m = 1; m <= messages; ++m) commands.push(command{{0, m}, nullptr, false});
  commands.push(command{{0, 0}, nullptr, true});
  broker.join();
  for (auto& f : readers) f.join();
  received = 0;
  for (u64 n : counts) received += n;
}

// One run of `workload` (names.json's channel workloads) on the calling fiber, which
// with_workers runs under work_stealing.
inline run once(std::string_view workload, std::size_t capacity, std::size_t threads,
                std::size_t messages, std::size_t roundtrips) {
  if (workload == "buffered") {
    boost::fibers::buffered_channel<u64> ch(slots_for(capacity));
    return transfer(ch, threads, messages, "buffered");
  }
  if (workload == "unbuffered") {
    boost::fibers::unbuffered_channel<u64> ch;
    return transfer(ch, threads, messages, "unbuffered");
  }
  if (workload == "pingpong") return pingpong(roundtrips);
  const u64 m = messages;
  const u64 triangle = m * (m + 1) / 2;
  run r;
  const auto t0 = clock::now();
  if (workload == "fan_in_fan_out") {
    const u64 got = fan_in_fan_out(messages, threads, capacity);
    r.seconds = seconds_since(t0);
    r.items = m;
    if (got != triangle) r.error = "fan_in_fan_out: delivered sum " + std::to_string(got);
  } else if (workload == "pipeline") {
    const u64 got = pipeline(messages, threads, capacity);
    r.seconds = seconds_since(t0);
    r.items = m;
    if (got != triangle + m * threads) r.error = "pipeline: delivered sum " + std::to_string(got);
  } else if (workload == "pubsub") {
    u64 received = 0, dropped = 0;
    pubsub(messages, threads, capacity, received, dropped);
    r.seconds = seconds_since(t0);
    r.items = received;
    if (received + dropped != m * threads) {
      r.error = "pubsub: received " + std::to_string(received) + " + dropped " +
                std::to_string(dropped) + " != " + std::to_string(m * threads);
    }
  } else {
    r.error = "no channel workload " + std::string(workload);
  }
  return r;
}

// The fibers a workload runs at once (Go's goroutines, lockstep_bench's tasks), which sets
// the worker count as GOMAXPROCS does: transfers their senders and receivers, the patterns
// their workers plus the producer and the collector.
inline std::size_t tasks_of(std::string_view workload, std::size_t threads) {
  if (workload == "buffered" || workload == "unbuffered") return threads == 1 ? 1 : threads;
  if (workload == "pingpong") return 2;
  return threads + 2;
}

}  // namespace lockstep::bench::runtime::fiber_channels
