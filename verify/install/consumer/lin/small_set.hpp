// A user's structure: a set of the integers 0 to 31 in one atomic word, written against
// lockstep's sync/ seam, so that the same code runs natively and under the model checker.
#pragma once

#include <cstdint>

#include <lockstep/sync/sync.hpp>

namespace user {

class small_set {
 public:
  // Whether v was absent. Acq_rel: a set bit publishes the inserter's earlier writes to
  // whoever sees it, and the answer reads the word it replaced.
  bool insert(int v) { return (bits_.fetch_or(bit(v), lockstep::sync::acq_rel) & bit(v)) == 0; }
  // Whether v was present. Acq_rel, as insert.
  bool erase(int v) { return (bits_.fetch_and(~bit(v), lockstep::sync::acq_rel) & bit(v)) != 0; }
  // Acquire: pairs with the release half of insert and erase.
  bool contains(int v) const { return (bits_.load(lockstep::sync::acquire) & bit(v)) != 0; }

 protected:
  static std::uint32_t bit(int v) { return std::uint32_t{1} << v; }
  lockstep::sync::atomic<std::uint32_t> bits_{0};
};

// The buggy twin: insert reads the word, then writes it back with the bit set, instead of one
// atomic read-modify-write. Two inserts at once can both answer "absent" and one of the values
// is lost.
class small_set_racy_insert : public small_set {
 public:
  bool insert(int v) {
    const std::uint32_t old = bits_.load(lockstep::sync::acquire);  // acquire: as contains()
    bits_.store(old | bit(v), lockstep::sync::release);             // release: as insert's
    return (old & bit(v)) == 0;
  }
};

}  // namespace user
