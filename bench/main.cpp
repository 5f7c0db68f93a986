// lockstep_bench: lockstep's stacks, queues and channels and their peers under contention, in
// one binary and run. It is built from the harness a user's benchmark is (registry.hpp), with
// nothing registered of its own, so it runs every group.
//
// Benchmark names carry the whole configuration, one key per path segment, so scripts/plot
// needs nothing but the name:
//   stack/<workload>/<structure>/threads:<n>/pin:<policy>   throughput (items_per_second)
//   reclaim/<workload>/<structure>/threads:<n>/pin:<policy> the same, for the reclamation
//       comparison: treiber_<policy> for each policy of reclaimers.hpp, and xenium's
//       Michael-Scott queue over its hazard pointers and its epochs (xenium has no stack)
//   queue/<workload>/<structure>/threads:<n>/pin:<policy>   the queues (queue_workloads.hpp)
//   c2c/roundtrip/pus:<a>-<b>                               cache-line round trip (roundtrip_ns)
//   seam/cas_inc/<std_atomic|sync_atomic>/threads:<n>/pin:scatter   the sync:: seam's cost
//   channel/<workload>/<structure>/cap:<c>/threads:<n>/pin:none     the channels
//       (channel_workloads.hpp); bench/go writes the same names with the structure `go`
// The result's context records the topology, the policies' PU orders and each structure's
// family (lockfree, locked, peer), which is how the plots group them, and each group's baseline.
#include <lockstep/bench/peers.hpp>
#include <lockstep/bench/registry.hpp>

int main(int argc, char** argv) {
  using namespace lockstep::bench;
  return lockstep::bench::main(argc, argv, with_twins | with_peers);
}
