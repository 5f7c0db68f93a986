// leaking: the reclaimer that never reclaims while the structure lives — the baseline against
// which the cost of every other policy is measured (bench/), and nothing else. Retired nodes
// are kept on a per-thread list, touched by no other thread, and freed when the structure is
// destroyed, so a run leaks nothing but its memory grows with every pop.
//
// It is safe without protection because no node is freed, so no address comes back while the
// structure lives: there is neither use-after-free nor ABA.
//
// The structure may be static or thread_local: a retire on a thread whose thread_local storage
// is gone keeps the node in a record lent for the call (thread_registry.hpp), and the domain's
// destructor frees it with the rest.
#pragma once

#include <cstddef>
#include <stdexcept>

#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/hazard/retired.hpp>
#include <lockstep/hazard/thread_registry.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

struct leaking {
  template <class Node>
  class domain {
    struct holder : Node, detail::retired_node {};

    struct record {
      detail::retired_list kept;  // owner only until the domain is destroyed
      // A statistic, read by any thread (sync/statistic.hpp).
      sync::statistic count;
    };

   public:
    using link = Node*;

    using guard = loaded_link<link>;

    domain() = default;
    domain(const domain&) = delete;
    domain& operator=(const domain&) = delete;

    ~domain() {
      records_.for_each([](record& r) {
        while (!r.kept.empty()) delete static_cast<holder*>(r.kept.pop_front());
      });
    }

    static Node* pointer(link l) noexcept { return l; }
    static link successor(link, Node* p) noexcept { return p; }

    // Acquire: the node's fields, written before it was published, are visible.
    guard protect(const sync::atomic<link>& source) const {
      return guard(source.load(sync::acquire));
    }

    Node* allocate() { return new holder(); }

    void retire(Node* node) {
      if (node == nullptr)
        throw std::invalid_argument("lockstep::hazard::leaking: retire(nullptr)");
      auto r = records_.local();
      r->kept.push_back(static_cast<holder*>(node));
      r->count.add(1);
    }

    std::size_t unreclaimed() const noexcept {
      std::size_t n = 0;
      records_.for_each([&](const record& r) { n += r.count.read(); });
      return n;
    }

   private:
    thread_registry<record> records_;
  };
};

}  // namespace lockstep::hazard
