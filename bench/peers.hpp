// The established libraries next to a registered structure: main(argc, argv, with_twins |
// with_peers). Their adapters are peer_stacks.hpp's and peer_queues.hpp's; the libraries
// (Boost.Lockfree and Boost.Thread, libcds, xenium, oneTBB, moodycamel's ConcurrentQueue,
// atomic_queue) come with lockstep::bench_peers.
#pragma once

#include <memory>

#include "catalog.hpp"
#include "names.hpp"
#include "peer_queues.hpp"
#include "peer_stacks.hpp"
#include "registry.hpp"

namespace lockstep::bench {

namespace detail {

template <class Adapter>
structure peer_stack(std::string name) {
  return {std::move(name), "peer", queue_kind::unbounded, &stack_bench<Adapter>, nullptr, false};
}

template <class Adapter>
structure peer_queue(std::string name) {
  return {std::move(name), "peer", Adapter::kind, &queue_bench<Adapter>, nullptr, false};
}

inline void add_peers(catalog& c) {
  c[group::stack].push_back(peer_stack<boost_lockfree_stack>("boost_lockfree"));
  c[group::stack].push_back(peer_stack<cds_treiber_stack<false>>("cds_treiber"));
  c[group::stack].push_back(peer_stack<cds_treiber_stack<true>>("cds_treiber_elim"));
  // xenium has no stack: its queue over each of its reclaimers (peer_stacks.hpp says why).
  c[group::reclaim].push_back(
      peer_stack<xenium_ms_queue_hp>(std::string(names::queues_xenium_msqueue_hp)));
  c[group::reclaim].push_back(peer_stack<xenium_ms_queue_epoch>("xenium_msqueue_epoch"));
  std::vector<structure>& queues = c[group::queue];
  queues.push_back(peer_queue<boost_queue>("boost_queue"));
  // The ones the plots' goals compare take their names from names.json.
  queues.push_back(peer_queue<boost_spsc_queue>(std::string(names::queues_boost_spsc_queue)));
  queues.push_back(peer_queue<moodycamel_queue>(std::string(names::queues_moodycamel)));
  queues.push_back(peer_queue<atomic_queue_peer>(std::string(names::queues_atomic_queue)));
  queues.push_back(
      peer_queue<xenium_ms_queue_peer>(std::string(names::queues_xenium_msqueue_hp)));
  queues.push_back(peer_queue<xenium_ramalhete_queue>("xenium_ramalhete_hp"));
  queues.push_back(peer_queue<xenium_vyukov_queue>("xenium_vyukov_bounded"));
  queues.push_back(peer_queue<cds_ms_queue>("cds_msqueue"));
  queues.push_back(peer_queue<cds_fc_queue>("cds_fcqueue"));
  queues.push_back(peer_queue<tbb_queue>("tbb_queue"));
  queues.push_back(peer_queue<tbb_bounded_queue>("tbb_bounded_queue"));
}

inline std::shared_ptr<void> start_peers() { return std::make_shared<cds_runtime>(); }

}  // namespace detail

inline constexpr selection with_peers{false, &detail::add_peers, &detail::start_peers};

}  // namespace lockstep::bench
