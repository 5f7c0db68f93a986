// hazard::basic_tagged_pool<Link> — reclamation by a type-stable pool and ABA-tagged links.
//
// Paper: R. K. Treiber, IBM RJ 5118, 1986 (the tagged head); Boost.Lockfree's approach.
// Progress: allocate and retire are node_pool's acquire and release (node_pool.hpp).
// Ordering: O1 acquire load in protect → the structure's release publication of the node
//   (its last one: a recycled node's fields are those of its latest push).
// Memory and ABA: nodes are recycled through hazard::node_pool and never freed while the
//   structure lives, so a stale pointer is always safe to dereference; every update of a
//   link bumps a tag, so a CAS that read a recycled node's old link fails.
//   tagged_pool        16-bit tag packed with the address, single-width CAS; fooled if exactly
//                      2^16 updates of one link happen between a thread's load and its CAS
//   wide_tagged_pool   pointer + 64-bit counter, lock-free double-width CAS (cmpxchg16b on
//                      x86-64, ldaxp/stlxp or casp on AArch64)
// Exceptions: retire(nullptr) throws std::invalid_argument; allocate may throw std::bad_alloc.
// Policy: a policy of the reclaimer concept (reclaimer.hpp); the pool uses the same Link.
// Deviations: none.
// More: docs/reclamation.md.
#pragma once

#include <cstddef>
#include <stdexcept>

#include <lockstep/hazard/node_pool.hpp>
#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/hazard/tagged_ptr.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

template <template <class> class Link>
struct basic_tagged_pool {
  template <class Node>
  class domain {
   public:
    using link = Link<Node>;

    // Nothing to publish: the pool keeps every node a Node, and the tag defeats ABA. The
    // acquire load makes the node's last publication (its fields) visible to the reader.
    using guard = loaded_link<link>;

    static Node* pointer(link l) noexcept { return l.get(); }
    static link successor(link old, Node* p) { return old.successor(p); }

    guard protect(const sync::atomic<link>& source) const {
      // O1 acquire: pairs with the structure's release publication of the node.
      return guard(source.load(sync::acquire));
    }

    Node* allocate() { return pool_.acquire(); }
    void retire(Node* node) {
      if (node == nullptr) {
        throw std::invalid_argument("lockstep::hazard::tagged_pool: retire(nullptr)");
      }
      pool_.release(node);
    }

    // A retired node is back in the pool at once: nothing waits to be reclaimed.
    std::size_t unreclaimed() const noexcept { return 0; }

   private:
    node_pool<Node, Link> pool_;
  };
};

using tagged_pool = basic_tagged_pool<tagged_ptr>;
using wide_tagged_pool = basic_tagged_pool<tagged_ptr128>;

}  // namespace lockstep::hazard
