// node_pool<Node, Link>: a type-stable pool of nodes for lock-free structures (the freelist of
// Boost.Lockfree; Treiber 1986 used the same idea). A node, once allocated, stays a Node of
// this pool until the pool is destroyed: it is reused, never returned to the allocator while
// the structure lives. A thread that read a pointer to a node that has since been recycled
// may therefore still dereference its atomic fields safely; it is the tag on the structure's
// head, not the pool, that makes its stale CAS fail.
//
// The free list is itself a Treiber stack of nodes under a tagged head. Link is the tagged
// pointer of the structure the pool serves (tagged_ptr, 16-bit tag; tagged_ptr128, 64-bit
// counter with a double-width CAS), so the free list's ABA defence is exactly as strong as the
// structure's.
// Progress: release() is lock-free; acquire() is lock-free while the pool has free nodes and
// falls back to `new` (not lock-free) when it is empty.
// Ordering: release() publishes a node with a release CAS and acquire() takes it with an
// acquire CAS, so everything the last user did to the node happens-before the next user's
// writes; the free-list link is atomic because a losing acquirer may read it concurrently.
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
    link top = free_.load(sync::acquire);
    sync::backoff contention;
    while (top.get() != nullptr) {
      slot* next = top.get()->free_next.load(sync::relaxed);
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
      if (free_.compare_exchange_weak(top, top.successor(s), sync::release, sync::relaxed)) return;
      contention.pause();
    }
  }

 private:
  sync::atomic<link> free_{link()};
};

}  // namespace lockstep::hazard
