// The linearizability checker for a history whose precedence is any partial order, not only the
// real-time interval order of checker.hpp: the model-checking mode (model.hpp) orders call A
// before call B when A's return happens before B's invocation in the C++ memory model, and
// happens-before between the calls of different threads is not an interval order (A before B
// and C before D do not imply A before D or C before B).
//
// The search is Wing and Gong's, with Lowe's memoisation, over that order: a call may be
// linearized next when every call that precedes it has been, and the specification allows its
// result in the current state; a configuration (the set of calls linearized, the specification's
// state) that failed once is not explored again. Histories are small (at most 64 calls: the
// model checker explores a few calls per thread), so the set is a bit mask.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "specs.hpp"

namespace lockstep::verify::lin {

// One call of an ordered history: what was called and answered, and which calls precede it.
template <class Spec>
struct ordered_call {
  unsigned thread;
  typename Spec::operation operation;
  typename Spec::result result;
  std::uint64_t preceded_by;  // bit j: call j precedes this call
};

template <class Spec>
struct order_verdict {
  bool linearizable = true;
  // When not linearizable: the longest prefix of calls (indices) the search could linearize,
  // and the specification's state after it.
  std::vector<std::size_t> longest;
  Spec after_longest;
  std::size_t configurations = 0;

  explicit operator bool() const noexcept { return linearizable; }
};

namespace detail {

template <class Spec>
struct order_configuration {
  std::uint64_t linearized;
  Spec state;
  friend bool operator==(const order_configuration&, const order_configuration&) = default;
};

template <class Spec>
struct order_configuration_hash {
  std::size_t operator()(const order_configuration<Spec>& c) const {
    return static_cast<std::size_t>(c.linearized * 0x9e3779b97f4a7c15ull) ^
           (static_cast<std::size_t>(c.state.hash()) * 0xff51afd7ed558ccdull);
  }
};

template <class Spec>
class order_search {
 public:
  order_search(const std::vector<ordered_call<Spec>>& calls, const Spec& initial)
      : calls_(calls), all_((calls.size() == 64 ? 0 : (std::uint64_t{1} << calls.size())) - 1),
        verdict_{true, {}, initial, 0} {}

  order_verdict<Spec> run(const Spec& initial) {
    std::vector<std::size_t> prefix;
    verdict_.linearizable = extend(0, initial, prefix);
    verdict_.configurations = failed_.size();
    return std::move(verdict_);
  }

 private:
  bool extend(std::uint64_t done, const Spec& state, std::vector<std::size_t>& prefix) {
    if (done == all_) return true;
    if (prefix.size() > verdict_.longest.size()) {
      verdict_.longest = prefix;
      verdict_.after_longest = state;
    }
    if (failed_.contains({done, state})) return false;
    for (std::size_t i = 0; i < calls_.size(); ++i) {
      const std::uint64_t bit = std::uint64_t{1} << i;
      if ((done & bit) != 0 || (calls_[i].preceded_by & ~done) != 0) continue;
      Spec next = state;
      if (!next.step(calls_[i].operation, calls_[i].result)) continue;
      prefix.push_back(i);
      if (extend(done | bit, next, prefix)) return true;
      prefix.pop_back();
    }
    failed_.insert({done, state});
    return false;
  }

  const std::vector<ordered_call<Spec>>& calls_;
  std::uint64_t all_;
  order_verdict<Spec> verdict_;
  std::unordered_set<order_configuration<Spec>, order_configuration_hash<Spec>> failed_;
};

}  // namespace detail

// Is there an order of `calls`, extending their precedence, in which the specification, from
// `initial`, gives every call the result it had? At most 64 calls.
template <specification Spec>
order_verdict<Spec> check_order(const std::vector<ordered_call<Spec>>& calls, const Spec& initial) {
  return detail::order_search<Spec>(calls, initial).run(initial);
}

// The counterexample: the calls per thread, each with the calls it had to follow, then the
// longest linearizable prefix and what none of the next candidates could answer there.
template <class Spec>
std::string describe_order_failure(const std::vector<ordered_call<Spec>>& calls,
                                   const order_verdict<Spec>& v) {
  const auto name = [&](std::size_t i) {
    return "#" + std::to_string(i) + " " + Spec::describe(calls[i].operation) + " -> " +
           Spec::describe(calls[i].result);
  };
  std::string text = "not linearizable: " + std::to_string(calls.size()) +
                     " calls (#n call -> result, after: the calls that happen before it):\n";
  std::vector<unsigned> threads;
  for (const ordered_call<Spec>& c : calls) {
    bool known = false;
    for (unsigned t : threads) known = known || t == c.thread;
    if (!known) threads.push_back(c.thread);
  }
  for (unsigned t : threads) {
    text += "  thread " + std::to_string(t) + ":\n";
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (calls[i].thread != t) continue;
      text += "    " + name(i);
      std::string after;
      for (std::size_t j = 0; j < calls.size(); ++j) {
        // Only other threads' calls: a thread's own earlier calls precede it by program order.
        if ((calls[i].preceded_by >> j & 1) != 0 && calls[j].thread != t) {
          after += (after.empty() ? "" : ", ") + std::string("#") + std::to_string(j);
        }
      }
      text += after.empty() ? "\n" : "   (after " + after + ")\n";
    }
  }
  text += "longest linearizable prefix found (" + std::to_string(v.longest.size()) + " of " +
          std::to_string(calls.size()) + " calls):";
  std::uint64_t done = 0;
  for (std::size_t i : v.longest) {
    text += " #" + std::to_string(i);
    done |= std::uint64_t{1} << i;
  }
  text += "\nstate after it: " + v.after_longest.describe() + "\n";
  text += "none of the calls that may come next is allowed there:\n";
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if ((done >> i & 1) != 0 || (calls[i].preceded_by & ~done) != 0) continue;
    Spec probe = v.after_longest;
    const bool allowed = probe.step(calls[i].operation, calls[i].result);
    // A specification that can say what it would answer (operations.hpp's can) says it.
    std::string expected;
    if constexpr (requires { probe.expected(calls[i].operation); }) {
      if (!allowed) expected = ", the model answers " + v.after_longest.expected(calls[i].operation);
    }
    text += "    thread " + std::to_string(calls[i].thread) + ": " + name(i) +
            (allowed ? "  (allowed here, but every continuation after it fails)\n"
                     : "  (not allowed here" + expected + ")\n");
  }
  return text;
}

}  // namespace lockstep::verify::lin
