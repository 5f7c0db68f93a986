// The channel workloads: one run of a workload on fresh channels, timed and checked, templated
// over the channel family (locked::channel, lockfree::channel, or a user's). bench/go/ runs the same
// workloads with Go's channels under the same names, with the structure `go`, and the same
// message counts, so that the two languages are compared within one run.
//
// Workloads (`messages` per run, all senders together):
// - buffered, unbuffered: threads / 2 senders share the messages (sender i sends the i-th,
//   the (i + senders)-th, ...), threads / 2 receivers receive until the channel is closed and
//   drained; the last sender to finish closes it, as Go's idiom has it. 2 threads is one
//   sender and one receiver (1/1), 4 and 8 are N/N. One thread alone sends each message and
//   receives it back, which only a buffered channel allows.
// - pingpong: two threads bounce a value over two unbuffered channels, `roundtrips` times; each
//   round trip is two rendezvous, so its time is twice the handoff latency.
// - fan_in_fan_out, pipeline, pubsub: the examples/ programs (channel_patterns.hpp, which only
//   lockstep's own build has: examples/ is not installed).
//
// What is counted: messages received (round trips for pingpong), over the team's wall time.
//
// What is checked, after every run: the values are distinct nonzero tokens (sender << 40 |
// sequence), and what the receivers took must equal what the senders sent (count, sum and sum
// of squares, harness.hpp's tally); pingpong checks both directions. The patterns check their
// result against what their header promises. A mismatch is the benchmark's error, never a
// number.
//
// Blocking operations cannot poll a stop flag, so the wall-time cap closes the channels
// instead: a blocked send then throws channel_closed and is not counted as sent, a blocked
// receive drains what is buffered and ends, and the conservation check still holds for what
// was done by then.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <lockstep/sync/channel.hpp>

#include "harness.hpp"
#include "names.hpp"
#include "placement.hpp"

namespace lockstep::bench {

// In names.json's order (names::channel_workloads), which names each one.
enum class channel_workload { buffered, unbuffered, pingpong, fan_in_fan_out, pipeline, pubsub };
static_assert(std::size(names::channel_workloads) == 6, "a channel workload per name");
static_assert(names::channel_workloads[5] == "pubsub", "the enum in names.json's order");

constexpr std::string_view name(channel_workload w) noexcept {
  return names::channel_workloads[static_cast<std::size_t>(w)];
}

inline constexpr channel_workload channel_patterns[] = {
    channel_workload::fan_in_fan_out, channel_workload::pipeline, channel_workload::pubsub};

struct channel_case {
  channel_workload workload;
  std::size_t capacity;
  std::size_t threads;
};

struct channel_run {
  double seconds = 0;
  std::uint64_t items = 0;  // messages received; round trips for pingpong
  bool capped = false;
  std::optional<std::string> error;
};

// Closes a channel once, whoever comes first: the last sender, or the cap.
template <class Channel>
class close_once {
 public:
  explicit close_once(Channel& c) : channel_(c) {}
  void operator()() {
    if (!closed_.exchange(true)) channel_.close();
  }

 private:
  Channel& channel_;
  std::atomic<bool> closed_{false};
};

// Runs on_expiry on its own thread if it is still alive after `cap`. It, not run_team's own
// timer, says whether a run was capped: it starts first, so it is the one that stops the team.
class cap_watchdog {
 public:
  template <class F>
  cap_watchdog(std::chrono::milliseconds cap, F on_expiry)
      : thread_([this, cap, on_expiry]() mutable {
          std::unique_lock lock(m_);
          if (!cv_.wait_for(lock, cap, [this] { return finished_; })) {
            fired_.store(true);
            on_expiry();
          }
        }) {}
  cap_watchdog(const cap_watchdog&) = delete;
  cap_watchdog& operator=(const cap_watchdog&) = delete;
  bool fired() const noexcept { return fired_.load(); }
  ~cap_watchdog() {
    {
      std::lock_guard lock(m_);
      finished_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool finished_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

inline constexpr unsigned channel_token_shift = 40;

constexpr std::uint64_t channel_token(std::size_t sender, std::size_t sequence) noexcept {
  return (static_cast<std::uint64_t>(sender) << channel_token_shift) | (sequence + 1);
}

inline std::optional<std::string> tally_mismatch(const char* what, const tally& sent,
                                                 const tally& received) {
  if (sent == received) return std::nullopt;
  return std::string(what) + ": received != sent: sent " + std::to_string(sent.count) + " (sum " +
         std::to_string(sent.sum) + "), received " + std::to_string(received.count) + " (sum " +
         std::to_string(received.sum) + ")";
}

template <template <class> class Channel>
channel_run run_transfer(hwloc_topology_t topo, const std::vector<unsigned>& pus,
                         std::size_t threads, std::size_t capacity, std::size_t messages,
                         std::chrono::milliseconds cap) {
  using channel = Channel<std::uint64_t>;
  channel ch(capacity);
  close_once<channel> close(ch);
  std::vector<thread_record> records;
  const std::size_t senders = threads == 1 ? 1 : threads / 2;
  std::atomic<std::size_t> senders_left{senders};

  auto send_share = [&](std::size_t i, thread_record& rec) {
    try {
      for (std::size_t j = i; j < messages; j += senders) {
        const std::uint64_t v = channel_token(i, j);
        ch.send(v);
        rec.pushed.add(v);
      }
    } catch (const sync::channel_closed&) {
      // The cap closed the channel: what was sent so far is what gets checked.
    }
    if (senders_left.fetch_sub(1) == 1) close();
  };

  team_result team;
  bool capped = false;
  {
    const cap_watchdog watchdog(cap, [&close] { close(); });
    team = run_team<no_thread_hooks>(
        topo, pus, threads == 1 ? 1 : 2 * senders, cap, records,
        [&](std::size_t i, const std::atomic<bool>&, thread_record& rec) {
          if (threads == 1) {
            try {
              for (std::size_t j = 0; j < messages; ++j) {
                const std::uint64_t v = channel_token(0, j);
                ch.send(v);
                rec.pushed.add(v);
                if (std::optional<std::uint64_t> x = ch.recv()) rec.popped.add(*x);
              }
            } catch (const sync::channel_closed&) {
              // Capped, as above.
            }
          } else if (i < senders) {
            send_share(i, rec);
          } else {
            while (std::optional<std::uint64_t> x = ch.recv()) rec.popped.add(*x);
          }
        });
    capped = team.capped || watchdog.fired();
  }

  channel_run r;
  r.seconds = team.seconds;
  r.capped = capped;
  tally sent, received;
  for (const thread_record& rec : records) {
    sent += rec.pushed;
    received += rec.popped;
  }
  r.items = received.count;
  if (team.bind_failed) {
    r.error = "hwloc could not bind a thread";
  } else {
    r.error = tally_mismatch(capacity == 0 ? "unbuffered" : "buffered", sent, received);
  }
  return r;
}

// Thread 0 sends on ping and waits for the value on pong; thread 1 echoes. Both directions are
// checked: what thread 1 took from ping is what thread 0 sent, and what thread 0 took from pong
// is what thread 1 sent back.
template <template <class> class Channel>
channel_run run_pingpong(hwloc_topology_t topo, const std::vector<unsigned>& pus,
                         std::size_t roundtrips, std::chrono::milliseconds cap) {
  using channel = Channel<std::uint64_t>;
  channel ping(0);
  channel pong(0);
  close_once<channel> close_ping(ping);
  close_once<channel> close_pong(pong);
  std::vector<thread_record> records;

  team_result team;
  bool capped = false;
  {
    const cap_watchdog watchdog(cap, [&] {
      close_ping();
      close_pong();
    });
    team = run_team<no_thread_hooks>(
        topo, pus, 2, cap, records,
        [&](std::size_t i, const std::atomic<bool>&, thread_record& rec) {
          try {
            if (i == 0) {
              for (std::size_t j = 0; j < roundtrips; ++j) {
                const std::uint64_t v = channel_token(0, j);
                ping.send(v);
                rec.pushed.add(v);
                const std::optional<std::uint64_t> back = pong.recv();
                if (!back) break;
                rec.popped.add(*back);
              }
              close_ping();
            } else {
              while (std::optional<std::uint64_t> v = ping.recv()) {
                rec.popped.add(*v);
                pong.send(*v);
                rec.pushed.add(*v);
              }
            }
          } catch (const sync::channel_closed&) {
            // The cap closed both channels.
          }
        });
    capped = team.capped || watchdog.fired();
  }

  channel_run r;
  r.seconds = team.seconds;
  r.capped = capped;
  r.items = records[0].popped.count;
  if (team.bind_failed) {
    r.error = "hwloc could not bind a thread";
  } else if (auto e = tally_mismatch("ping", records[0].pushed, records[1].popped)) {
    r.error = e;
  } else {
    r.error = tally_mismatch("pong", records[1].pushed, records[0].popped);
  }
  return r;
}

template <template <class> class Channel>
channel_run run_channel(hwloc_topology_t topo, const std::vector<unsigned>& pus,
                        const channel_case& c, std::size_t messages, std::size_t roundtrips,
                        std::chrono::milliseconds cap) {
  switch (c.workload) {
    case channel_workload::buffered:
    case channel_workload::unbuffered:
      return run_transfer<Channel>(topo, pus, c.threads, c.capacity, messages, cap);
    case channel_workload::pingpong:
      return run_pingpong<Channel>(topo, pus, roundtrips, cap);
    default: {
      // The patterns are channel_patterns.hpp's: they need examples/, which is not installed.
      channel_run r;
      r.error = std::string(name(c.workload)) + ": a pattern, run by channel_patterns.hpp";
      return r;
    }
  }
}

}  // namespace lockstep::bench
