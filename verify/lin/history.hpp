// Histories of concurrent operations, recorded under real threads, for the linearizability
// checker (checker.hpp).
//
// A history is the list of completed calls: for each, the thread that made it, the operation
// and its argument, the result, and two stamps — `invoked`, taken before the call, and
// `returned`, taken after it came back. The checker orders call A before call B exactly when
// A.returned < B.invoked, and demands that A be linearized before B; every other pair is
// concurrent and may be linearized either way.
//
// The stamps come from one counter per recording (lin::clock) and must make that order sound:
// when A.returned < B.invoked, B must be able to see everything A did, or a correct object
// could be blamed for an answer B gave before A's effect reached it. The argument, in the C++
// model: A's operation is sequenced before a release fence, which is sequenced before A's
// relaxed fetch_add on the counter; B's fetch_add reads a later value of the counter, hence a
// value in the release sequence headed by A's (every later write to the counter is an RMW), and
// is sequenced before an acquire fence, which is sequenced before B's operation. So A's fence
// synchronizes with B's ([atomics.fences]) and A's operation happens before B's.
//
// Fences rather than a release/acquire counter, on purpose: ThreadSanitizer does not model
// standalone fences, so under TSan the clock adds no happens-before edge between the threads,
// and a structure whose own operations fail to synchronize is still reported. (Natively, on
// x86, both fences are compiler barriers only, and the counter's `lock xadd` is a full barrier.)
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lockstep::verify::lin {

using stamp = std::uint64_t;

// One completed call. Operation and Result are a specification's (specs.hpp).
template <class Operation, class Result>
struct call {
  unsigned thread;
  Operation operation;
  Result result;
  stamp invoked;
  stamp returned;
};

template <class Spec>
using call_of = call<typename Spec::operation, typename Spec::result>;

template <class Spec>
using history = std::vector<call_of<Spec>>;

// The logical clock that stamps one recording (see the file comment for why it is sound).
class clock {
 public:
  clock() = default;
  clock(const clock&) = delete;
  clock& operator=(const clock&) = delete;

  // Before the call: the stamp, then the acquire fence, so that nothing the operation does is
  // ordered before the stamp.
  stamp before_call() noexcept {
    const stamp s = counter_.fetch_add(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    return s;
  }

  // After the call: the release fence, then the stamp, so that everything the operation did is
  // ordered before it.
  stamp after_return() noexcept {
    std::atomic_thread_fence(std::memory_order_release);
    return counter_.fetch_add(1, std::memory_order_relaxed);
  }

 private:
  std::atomic<stamp> counter_{0};
};

// The calls of one thread. Each thread owns its recorder; the recorders are collected after the
// threads are joined, so the logs themselves need no synchronization.
template <class Spec>
class recorder {
 public:
  using operation = typename Spec::operation;
  using result = typename Spec::result;

  recorder(lin::clock& clock, unsigned thread, std::size_t expected_calls)
      : clock_(&clock), thread_(thread) {
    calls_.reserve(expected_calls);
  }

  // Runs `perform` (which makes the call and turns its return value into a `result`) between
  // the two stamps, and logs it.
  template <class Perform>
  void record(const operation& op, Perform&& perform) {
    const stamp invoked = clock_->before_call();
    result r = std::forward<Perform>(perform)();
    const stamp returned = clock_->after_return();
    calls_.push_back(call_of<Spec>{thread_, op, std::move(r), invoked, returned});
  }

  const history<Spec>& calls() const noexcept { return calls_; }
  void clear() noexcept { calls_.clear(); }

 private:
  lin::clock* clock_;
  unsigned thread_;
  history<Spec> calls_;
};

// The calls of several recorders as one history.
template <class Spec>
history<Spec> merge(const std::vector<recorder<Spec>>& recorders) {
  history<Spec> all;
  for (const recorder<Spec>& r : recorders) {
    all.insert(all.end(), r.calls().begin(), r.calls().end());
  }
  return all;
}

// One line per call: "  [invoked, returned] operation -> result".
template <class Spec>
std::string describe(const call_of<Spec>& c) {
  return "[" + std::to_string(c.invoked) + ", " + std::to_string(c.returned) + "] " +
         Spec::describe(c.operation) + " -> " + Spec::describe(c.result);
}

// The history per thread, each thread's calls in the order it made them.
template <class Spec>
std::string describe(const history<Spec>& h) {
  std::vector<const call_of<Spec>*> sorted;
  for (const call_of<Spec>& c : h) sorted.push_back(&c);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return a->thread != b->thread ? a->thread < b->thread : a->invoked < b->invoked;
  });
  std::string text;
  const call_of<Spec>* previous = nullptr;
  for (const call_of<Spec>* c : sorted) {
    if (previous == nullptr || previous->thread != c->thread) {
      text += "  thread " + std::to_string(c->thread) + ":\n";
    }
    text += "    " + describe<Spec>(*c) + "\n";
    previous = c;
  }
  return text;
}

}  // namespace lockstep::verify::lin
