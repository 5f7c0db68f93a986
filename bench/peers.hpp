// Adapters that give the peers' stacks the harness interface: push(v) -> bool,
// try_pop() -> optional, empty(), and per-thread hooks.
//
// Boost.Lockfree: a Treiber stack over a freelist of tagged node indices/pointers (ABA defence by
// tag, nodes recycled, never returned to the OS while the stack lives). Constructed with a small
// initial freelist so it allocates on demand like the others rather than starting pre-warmed.
//
// libcds: TreiberStack over hazard pointers (cds::gc::HP), optionally with its elimination
// back-off array (Hendler, Shavit, Yerushalmi 2004, with spin-locked collision slots). libcds
// needs the library initialised, one HP singleton alive and every thread that touches a
// structure attached to its thread manager; main() owns the first two, the hooks here attach
// each team thread.
#pragma once

#include <boost/lockfree/stack.hpp>
#include <cds/container/treiber_stack.h>
#include <cds/gc/hp.h>
#include <cds/init.h>

#include <cstdint>
#include <optional>

#include "harness.hpp"

namespace lockstep::bench {

// The peers report a pop through an out parameter and a bool; the harness takes an optional.
template <class Stack>
std::optional<std::uint64_t> pop_value(Stack& s) {
  std::uint64_t v;
  if (s.pop(v)) return v;
  return std::nullopt;
}

struct boost_lockfree_stack {
  using hooks = no_thread_hooks;
  static constexpr std::size_t initial_nodes = 64;

  boost::lockfree::stack<std::uint64_t> s{initial_nodes};

  bool push(std::uint64_t v) { return s.push(v); }
  std::optional<std::uint64_t> try_pop() { return pop_value(s); }
  bool empty() const { return s.empty(); }
};

struct cds_thread_hooks {
  static void enter() { cds::threading::Manager::attachThread(); }
  static void leave() { cds::threading::Manager::detachThread(); }
};

// libcds's defaults, except how an eliminating thread waits for a partner: the default,
// backoff::delay, sleeps in 2 ms steps, which turns every failed CAS into milliseconds lost and
// measures the sleep rather than the algorithm; the spin-then-yield exponential back-off that
// libcds uses everywhere else keeps the wait in the elimination's own time scale.
template <bool Elimination>
struct cds_treiber_stack {
  using hooks = cds_thread_hooks;
  using traits = typename cds::container::treiber_stack::make_traits<
      cds::opt::enable_elimination<Elimination>,
      cds::opt::elimination_backoff<cds::backoff::Default>>::type;

  cds::container::TreiberStack<cds::gc::HP, std::uint64_t, traits> s;

  bool push(std::uint64_t v) { return s.push(v); }
  std::optional<std::uint64_t> try_pop() { return pop_value(s); }
  bool empty() const { return s.empty(); }
};

// The process-wide libcds state; the main thread stays attached to drain and destroy stacks.
class cds_runtime {
 public:
  cds_runtime() {
    cds::Initialize();
    hp_.emplace();
    cds::threading::Manager::attachThread();
  }
  cds_runtime(const cds_runtime&) = delete;
  cds_runtime& operator=(const cds_runtime&) = delete;
  ~cds_runtime() {
    cds::threading::Manager::detachThread();
    hp_.reset();
    cds::Terminate();
  }

 private:
  std::optional<cds::gc::HP> hp_;
};

}  // namespace lockstep::bench
