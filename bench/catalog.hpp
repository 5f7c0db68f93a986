// What one benchmark binary measures: its structures, by group, each with the family the plots
// group and colour it by, and the benchmark body that runs it.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "benchmarks.hpp"
#include "deque_workloads.hpp"
#include "queues.hpp"

namespace lockstep::bench {

// stack/..., reclaim/..., queue/..., channel/..., deque/...: the first segment of a benchmark's
// name.
enum class group { stack, reclaim, queue, channel, deque };

inline constexpr std::array<group, 5> all_groups{group::stack, group::reclaim, group::queue,
                                                 group::channel, group::deque};

constexpr std::string_view name(group g) noexcept {
  switch (g) {
    case group::stack: return "stack";
    case group::reclaim: return "reclaim";
    case group::queue: return "queue";
    case group::channel: return "channel";
    case group::deque: return "deque";
  }
  return "?";
}

struct structure {
  std::string name;
  // lockfree, locked, peer or user: the plots draw each family in its own style, and a failed
  // check of a peer's is a finding about the peer, not a failed run.
  std::string family;
  queue_kind kind;      // the queue group's: which workloads the structure can run
  bench_fn run;         // the stack, reclaim and queue groups' body
  channel_fn channel;   // the channel group's body
  bool patterns;        // the channel group's: it also runs the examples/ patterns
  deque_fn deque = nullptr;  // the deque group's body
};

class catalog {
 public:
  std::vector<structure>& operator[](group g) { return lists_[static_cast<std::size_t>(g)]; }
  const std::vector<structure>& operator[](group g) const {
    return lists_[static_cast<std::size_t>(g)];
  }

 private:
  std::array<std::vector<structure>, all_groups.size()> lists_;
};

}  // namespace lockstep::bench
