// The channel patterns: the examples/ programs (fan-in/fan-out, a pipeline, a pub/sub broker) as
// channel workloads, for lockstep's own channels. Only lockstep's build tree has examples/ (it is
// not installed), and the broker needs a select for the channel family, which a user's channel
// need not have: so an installed harness, and any user channel, runs channel_workloads.hpp's
// transfer and ping-pong workloads only.
//
// Each pattern starts and joins its own threads inside the timed call (Go's twins start
// goroutines likewise), called with `messages` and the thread count as its cooks, stages or
// subscribers; so they are not pinned and have no cap.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <lockstep/examples/fan_in_fan_out.hpp>
#include <lockstep/examples/pipeline.hpp>
#include <lockstep/examples/pubsub_broker.hpp>

#include "channel_workloads.hpp"

namespace lockstep::bench {

// One call of an examples/ program, timed on the calling thread, its result checked against
// what the header promises: fan-in/fan-out and the pipeline deliver every message exactly once
// (their sums are then known); the broker may drop a message for a full subscriber, but each
// message is received or dropped exactly once per subscriber. The broker finds select by
// argument-dependent lookup: the includer includes each family's select header.
template <template <class> class Channel>
channel_run run_pattern(channel_workload w, std::size_t workers, std::size_t capacity,
                        std::size_t messages) {
  const std::uint64_t m = messages;
  const std::uint64_t triangle = m * (m + 1) / 2;
  const std::string what(name(w));
  channel_run r;
  const clock::time_point start = clock::now();
  if (w == channel_workload::fan_in_fan_out) {
    const std::uint64_t got = examples::fan_in_fan_out<Channel>(messages, workers, capacity);
    r.seconds = std::chrono::duration<double>(clock::now() - start).count();
    r.items = m;
    if (got != triangle) {
      r.error = what + ": delivered sum " + std::to_string(got) + ", sent " +
                std::to_string(triangle);
    }
  } else if (w == channel_workload::pipeline) {
    const std::uint64_t got = examples::pipeline<Channel>(messages, workers, capacity);
    r.seconds = std::chrono::duration<double>(clock::now() - start).count();
    r.items = m;
    if (got != triangle + m * workers) {
      r.error = what + ": delivered sum " + std::to_string(got) + ", expected " +
                std::to_string(triangle + m * workers);
    }
  } else {
    const examples::pubsub_tally got =
        examples::pubsub_tallied<Channel>(messages, workers, capacity);
    r.seconds = std::chrono::duration<double>(clock::now() - start).count();
    r.items = got.received;
    if (got.received + got.dropped != m * workers) {
      r.error = what + ": received " + std::to_string(got.received) + " + dropped " +
                std::to_string(got.dropped) + " != " + std::to_string(m * workers);
    }
  }
  return r;
}

// Every channel workload, the patterns included.
template <template <class> class Channel>
channel_run run_channel_or_pattern(hwloc_topology_t topo, const std::vector<unsigned>& pus,
                                   const channel_case& c, std::size_t messages,
                                   std::size_t roundtrips, std::chrono::milliseconds cap) {
  for (channel_workload w : channel_patterns) {
    if (c.workload == w) return run_pattern<Channel>(c.workload, c.threads, c.capacity, messages);
  }
  return run_channel<Channel>(topo, pus, c, messages, roundtrips, cap);
}

}  // namespace lockstep::bench
