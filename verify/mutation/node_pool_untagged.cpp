// Mutation: the node pool's free list with an untagged head (no update bumps the tag): O2 and
// O3 keep their order, but a stale O2 no longer fails.
//
// MUTATE hazard/node_pool.hpp
// - if (free_.compare_exchange_weak(top, top.successor(next), sync::acquire, sync::acquire)) {
// + if (free_.compare_exchange_weak(top, link(next, top.tag()), sync::acquire, sync::acquire)) {
// - if (free_.compare_exchange_weak(top, top.successor(s), sync::release, sync::relaxed)) return;
// + if (free_.compare_exchange_weak(top, link(s, top.tag()), sync::release, sync::relaxed)) return;
//
// An acquirer that read top = A and next = B (or next = null) is overtaken by updates that
// bring A back to the top with another successor: the stale CAS succeeds and installs its old
// successor, and the free list loses nodes (or hands one to two owners). The first report
// the bounded search reaches is the lost node, as a leak when the pool is destroyed.
#include "../relacy/node_pool_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::exclusive_ownership<2, 1>>(
      "untagged node_pool: the free list loses a node (ABA)", verify::search::bounded(3),
      rl::test_result_memory_leak);
  return checks.result();
}
