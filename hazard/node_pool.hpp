// hazard::node_pool<Node, Link> — a type-stable pool of nodes under a tagged free list.
//
// Paper: R. K. Treiber, "Systems Programming: Coping with Parallelism", IBM RJ 5118, 1986
//   (the free list is his stack); Boost.Lockfree's freelist is the same design.
// Progress: release() lock-free; acquire() lock-free while the pool has free nodes, and it
//   falls back to `new` (not lock-free) when the pool is empty.
// Linearization: L1 acquire() — O2, its successful CAS; L2 release() — O3, its CAS.
// Ordering: O3 release CAS → O1, O2 (acquire load and CAS of the head): everything the last
//   user did to a node happens-before the next user's writes. O4 relaxed load of free_next:
//   ordered after O1/O2's acquire of the node that holds it.
// Memory and ABA: a node, once allocated, stays a Node of this pool until the pool dies: a
//   thread holding a stale pointer may still read its atomic fields. The tag on the head
//   (Link: tagged_ptr, 16 bits; tagged_ptr128, 64) makes a stale CAS fail, and the free list's
//   defence is as strong as the structure's. free_next is atomic because a losing acquirer
//   may read it while the winner's next user writes it.
// Exceptions: acquire() may throw std::bad_alloc when the pool is empty.
// Policy: Link is the tagged pointer of the structure the pool serves.
// Deviations: none.
// More: docs/reclamation.md.
#pragma once

#include <lockstep/hazard/tagged_ptr.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

template <class Node, template <class> class Link = tagged_ptr>
class node_pool {
  struct slot : Node {
    sync::atomic<slot*> free_next{nullptr};
  };
  using link = Link<slot>;

 public:
  node_pool() = default;
  node_pool(const node_pool&) = delete;
  node_pool& operator=(const node_pool&) = delete;

  // Frees every node on the free list. The owner returns its nodes first and no thread may use
  // the pool concurrently with its destruction.
  ~node_pool() {
    slot* s = free_.load(sync::relaxed).get();
    while (s != nullptr) {
      slot* next = s->free_next.load(sync::relaxed);
      delete s;
      s = next;
    }
  }

  Node* acquire() {
    // O1 acquire: pairs with O3.
    link top = free_.load(sync::acquire);
    sync::backoff contention;
    while (top.get() != nullptr) {
      // O4 relaxed: ordered by O1/O2's acquire of `top`; a stale value fails O2's tag check.
      slot* next = top.get()->free_next.load(sync::relaxed);
      // O2 acquire (success and failure): L1; pairs with O3.
      if (free_.compare_exchange_weak(top, top.successor(next), sync::acquire, sync::acquire)) {
        return top.get();
      }
      contention.pause();
    }
    return new slot();
  }

  void release(Node* node) {
    slot* s = static_cast<slot*>(node);
    link top = free_.load(sync::relaxed);
    sync::backoff contention;
    for (;;) {
      s->free_next.store(top.get(), sync::relaxed);
      // O3 release: L2; publishes the node and its free_next to O1, O2.
      if (free_.compare_exchange_weak(top, top.successor(s), sync::release, sync::relaxed)) return;
      contention.pause();
    }
  }

 private:
  sync::atomic<link> free_{link()};
};

}  // namespace lockstep::hazard
