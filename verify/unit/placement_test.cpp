// The benchmark pinning policies on synthetic hwloc topologies, where the expected PU of every
// thread can be written down: synthetic PUs get OS indexes in logical order unless the
// description says otherwise, so os = ((package * numa + node) * cores + core) * smt + thread.
// Also the harness's own check, on deliberately broken stacks: a structure that loses or
// duplicates elements must fail its benchmark instead of posting a number.
#include "../../bench/placement.hpp"

#include "../../bench/harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace {

using lockstep::bench::pin_policy;
using lockstep::bench::plan;
using lockstep::bench::pu_order;
using lockstep::bench::topology;

// 2 packages x 2 NUMA nodes x 8 cores x 2 hardware threads = 64 PUs.
constexpr const char* big = "pack:2 numa:2 core:8 pu:2";

unsigned big_os(unsigned package, unsigned node, unsigned core, unsigned smt) {
  return ((package * 2 + node) * 8 + core) * 2 + smt;
}

TEST(Placement, CompactFillsHardwareThreadsThenCoresThenNodesThenPackages) {
  topology topo(big);
  const std::vector<unsigned> pus = plan(topo.get(), pin_policy::compact, 64);
  ASSERT_EQ(pus.size(), 64u);
  EXPECT_EQ(pus[0], 0u);
  EXPECT_EQ(pus[1], 1u);   // second hardware thread of core 0 before core 1
  EXPECT_EQ(pus[2], 2u);
  EXPECT_EQ(pus[15], 15u);  // last PU of node 0
  EXPECT_EQ(pus[16], big_os(0, 1, 0, 0));
  EXPECT_EQ(pus[32], big_os(1, 0, 0, 0));
  EXPECT_EQ(pus[63], 63u);
}

TEST(Placement, ScatterGoesRoundRobinOverPackagesNodesCoresBeforeSmt) {
  topology topo(big);
  const std::vector<unsigned> pus = plan(topo.get(), pin_policy::scatter, 64);
  ASSERT_EQ(pus.size(), 64u);
  const std::vector<unsigned> first{
      big_os(0, 0, 0, 0), big_os(1, 0, 0, 0), big_os(0, 1, 0, 0), big_os(1, 1, 0, 0),
      big_os(0, 0, 1, 0), big_os(1, 0, 1, 0), big_os(0, 1, 1, 0), big_os(1, 1, 1, 0)};
  EXPECT_EQ(std::vector<unsigned>(pus.begin(), pus.begin() + 8), first);
  EXPECT_EQ(first, (std::vector<unsigned>{0, 32, 16, 48, 2, 34, 18, 50}));
  // All 32 cores get one thread before any core gets its second one.
  for (std::size_t i = 0; i < 32; ++i) EXPECT_EQ(pus[i] % 2, 0u) << "thread " << i;
  EXPECT_EQ(pus[31], big_os(1, 1, 7, 0));
  EXPECT_EQ(pus[32], big_os(0, 0, 0, 1));
  EXPECT_EQ(pus[33], big_os(1, 0, 0, 1));
  EXPECT_EQ(pus[63], 63u);
}

TEST(Placement, EveryPolicyUsesEachPuOnce) {
  topology topo(big);
  for (pin_policy p : {pin_policy::compact, pin_policy::scatter}) {
    std::vector<unsigned> order = pu_order(topo.get(), p);
    std::sort(order.begin(), order.end());
    std::vector<unsigned> all(64);
    for (unsigned i = 0; i < 64; ++i) all[i] = i;
    EXPECT_EQ(order, all) << name(p);
  }
}

TEST(Placement, MoreThreadsThanPusWrapAroundInPolicyOrder) {
  topology topo(big);
  const std::vector<unsigned> compact = plan(topo.get(), pin_policy::compact, 67);
  ASSERT_EQ(compact.size(), 67u);
  EXPECT_EQ(compact[64], 0u);
  EXPECT_EQ(compact[65], 1u);
  EXPECT_EQ(compact[66], 2u);
  const std::vector<unsigned> scatter = plan(topo.get(), pin_policy::scatter, 66);
  EXPECT_EQ(scatter[64], 0u);
  EXPECT_EQ(scatter[65], 32u);
}

TEST(Placement, SmallMachineWithoutSmt) {
  topology topo("pack:1 core:2 pu:1");
  EXPECT_EQ(plan(topo.get(), pin_policy::compact, 5), (std::vector<unsigned>{0, 1, 0, 1, 0}));
  EXPECT_EQ(plan(topo.get(), pin_policy::scatter, 5), (std::vector<unsigned>{0, 1, 0, 1, 0}));
}

// Linux numbers SMT siblings far apart (cpu0 and cpu4 share a core); the policies must follow
// the tree, not the OS numbering.
TEST(Placement, FollowsTheTreeNotOsNumbering) {
  topology topo("pack:1 core:4 pu:2(indexes=0,4,1,5,2,6,3,7)");
  EXPECT_EQ(plan(topo.get(), pin_policy::compact, 8),
            (std::vector<unsigned>{0, 4, 1, 5, 2, 6, 3, 7}));
  EXPECT_EQ(plan(topo.get(), pin_policy::scatter, 8),
            (std::vector<unsigned>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(Placement, NoneBindsNothing) {
  topology topo(big);
  EXPECT_TRUE(plan(topo.get(), pin_policy::none, 8).empty());
}

TEST(Placement, PolicyNamesRoundTrip) {
  for (pin_policy p : lockstep::bench::all_pin_policies)
    EXPECT_EQ(lockstep::bench::parse_pin_policy(name(p)), p);
  EXPECT_FALSE(lockstep::bench::parse_pin_policy("spread").has_value());
}

TEST(Placement, BindsTheCallingThreadToOnePu) {
  topology topo;
  const hwloc_topology_support* support = hwloc_topology_get_support(topo.get());
  if (support->cpubind->set_thisthread_cpubind == 0) GTEST_SKIP() << "no thread binding here";
  const std::vector<unsigned> pus = plan(topo.get(), pin_policy::scatter, 1);
  ASSERT_EQ(pus.size(), 1u);
  hwloc_bitmap_t before = hwloc_bitmap_alloc();
  ASSERT_EQ(hwloc_get_cpubind(topo.get(), before, HWLOC_CPUBIND_THREAD), 0);
  ASSERT_TRUE(lockstep::bench::bind_current_thread(topo.get(), pus[0]));
  hwloc_bitmap_t after = hwloc_bitmap_alloc();
  ASSERT_EQ(hwloc_get_cpubind(topo.get(), after, HWLOC_CPUBIND_THREAD), 0);
  EXPECT_EQ(hwloc_bitmap_weight(after), 1);
  EXPECT_TRUE(hwloc_bitmap_isset(after, pus[0]));
  // Leave the test runner's thread as it was.
  hwloc_set_cpubind(topo.get(), before, HWLOC_CPUBIND_THREAD);
  hwloc_bitmap_free(after);
  hwloc_bitmap_free(before);
}

// A mutex-protected vector whose faults are switched on by the tests below.
struct faulty_stack {
  using hooks = lockstep::bench::no_thread_hooks;
  std::size_t drop_every = 0;       // push silently drops every n-th value
  std::size_t duplicate_every = 0;  // try_pop returns every n-th value without removing it
  std::mutex m;
  std::vector<std::uint64_t> items;
  std::size_t pushes = 0;
  std::size_t pops = 0;

  bool push(std::uint64_t v) {
    std::lock_guard lock(m);
    if (drop_every != 0 && ++pushes % drop_every == 0) return true;
    items.push_back(v);
    return true;
  }
  std::optional<std::uint64_t> try_pop() {
    std::lock_guard lock(m);
    if (items.empty()) return std::nullopt;
    const std::uint64_t v = items.back();
    if (duplicate_every == 0 || ++pops % duplicate_every != 0) items.pop_back();
    return v;
  }
  bool empty() {
    std::lock_guard lock(m);
    return items.empty();
  }
};

template <std::size_t Drop, std::size_t Duplicate>
struct configured_stack : faulty_stack {
  configured_stack() {
    drop_every = Drop;
    duplicate_every = Duplicate;
  }
};

using sound_stack = configured_stack<0, 0>;
using lossy_stack = configured_stack<1000, 0>;
using duplicating_stack = configured_stack<0, 777>;

template <class Stack>
lockstep::bench::stack_run run(lockstep::bench::workload w) {
  topology topo("pack:1 core:2 pu:1");
  return lockstep::bench::run_stack<Stack>(topo.get(), w, {}, 4, 5000,
                                           std::chrono::milliseconds(10000));
}

TEST(HarnessCheck, CorrectStackPasses) {
  for (auto w : {lockstep::bench::workload::pairs, lockstep::bench::workload::prodcons}) {
    const lockstep::bench::stack_run r = run<sound_stack>(w);
    EXPECT_FALSE(r.error.has_value()) << *r.error;
    if (w == lockstep::bench::workload::pairs) {
      // Every thread pushes 5000; a pop may find the stack emptied by the others.
      EXPECT_GT(r.items, 4u * 5000);
      EXPECT_LE(r.items, 2u * 4 * 5000);
    } else {
      // Two producers push 5000 each, the two consumers pop all of it.
      EXPECT_EQ(r.items, 2u * 2 * 5000);
    }
  }
}

TEST(HarnessCheck, LostElementsFailTheRun) {
  for (auto w : {lockstep::bench::workload::pairs, lockstep::bench::workload::prodcons})
    EXPECT_TRUE(run<lossy_stack>(w).error.has_value());
}

TEST(HarnessCheck, DuplicatedElementsFailTheRun) {
  for (auto w : {lockstep::bench::workload::pairs, lockstep::bench::workload::prodcons})
    EXPECT_TRUE(run<duplicating_stack>(w).error.has_value());
}

}  // namespace
