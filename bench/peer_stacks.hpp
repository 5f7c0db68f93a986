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
//
// xenium has no stack: its peers are its Michael-Scott *queue* (michael_scott_queue, Michael and
// Scott 1996), once over its hazard_pointer and once over its generic_epoch_based reclaimer,
// both with xenium's default parameters. They run the same workloads and the same checks (the
// fingerprint does not care about order), but a queue is not a stack: they are there to set
// xenium's hazard pointers against xenium's epochs in the reclamation benchmark, not to rank a
// queue against a stack. xenium registers threads on their first operation, so no hooks.
#pragma once

#include <boost/lockfree/stack.hpp>
#include <cds/container/treiber_stack.h>
#include <cds/gc/hp.h>
#include <cds/init.h>
#include <xenium/michael_scott_queue.hpp>
#include <xenium/policy.hpp>
#include <xenium/reclamation/generic_epoch_based.hpp>
#include <xenium/reclamation/hazard_pointer.hpp>

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

template <class Reclaimer>
struct xenium_ms_queue {
  using hooks = no_thread_hooks;

  xenium::michael_scott_queue<std::uint64_t, xenium::policy::reclaimer<Reclaimer>> q;

  bool push(std::uint64_t v) {
    q.push(v);
    return true;
  }
  std::optional<std::uint64_t> try_pop() {
    std::uint64_t v;
    if (q.try_pop(v)) return v;
    return std::nullopt;
  }
  // The queue has no emptiness test. The harness asks only after draining, where finding an
  // element is already the failure it reports, so a pop that finds nothing stands in for one.
  bool empty() { return !try_pop(); }
};

using xenium_ms_queue_hp = xenium_ms_queue<xenium::reclamation::hazard_pointer<>>;
using xenium_ms_queue_epoch = xenium_ms_queue<xenium::reclamation::generic_epoch_based<>>;

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
