// The linearizability checker: is a recorded history (history.hpp) linearizable with respect
// to a sequential specification (specs.hpp)?
//
// The algorithm is J. M. Wing and C. Gong, "Testing and Verifying Concurrent Objects", Journal
// of Parallel and Distributed Computing 17(1-2):164-182, 1993: a depth-first search for a
// linearization. At each point it may linearize any call that is minimal — invoked before every
// remaining call returned — whose recorded result the specification allows in the current
// state; if none can be, it backtracks. With the memoisation of G. Lowe, "Testing for
// linearizability", Concurrency and Computation: Practice and Experience 29(4):e3928, 2017
// (and of P. Horn and D. Kroening's "Faster linearizability checking via P-compositionality",
// FORTE 2015, without the P-compositionality), a configuration — the set of calls linearized so
// far and the specification's state after them — is explored at most once: two orders that
// linearize the same calls into the same state have the same futures. That bounds the search by
// the number of distinct configurations, which for t threads of k calls each is at most
// (k+1)^t sets times the states, instead of the number of interleavings.
//
// The search runs over the history's invocation and response events in stamp order, kept in a
// doubly linked list from which a linearized call's two events are unlinked ("lifted") and into
// which they are relinked on backtracking, as in Lowe's and Horn and Kroening's presentations.
// A call is a candidate while its invocation precedes the first response left in the list.
//
// The answer is a verdict: linearizable, or a counterexample that prints the history per thread
// (each call with its [invoked, returned] interval and result), the longest linearizable prefix
// the search found, the specification's state after it, and the calls that could have come next
// there, none of which the specification allows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "history.hpp"
#include "specs.hpp"

namespace lockstep::verify::lin {

struct verdict {
  bool linearizable = true;
  std::string counterexample;      // empty when linearizable
  std::size_t configurations = 0;  // distinct (linearized set, state) pairs explored

  explicit operator bool() const noexcept { return linearizable; }
};

namespace detail {

class call_set {
 public:
  explicit call_set(std::size_t calls) : words_((calls + 63) / 64, 0) {}
  void insert(std::size_t i) { words_[i / 64] |= std::uint64_t{1} << (i % 64); }
  void erase(std::size_t i) { words_[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
  std::size_t hash() const {
    std::size_t h = 0;
    for (std::uint64_t w : words_) h = h * 0x9e3779b97f4a7c15ull + static_cast<std::size_t>(w);
    return h;
  }
  friend bool operator==(const call_set&, const call_set&) = default;

 private:
  std::vector<std::uint64_t> words_;
};

template <class Spec>
struct configuration {
  call_set linearized;
  Spec state;
  friend bool operator==(const configuration&, const configuration&) = default;
};

template <class Spec>
struct configuration_hash {
  std::size_t operator()(const configuration<Spec>& c) const {
    return c.linearized.hash() ^ (static_cast<std::size_t>(c.state.hash()) * 0xff51afd7ed558ccdull);
  }
};

// The events in stamp order, as a doubly linked list over indices; node 0 is the head sentinel.
// An invocation sorts before a response with the same stamp, so such calls are concurrent.
class event_list {
 public:
  explicit event_list(const std::vector<std::pair<stamp, stamp>>& intervals)
      : nodes_(2 * intervals.size() + 1), invocation_(intervals.size()) {
    struct event {
      stamp at;
      bool response;
      std::size_t call;
    };
    std::vector<event> events;
    for (std::size_t i = 0; i < intervals.size(); ++i) {
      events.push_back({intervals[i].first, false, i});
      events.push_back({intervals[i].second, true, i});
    }
    std::sort(events.begin(), events.end(), [](const event& a, const event& b) {
      return a.at != b.at ? a.at < b.at : (!a.response && b.response);
    });
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
      nodes_[n].prev = n == 0 ? nodes_.size() - 1 : n - 1;
      nodes_[n].next = n + 1 == nodes_.size() ? 0 : n + 1;
    }
    std::vector<std::size_t> response(intervals.size());
    for (std::size_t e = 0; e < events.size(); ++e) {
      node& n = nodes_[e + 1];
      n.call = events[e].call;
      n.response = events[e].response;
      (n.response ? response : invocation_)[n.call] = e + 1;
    }
    for (std::size_t i = 0; i < intervals.size(); ++i) nodes_[invocation_[i]].match = response[i];
  }

  static constexpr std::size_t end = 0;
  std::size_t first() const { return nodes_[0].next; }
  std::size_t next(std::size_t n) const { return nodes_[n].next; }
  bool is_response(std::size_t n) const { return nodes_[n].response; }
  std::size_t call(std::size_t n) const { return nodes_[n].call; }
  std::size_t invocation(std::size_t call) const { return invocation_[call]; }

  // Unlinks a call's invocation, then its response; relinking undoes that in reverse order.
  void lift(std::size_t call) {
    unlink(invocation_[call]);
    unlink(nodes_[invocation_[call]].match);
  }
  void unlift(std::size_t call) {
    relink(nodes_[invocation_[call]].match);
    relink(invocation_[call]);
  }

 private:
  struct node {
    std::size_t prev = 0, next = 0, call = 0, match = 0;
    bool response = false;
  };
  void unlink(std::size_t n) {
    nodes_[nodes_[n].prev].next = nodes_[n].next;
    nodes_[nodes_[n].next].prev = nodes_[n].prev;
  }
  void relink(std::size_t n) {
    nodes_[nodes_[n].prev].next = n;
    nodes_[nodes_[n].next].prev = n;
  }

  std::vector<node> nodes_;
  std::vector<std::size_t> invocation_;
};

template <class Spec>
std::string counterexample(const history<Spec>& h, const std::vector<std::size_t>& prefix,
                           const Spec& state) {
  std::string text = "not linearizable: " + std::to_string(h.size()) +
                     " calls, the history per thread ([invoked, returned] call -> result):\n" +
                     describe<Spec>(h);
  text += "longest linearizable prefix found (" + std::to_string(prefix.size()) + " of " +
          std::to_string(h.size()) + " calls):\n";
  std::vector<bool> done(h.size(), false);
  for (std::size_t i : prefix) {
    text += "    thread " + std::to_string(h[i].thread) + ": " + describe<Spec>(h[i]) + "\n";
    done[i] = true;
  }
  text += "state after it: " + state.describe() + "\n";
  // The calls that could come next: not yet linearized, and invoked before every such call
  // returned. None of them is allowed: that is why the search stopped here.
  stamp first_return = ~stamp{0};
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (!done[i]) first_return = std::min(first_return, h[i].returned);
  }
  text += "none of the calls that may come next is allowed there:\n";
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (done[i] || h[i].invoked > first_return) continue;
    Spec probe = state;
    const bool allowed = probe.step(h[i].operation, h[i].result);
    // A specification that can say what it would answer (operations.hpp's can) says it.
    std::string expected;
    if constexpr (requires { state.expected(h[i].operation); }) {
      if (!allowed) expected = ", the model answers " + state.expected(h[i].operation);
    }
    text += "    thread " + std::to_string(h[i].thread) + ": " + describe<Spec>(h[i]) +
            (allowed ? "  (allowed here, but every continuation after it fails)\n"
                     : "  (not allowed here" + expected + ")\n");
  }
  return text;
}

}  // namespace detail

// Checks `h` against the specification starting in state `initial`.
template <specification Spec>
verdict check(const history<Spec>& h, const Spec& initial) {
  std::vector<std::pair<stamp, stamp>> intervals;
  for (const call_of<Spec>& c : h) {
    if (c.returned < c.invoked) {
      throw std::invalid_argument("lin::check: a call returned before it was invoked");
    }
    intervals.emplace_back(c.invoked, c.returned);
  }
  detail::event_list events(intervals);

  struct frame {
    std::size_t call;
    Spec before;
  };
  std::vector<frame> linearized;  // the current linearization, with the state before each call
  detail::call_set in_linearization(h.size());
  std::unordered_set<detail::configuration<Spec>, detail::configuration_hash<Spec>> seen;
  Spec state = initial;
  std::vector<std::size_t> longest;
  Spec after_longest = initial;

  verdict v;
  std::size_t at = events.first();
  while (events.first() != detail::event_list::end) {
    if (!events.is_response(at)) {
      const std::size_t c = events.call(at);
      Spec next = state;
      if (next.step(h[c].operation, h[c].result)) {
        in_linearization.insert(c);
        if (seen.insert({in_linearization, next}).second) {
          linearized.push_back({c, std::move(state)});
          state = std::move(next);
          events.lift(c);
          if (linearized.size() > longest.size()) {
            longest.clear();
            for (const frame& f : linearized) longest.push_back(f.call);
            after_longest = state;
          }
          at = events.first();
          continue;
        }
        in_linearization.erase(c);
      }
      at = events.next(at);
      continue;
    }
    // A response: the call it ends must have been linearized before this point, and was not.
    // Undo the last choice and try the next candidate after it.
    if (linearized.empty()) {
      v.linearizable = false;
      v.counterexample = detail::counterexample(h, longest, after_longest);
      break;
    }
    frame last = std::move(linearized.back());
    linearized.pop_back();
    in_linearization.erase(last.call);
    state = std::move(last.before);
    events.unlift(last.call);
    at = events.next(events.invocation(last.call));
  }
  v.configurations = seen.size();
  return v;
}

}  // namespace lockstep::verify::lin
