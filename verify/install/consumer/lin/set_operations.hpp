// The set's operations for the linearizability checks: each one's call on the user's set and
// on a sequential model of it, a std::set<int>. Values from {1, 2, 3}, so calls collide.
#pragma once

#include <set>

#include <lockstep/verify/lin/operations.hpp>

namespace lin = lockstep::verify::lin;

template <class Set>
auto set_operations() {
  return lin::operations<Set, std::set<int>>(
      lin::op("insert", lin::one_of(1, 2, 3), [](Set& s, int v) { return s.insert(v); },
              [](std::set<int>& m, int v) { return m.insert(v).second; }),
      lin::op("erase", lin::one_of(1, 2, 3), [](Set& s, int v) { return s.erase(v); },
              [](std::set<int>& m, int v) { return m.erase(v) == 1; }),
      lin::op("contains", lin::one_of(1, 2, 3), [](Set& s, int v) { return s.contains(v); },
              [](std::set<int>& m, int v) { return m.contains(v); }));
}
