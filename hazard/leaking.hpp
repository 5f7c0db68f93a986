// hazard::leaking — the reclaimer that never frees while the structure lives.
//
// It is the baseline against which bench/ measures every other policy, and nothing else.
// Progress: every operation wait-free (a retire's first call on a thread claims a record:
//   lock-free, and it may allocate).
// Ordering: O1 acquire load in protect → the structure's release publication of the node.
// Memory and ABA: no node is freed while the structure lives, so no address comes back:
//   neither use-after-free nor ABA. Retired nodes wait on a per-thread list that no other
//   thread touches, and the domain's destructor frees them: a run leaks nothing, but its
//   memory grows with every pop.
// Exceptions: retire(nullptr) throws std::invalid_argument; allocate may throw std::bad_alloc.
// Policy: a policy of the reclaimer concept (reclaimer.hpp).
// Deviations: the structure may be static or thread_local: a retire on a thread past its
//   thread_local storage keeps the node in a record lent for the call (thread_registry.hpp).
// More: docs/reclamation.md.
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

    // O1 acquire: pairs with the structure's release publication; the node's fields are visible.
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
