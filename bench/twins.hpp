// lockstep's own structures, each group's list as lockstep_bench measures it: what a user's
// benchmark runs next to its own structure with lockstep::bench::with_twins (registry.hpp).
// Header-only, like the library: they need nothing the harness does not.
#pragma once

#include <lockstep/locked/bounded_queue.hpp>
#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/flat_combining.hpp>
#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/queue.hpp>
#include <lockstep/locked/select.hpp>
#include <lockstep/locked/stack.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/ticket_lock.hpp>
#include <lockstep/locked/two_lock_queue.hpp>
#include <lockstep/locked/work_stealing_deque.hpp>
#include <lockstep/lockfree/bounded_queue.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>
#include <lockstep/lockfree/elimination_stack.hpp>
#include <lockstep/lockfree/faa_queue.hpp>
#include <lockstep/lockfree/ms_queue.hpp>
#include <lockstep/lockfree/scq.hpp>
#include <lockstep/lockfree/select.hpp>
#include <lockstep/lockfree/spsc_queue.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>

#include <cstdint>
#include <string>

#include "benchmarks.hpp"
#include "catalog.hpp"
#include "coro_channel_workloads.hpp"
#include "deque_workloads.hpp"
#include "names.hpp"
#include "queues.hpp"
#include "reclaimers.hpp"

// The channel patterns run examples/, which only lockstep's source tree has: an installed
// harness runs the transfer and ping-pong workloads on lockstep's channels, as on a user's.
#if __has_include(<lockstep/examples/pipeline.hpp>)
#include "channel_patterns.hpp"
#define LOCKSTEP_BENCH_CHANNEL_PATTERNS 1
#endif

namespace lockstep::bench {

template <class Adapter>
structure stack_entry(std::string name, const char* family) {
  return {std::move(name), family, queue_kind::unbounded, &stack_bench<Adapter>, nullptr, false};
}

template <class Adapter>
structure queue_entry(std::string name, const char* family) {
  return {std::move(name), family, Adapter::kind, &queue_bench<Adapter>, nullptr, false};
}

template <template <class> class Channel>
structure channel_entry(std::string name, const char* family) {
#ifdef LOCKSTEP_BENCH_CHANNEL_PATTERNS
  return {std::move(name), family, queue_kind::unbounded, nullptr,
          &channel_bench<&run_channel_or_pattern<Channel>>, true};
#else
  return {std::move(name), family, queue_kind::unbounded, nullptr,
          &channel_bench<&run_channel<Channel>>, false};
#endif
}

// The same channel with coroutine waiters (coro_channel_workloads.hpp): every workload, the
// patterns included, which it ports itself. A family without the awaitable operations (a
// build of the library from before them) adds nothing; one without async_select, no patterns.
template <template <class> class Channel>
void add_coro_channel(std::vector<structure>& list, std::string name, const char* family) {
  if constexpr (coro::awaitable_family<Channel>) {
    list.push_back({std::move(name), family, queue_kind::unbounded, nullptr,
                    &channel_bench<&coro::run_channel<Channel>>,
                    coro::selecting_family<Channel>});
  }
}

template <class Deque>
structure deque_entry(std::string name, const char* family) {
  return {std::move(name), family, queue_kind::unbounded, nullptr, nullptr, false,
          &deque_bench<Deque>};
}

// The deque group's baseline, the locked twin the plots divide by (the registry names it in the
// run's context).
inline constexpr std::string_view deque_baseline = names::baselines_deque;

// The reclamation group divides by this one: treiber_<baseline_reclaimer>, as names.json has it.
inline const std::string reclaim_baseline{names::baselines_reclaim};
static_assert(names::baselines_reclaim.starts_with("treiber_") &&
                  names::baselines_reclaim.substr(8) == baseline_reclaimer,
              "names.json's reclaim baseline is the Treiber stack over baseline_reclaimer");

inline void add_twins(catalog& c) {
  using T = std::uint64_t;
  std::vector<structure>& stacks = c[group::stack];
  stacks.push_back(stack_entry<stack_adapter<lockfree::treiber_stack<T>>>("treiber", "lockfree"));
  stacks.push_back(
      stack_entry<stack_adapter<lockfree::elimination_stack<T>>>("elimination", "lockfree"));
  stacks.push_back(stack_entry<stack_adapter<locked::stack<T, locked::std_mutex>>>(
      std::string(names::baselines_stack), "locked"));
  stacks.push_back(
      stack_entry<stack_adapter<locked::stack<T, locked::tatas_lock>>>("locked_tatas", "locked"));
  stacks.push_back(stack_entry<stack_adapter<locked::stack<T, locked::ticket_lock>>>(
      "locked_ticket", "locked"));
  stacks.push_back(
      stack_entry<stack_adapter<locked::stack<T, locked::mcs_lock>>>("locked_mcs", "locked"));
  stacks.push_back(stack_entry<stack_adapter<locked::fc_stack<T>>>("flat_combining", "locked"));

  for_each_reclaimer([&c](auto tag) {
    using stack = lockfree::treiber_stack<T, typename decltype(tag)::type>;
    c[group::reclaim].push_back(
        stack_entry<stack_adapter<stack>>("treiber_" + std::string(tag.name), "lockfree"));
  });

  // The queues the plots' goals compare (bench/plot/goals.py) take their names from names.json.
  std::vector<structure>& queues = c[group::queue];
  // The Michael-Scott queue with four of the reclamation policies (wide_tagged_pool, the fifth,
  // measures the same as tagged_pool plus a wider CAS, which the reclamation group shows).
  auto ms_queue = [&queues](auto tag) {
    using queue = lockfree::ms_queue<T, typename decltype(tag)::type>;
    queues.push_back(
        queue_entry<unbounded_adapter<queue>>("ms_queue_" + std::string(tag.name), "lockfree"));
  };
  ms_queue(reclaimer_tag<hazard::tagged_pool>{"tagged_pool"});
  constexpr std::string_view ms_queue_hp = names::queues_ms_queue_hazard_pointers;
  static_assert(ms_queue_hp.starts_with("ms_queue_"), "named ms_queue_<reclaimer>");
  ms_queue(reclaimer_tag<hazard::hazard_pointers>{ms_queue_hp.substr(9)});
  ms_queue(reclaimer_tag<hazard::epochs>{"epochs"});
  ms_queue(reclaimer_tag<hazard::leaking>{"leaking"});
  queues.push_back(queue_entry<unbounded_adapter<lockfree::faa_queue<T, hazard::hazard_pointers>>>(
      std::string(names::queues_faa_queue_hazard_pointers), "lockfree"));
  queues.push_back(queue_entry<bounded_adapter<lockfree::bounded_queue<T>>>(
      std::string(names::queues_bounded_queue), "lockfree"));
  queues.push_back(
      queue_entry<bounded_adapter<lockfree::scq<T>>>(std::string(names::queues_scq), "lockfree"));
  queues.push_back(queue_entry<bounded_adapter<lockfree::spsc_queue<T>, queue_kind::spsc>>(
      std::string(names::queues_spsc_queue), "lockfree"));
  queues.push_back(queue_entry<unbounded_adapter<locked::queue<T, locked::std_mutex>>>(
      "locked_queue_std_mutex", "locked"));
  queues.push_back(queue_entry<unbounded_adapter<locked::queue<T, locked::tatas_lock>>>(
      "locked_queue_tatas", "locked"));
  queues.push_back(queue_entry<unbounded_adapter<locked::two_lock_queue<T, locked::std_mutex>>>(
      "two_lock_queue_std_mutex", "locked"));
  queues.push_back(queue_entry<unbounded_adapter<locked::two_lock_queue<T, locked::tatas_lock>>>(
      "two_lock_queue_tatas", "locked"));
  queues.push_back(queue_entry<unbounded_adapter<locked::fc_queue<T, locked::std_mutex>>>(
      "fc_queue_std_mutex", "locked"));
  queues.push_back(queue_entry<bounded_adapter<locked::bounded_queue<T, locked::std_mutex>>>(
      "locked_bounded_queue_std_mutex", "locked"));

  // The plots' channel goals compare these with Go's channel: names.json names all three.
  c[group::channel].push_back(
      channel_entry<locked::channel>(std::string(names::channels_locked), "locked"));
  c[group::channel].push_back(
      channel_entry<lockfree::channel>(std::string(names::channels_lockfree), "lockfree"));
  add_coro_channel<locked::channel>(c[group::channel], std::string(names::channels_locked_coro),
                                    "locked");
  add_coro_channel<lockfree::channel>(c[group::channel],
                                      std::string(names::channels_lockfree_coro), "lockfree");

  c[group::deque].push_back(
      deque_entry<lockfree::chase_lev_deque<T>>(std::string(names::deques_lockfree), "lockfree"));
  c[group::deque].push_back(deque_entry<locked::work_stealing_deque<T, locked::std_mutex>>(
      std::string(names::baselines_deque), "locked"));
}

}  // namespace lockstep::bench
