// Where each benchmark thread runs: a pinning policy turned into one PU per thread.
//
// Every PU gets four ranks from the hwloc tree: its package among packages, its NUMA node
// among the package's nodes, its core among the node's cores and its hardware thread within
// the core. A policy is then only a sort order over those ranks:
// - compact sorts by (package, numa, core, smt): the hardware threads of one core fill first,
//   then the next core of the node, so threads share as much cache as the machine allows;
// - scatter sorts by (smt, core, numa, package): consecutive threads go round-robin over
//   packages, then NUMA nodes, then cores, and no core gets a second hardware thread until
//   every core has one, so threads share as little as possible.
// Thread i of n gets entry i mod PUs of that order: oversubscribed runs wrap around and stack
// threads on PUs in the same order again. Policy none binds nothing and leaves the scheduler
// free, which is the baseline the two pinned policies are compared with.
//
// Header-only and hwloc-only so verify/unit can test it on synthetic topologies.
#pragma once

#include <hwloc.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace lockstep::bench {

enum class pin_policy { none, compact, scatter };

inline constexpr std::array<pin_policy, 3> all_pin_policies{pin_policy::none, pin_policy::compact,
                                                             pin_policy::scatter};

constexpr std::string_view name(pin_policy p) noexcept {
  switch (p) {
    case pin_policy::none: return "none";
    case pin_policy::compact: return "compact";
    case pin_policy::scatter: return "scatter";
  }
  return "?";
}

inline std::optional<pin_policy> parse_pin_policy(std::string_view s) noexcept {
  for (pin_policy p : all_pin_policies)
    if (name(p) == s) return p;
  return std::nullopt;
}

// Owns an hwloc topology: the machine's, or a synthetic one such as "pack:2 numa:2 core:8 pu:2".
class topology {
 public:
  topology() : topology(nullptr) {}
  explicit topology(const char* synthetic) {
    if (hwloc_topology_init(&topo_) != 0) throw std::runtime_error("hwloc_topology_init failed");
    if (synthetic != nullptr && hwloc_topology_set_synthetic(topo_, synthetic) != 0) {
      hwloc_topology_destroy(topo_);
      throw std::invalid_argument(std::string("bad synthetic topology: ") + synthetic);
    }
    if (hwloc_topology_load(topo_) != 0) {
      hwloc_topology_destroy(topo_);
      throw std::runtime_error("hwloc_topology_load failed");
    }
  }
  topology(const topology&) = delete;
  topology& operator=(const topology&) = delete;
  ~topology() { hwloc_topology_destroy(topo_); }

  hwloc_topology_t get() const noexcept { return topo_; }

 private:
  hwloc_topology_t topo_{};
};

struct pu_place {
  unsigned os_index;
  unsigned package;  // rank among packages
  unsigned numa;     // rank among the NUMA nodes of its package
  unsigned core;     // rank among the cores of its NUMA node (and package)
  unsigned smt;      // rank among the hardware threads of its core
};

namespace detail {

// Rank of `value` among the distinct values seen under the same `group`, in increasing order.
template <class Group>
std::vector<unsigned> dense_ranks(const std::vector<Group>& groups,
                                  const std::vector<unsigned>& values) {
  std::map<Group, std::vector<unsigned>> distinct;
  for (std::size_t i = 0; i < groups.size(); ++i) distinct[groups[i]].push_back(values[i]);
  for (auto& [group, v] : distinct) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  std::vector<unsigned> ranks(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& v = distinct[groups[i]];
    ranks[i] = static_cast<unsigned>(std::lower_bound(v.begin(), v.end(), values[i]) - v.begin());
  }
  return ranks;
}

// Logical index of the object of `type` whose cpuset holds the PU; machines without such a
// level (no package object, a VM without cores) count as one object per parent, or per PU.
inline unsigned containing_index(hwloc_topology_t topo, hwloc_obj_type_t type, hwloc_obj_t pu,
                                 unsigned fallback) {
  const int count = hwloc_get_nbobjs_by_type(topo, type);
  for (int i = 0; i < count; ++i) {
    hwloc_obj_t obj = hwloc_get_obj_by_type(topo, type, static_cast<unsigned>(i));
    if (obj->cpuset != nullptr && hwloc_bitmap_isset(obj->cpuset, pu->os_index)) {
      return obj->logical_index;
    }
  }
  return fallback;
}

}  // namespace detail

// Every PU of the topology with its ranks, in hwloc's logical order.
inline std::vector<pu_place> describe_pus(hwloc_topology_t topo) {
  const int count = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  const auto n = static_cast<std::size_t>(std::max(count, 0));
  std::vector<unsigned> os(n), pkg(n), numa(n), core(n), logical(n);
  for (std::size_t i = 0; i < n; ++i) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, static_cast<unsigned>(i));
    os[i] = pu->os_index;
    logical[i] = pu->logical_index;
    pkg[i] = detail::containing_index(topo, HWLOC_OBJ_PACKAGE, pu, 0);
    // NUMA nodes are memory children in hwloc 2, off the CPU tree, so they are found by cpuset.
    numa[i] = detail::containing_index(topo, HWLOC_OBJ_NUMANODE, pu, 0);
    core[i] = detail::containing_index(topo, HWLOC_OBJ_CORE, pu,
                                       hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE) > 0
                                           ? 0
                                           : pu->logical_index);
  }
  std::vector<std::pair<unsigned, unsigned>> pkg_numa(n);
  std::vector<std::tuple<unsigned, unsigned, unsigned>> pkg_numa_core(n);
  for (std::size_t i = 0; i < n; ++i) {
    pkg_numa[i] = {pkg[i], numa[i]};
    pkg_numa_core[i] = {pkg[i], numa[i], core[i]};
  }
  const auto pkg_rank = detail::dense_ranks(std::vector<unsigned>(n, 0), pkg);
  const auto numa_rank = detail::dense_ranks(pkg, numa);
  const auto core_rank = detail::dense_ranks(pkg_numa, core);
  const auto smt_rank = detail::dense_ranks(pkg_numa_core, logical);
  std::vector<pu_place> places(n);
  for (std::size_t i = 0; i < n; ++i)
    places[i] = {os[i], pkg_rank[i], numa_rank[i], core_rank[i], smt_rank[i]};
  return places;
}

// PU OS indexes in the order the policy fills them; empty for none (nothing is bound).
inline std::vector<unsigned> pu_order(hwloc_topology_t topo, pin_policy policy) {
  if (policy == pin_policy::none) return {};
  std::vector<pu_place> places = describe_pus(topo);
  auto key = [policy](const pu_place& p) {
    return policy == pin_policy::compact ? std::make_tuple(p.package, p.numa, p.core, p.smt)
                                         : std::make_tuple(p.smt, p.core, p.numa, p.package);
  };
  std::stable_sort(places.begin(), places.end(),
                   [&](const pu_place& a, const pu_place& b) { return key(a) < key(b); });
  std::vector<unsigned> order;
  order.reserve(places.size());
  for (const pu_place& p : places) order.push_back(p.os_index);
  return order;
}

// The PU (OS index) of each of n threads; empty for none.
inline std::vector<unsigned> plan(hwloc_topology_t topo, pin_policy policy, std::size_t n) {
  const std::vector<unsigned> order = pu_order(topo, policy);
  std::vector<unsigned> pus;
  if (order.empty()) return pus;
  pus.reserve(n);
  for (std::size_t i = 0; i < n; ++i) pus.push_back(order[i % order.size()]);
  return pus;
}

// Binds the calling thread (not the process) to one PU.
inline bool bind_current_thread(hwloc_topology_t topo, unsigned pu_os_index) {
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  hwloc_bitmap_only(set, pu_os_index);
  const int rc = hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
  hwloc_bitmap_free(set);
  return rc == 0;
}

inline std::string join(const std::vector<unsigned>& v, char sep = ',') {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) s += sep;
    s += std::to_string(v[i]);
  }
  return s;
}

// One line for the result's context, e.g. "packages=1 numa=1 cores=2 pus=2".
inline std::string summary(hwloc_topology_t topo) {
  auto count = [topo](hwloc_obj_type_t t) {
    return std::to_string(std::max(hwloc_get_nbobjs_by_type(topo, t), 0));
  };
  return "packages=" + count(HWLOC_OBJ_PACKAGE) + " numa=" + count(HWLOC_OBJ_NUMANODE) +
         " cores=" + count(HWLOC_OBJ_CORE) + " pus=" + count(HWLOC_OBJ_PU);
}

}  // namespace lockstep::bench
