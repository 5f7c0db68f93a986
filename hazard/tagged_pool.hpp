// tagged_pool: the reclamation policy of a type-stable node pool guarded by ABA-tagged links
// (Boost.Lockfree's approach). Nodes are recycled through hazard::node_pool and never freed
// while the structure lives, so a stale pointer is always safe to dereference; every update of
// a structure's link bumps a 16-bit tag, so a CAS that read a recycled node's old link fails.
//
// The reclaimer concept (every node-based lock-free structure takes one as a policy):
//   typename R::template domain<Node>, one per structure instance, with
//     link                               the value held in the structure's atomic links
//     static Node* pointer(link)
//     static link successor(link old, Node* p)   what a CAS installs in place of `old`
//     guard protect(const sync::atomic<link>&)   a load whose node may be dereferenced
//                                               while the guard lives; guard.get() is the link
//     Node* allocate()                          a node to fill (Node is default-constructed)
//     void retire(Node*)                        an unlinked node: reused or freed once no
//                                               thread can still reach it
// Hazard pointers and epochs fill the same slots with a plain Node* link, a guard that
// publishes a hazard or holds an epoch, and deferred freeing.
#pragma once

#include <lockstep/hazard/node_pool.hpp>
#include <lockstep/hazard/tagged_ptr.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

struct tagged_pool {
  template <class Node>
  class domain {
   public:
    using link = tagged_ptr<Node>;

    // Nothing to publish: the pool keeps every node a Node, and the tag defeats ABA. The
    // acquire load makes the node's last publication (its fields) visible to the reader.
    class guard {
     public:
      explicit guard(link l) noexcept : link_(l) {}
      link get() const noexcept { return link_; }

     private:
      link link_;
    };

    static Node* pointer(link l) noexcept { return l.get(); }
    static link successor(link old, Node* p) { return old.successor(p); }

    guard protect(const sync::atomic<link>& source) const { return guard(source.load(sync::acquire)); }

    Node* allocate() { return pool_.acquire(); }
    void retire(Node* node) { pool_.release(node); }

   private:
    node_pool<Node> pool_;
  };
};

}  // namespace lockstep::hazard
