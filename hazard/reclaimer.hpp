// hazard::reclaimer<R, Node> — the concept of a memory-reclamation policy.
//
// How a node-based lock-free structure frees memory, taken as a policy (in the spirit of
// xenium's `policy::reclaimer<...>`). Every node-based structure in lockfree/ takes one and
// checks it with `static_assert(hazard::reclaimer<R, node>)`.
// `typename R::template domain<Node>`, one per structure instance, provides:
//   link                 the value in the structure's atomic links: a tagged pointer for the
//                        pools, a plain Node* otherwise
//   static Node* pointer(link)
//   static link successor(link old, Node* p)
//                        what a CAS installs in place of `old`: the pools bump a tag; the
//                        others return p, since a protected node cannot be freed, so its
//                        address cannot come back
//   guard protect(const sync::atomic<link>&)
//                        a load whose node may be dereferenced while the guard lives;
//                        guard.get() is the link. The pools' guard is the acquire load itself;
//                        hazard_pointers' holds a hazard pointer; epochs' is a section
//   Node* allocate()     a default-constructed node to fill
//   void retire(Node*)   an unlinked node: reused or freed once no thread can reach it;
//                        nullptr throws std::invalid_argument
//   std::size_t unreclaimed() const
//                        nodes retired and neither freed nor reusable (a statistic; 0 for
//                        the pools)
// Ordering: protect() is at least an acquire load of the link, paired with the structure's
//   release publication of the node.
// Memory and ABA: every domain may belong to a static or thread_local structure: its
//   operations and destructor may run on a thread past its thread_local storage (the main
//   thread destroying statics), and its destructor frees every node retired or pooled.
// Policy: tagged_pool and wide_tagged_pool (tagged_pool.hpp), hazard_pointers
//   (hazard_pointers.hpp), epochs (epoch.hpp); leaking (leaking.hpp) for measurement only.
// More: docs/reclamation.md.
#pragma once

#include <concepts>
#include <cstddef>

#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

// The guard of the policies whose protection is the acquire load itself (the pools, leaking):
// it holds the loaded link and nothing else.
template <class Link>
class loaded_link {
 public:
  explicit loaded_link(Link l) noexcept : link_(l) {}
  Link get() const noexcept { return link_; }

 private:
  Link link_;
};

template <class R, class Node>
concept reclaimer_domain_exists = requires {
  typename R::template domain<Node>;
  typename R::template domain<Node>::link;
};

template <class Domain, class Node, class Link = typename Domain::link>
concept reclaimer_domain =
    requires(Domain& d, const Domain& cd, const sync::atomic<Link>& source, Link l, Node* n) {
      { Domain::pointer(l) } -> std::same_as<Node*>;
      { Domain::successor(l, n) } -> std::same_as<Link>;
      { d.protect(source).get() } -> std::same_as<Link>;
      { d.allocate() } -> std::same_as<Node*>;
      d.retire(n);
      { cd.unreclaimed() } -> std::convertible_to<std::size_t>;
    };

template <class R, class Node>
concept reclaimer =
    reclaimer_domain_exists<R, Node> && reclaimer_domain<typename R::template domain<Node>, Node>;

}  // namespace lockstep::hazard
