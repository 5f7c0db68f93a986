// hazard::hazard_pointer_domain — hazard-pointer reclamation, C++26 <hazard_pointer> (P2530).
//
// Paper: M. M. Michael, "Hazard Pointers: Safe Memory Reclamation for Lock-Free Objects",
//   IEEE TPDS 15(6), 2004.
// Progress: protect lock-free (it retries only when the source changed); try_protect,
//   reset_protection and retire wait-free; scan wait-free apart from its deleters and the
//   allocation of its hazard table. A thread past its thread_local storage also claims a
//   record per call: lock-free, and it may allocate.
// Linearization: L1 a successful try_protect — O5, the re-read that finds the source
//   unchanged; the object is protected from then on.
// Ordering: O1 seq_cst fence in scan and O4 seq_cst fence in try_protect, ordered in S:
//   either the scan's slot load sees the hazard, or the reader's re-read sees the unlink.
//   O3, O6, O7, O8, O9 release stores to a slot → O2 (the scan's acquire load): a reader's
//   last use of a node happens-before its free. O5 acquire re-read → the structure's release
//   publication of the node. O10 release → O11: statistics only.
//   Not machine-checked (O2, O3, O6, O8, O9): relaxed, a scan that reads a slot cleared or
//   moved on does not synchronize with the reader, whose last reads of the node are then not
//   ordered before the free (they may read its next life). Relacy does not race-check a free
//   against earlier accesses, only later ones, and has no load buffering (relacy-limits.md).
// Memory and ABA: a node is freed only by a scan that found no hazard on it, so its address
//   cannot come back while it is protected. Each thread has slots_per_thread slots (H over R
//   records); it scans at scan_factor * H retired nodes and keeps at most H, so retire is
//   amortised O(1) and a thread holds at most scan_factor * H retired nodes, even when a
//   reader stalls. The default domain is process-wide and never destroyed.
// Exceptions: the constructor throws std::invalid_argument on bad bounds; make_hazard_pointer
//   throws std::length_error past slots_per_thread; retire never throws.
// Policy: basic_hazard_pointers<N> is the reclaimer policy (reclaimer.hpp) over one domain per
//   structure; N is the most hazard pointers one operation holds.
// Deviations: the domain may be static: a thread past its storage is lent a record, and a
//   retire into a lent record scans at once (thread_registry.hpp).
// More: docs/algorithms/hazard_pointers.md (the fence argument and the bounds).
#pragma once

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include <lockstep/hazard/retired.hpp>
#include <lockstep/hazard/thread_registry.hpp>
#include <lockstep/sync/per_thread.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

class hazard_pointer;
class hazard_pointer_domain;
hazard_pointer_domain& hazard_pointer_default_domain();
hazard_pointer make_hazard_pointer(hazard_pointer_domain& domain = hazard_pointer_default_domain());

class hazard_pointer_domain {
 public:
  // The largest slots_per_thread a domain may be built with: a record's slots are a fixed array
  // so that scanners never race with their allocation.
  static constexpr std::size_t max_slots_per_thread = 8;

  explicit hazard_pointer_domain(std::size_t slots_per_thread = 2, std::size_t scan_factor = 2)
      : slots_(slots_per_thread), scan_factor_(scan_factor) {
    if (slots_per_thread == 0 || slots_per_thread > max_slots_per_thread) {
      throw std::invalid_argument(
          "lockstep::hazard::hazard_pointer_domain: slots_per_thread must be 1 to 8");
    }
    if (scan_factor < 2) {
      throw std::invalid_argument(
          "lockstep::hazard::hazard_pointer_domain: scan_factor must be at least 2, or a scan "
          "may free nothing and retire stops being amortised O(1)");
    }
  }

  hazard_pointer_domain(const hazard_pointer_domain&) = delete;
  hazard_pointer_domain& operator=(const hazard_pointer_domain&) = delete;

  // Frees every retired node. No hazard pointer of this domain may still protect anything, and
  // no thread may use the domain concurrently.
  ~hazard_pointer_domain() {
    records_.for_each([](record& r) {
      detail::retired_list all = r.retired.take();
      // O10 release (statistic): pairs with O11.
      r.reclaimed.add(all.size(), sync::release);
      reclaim_all(all);
    });
  }

  std::size_t slots_per_thread() const noexcept { return slots_; }

  // The number of threads that used the domain at the same time, at most: its records.
  std::size_t records() const noexcept { return records_.size(); }

  // H: every hazard pointer of every record.
  std::size_t hazard_pointers() const noexcept { return records() * slots_; }

  // A thread scans when it holds this many retired nodes.
  std::size_t scan_threshold() const noexcept { return scan_factor_ * hazard_pointers(); }

  // Nodes retired and not yet freed, over all threads (a statistic, exact when quiescent).
  std::size_t unreclaimed() const noexcept {
    std::size_t retired = 0, reclaimed = 0;
    // reclaimed first, with acquire: every retire counted before the nodes it read were
    // reclaimed is then visible, so no record ever shows more reclaimed than retired.
    records_.for_each([&](const record& r) {
      // O11 acquire (statistic): pairs with O10.
      reclaimed += r.reclaimed.read(sync::acquire);
      retired += r.retired_total.read();
    });
    return retired - reclaimed;
  }

  // Scans now: frees the calling thread's retired nodes that no hazard pointer protects.
  void reclaim() noexcept { scan(*records_.local()); }

 private:
  friend class hazard_pointer;
  friend hazard_pointer make_hazard_pointer(hazard_pointer_domain& domain);
  template <class T, class D>
  friend class hazard_pointer_obj_base;

  struct record {
    // void*, not const void*: Relacy's atomic does not take a pointer to const.
    std::array<sync::atomic<void*>, max_slots_per_thread> slots{};
    std::uint32_t in_use = 0;      // which slots this thread has handed out; owner only
    detail::retired_list retired;  // owner only
    // Statistics, read by any thread; not part of the model (sync/statistic.hpp).
    sync::statistic retired_total;
    sync::statistic reclaimed;
  };

  struct slot_ref {
    record* owner;
    unsigned index;
    // The hold on a lent record (thread_registry.hpp) that the slot keeps this thread's.
    detail::record_hold held;
  };

  slot_ref acquire_slot() {
    auto r = records_.local();
    for (unsigned i = 0; i < slots_; ++i) {
      if ((r->in_use & (1u << i)) == 0) {
        detail::record_hold held = r.hold();
        r->in_use |= 1u << i;
        return {&*r, i, held};
      }
    }
    throw std::length_error(
        "lockstep::hazard::make_hazard_pointer: this thread already holds every hazard pointer "
        "of the domain; construct the domain with more slots_per_thread");
  }

  static void release_slot(slot_ref s) noexcept {
    // O9 release: ends the protection; pairs with O2. Not machine-checked: see the card.
    s.owner->slots[s.index].store(nullptr, sync::release);
    s.owner->in_use &= ~(1u << s.index);
    thread_registry<record>::unhold(s.held);
  }

  void retire(detail::retired_node* n) noexcept {
    auto r = records_.local();
    r->retired_total.add(1);
    r->retired.push_back(n);
    // A lent record may have no next owner (its thread's storage is gone; at exit, nobody will
    // come): it scans at once, so that what is safe to free is freed now.
    if (r->retired.size() >= scan_threshold() || r.lent()) scan(*r);
  }

  void scan(record& mine) noexcept {
    if (mine.retired.empty()) return;
    std::vector<const void*> hazards;
    // O1 seq_cst: ordered in S with O4 (try_protect's fence). It also orders the unlinks of
    // every node on this list (sequenced before their retire) before the slot loads.
    sync::fence(sync::seq_cst);
    try {
      hazards.reserve(hazard_pointers());
      records_.for_each([&](record& r) {
        for (std::size_t i = 0; i < slots_; ++i) {
          // O2 acquire: pairs with O3, O6-O9; if this reads a reader's release of its hazard,
          // the reader's last use of the node happens-before the free below.
          // Not machine-checked: see the card (Ordering).
          if (const void* p = r.slots[i].load(sync::acquire)) hazards.push_back(p);
        }
      });
    } catch (const std::bad_alloc&) {
      return;  // retire stays noexcept: the nodes wait for the next scan
    }
    std::sort(hazards.begin(), hazards.end());
    detail::retired_list candidates = mine.retired.take();
    std::size_t freed = 0;
    while (!candidates.empty()) {
      detail::retired_node* n = candidates.pop_front();
      if (std::binary_search(hazards.begin(), hazards.end(), n->address)) {
        mine.retired.push_back(n);
      } else {
        n->reclaim(n);
        ++freed;
      }
    }
    // O10 release (statistic): pairs with O11.
    mine.reclaimed.add(freed, sync::release);
  }

  static void reclaim_all(detail::retired_list& list) noexcept {
    while (!list.empty()) {
      detail::retired_node* n = list.pop_front();
      n->reclaim(n);
    }
  }

  std::size_t slots_;
  std::size_t scan_factor_;
  thread_registry<record> records_;
};

// A single-writer, multi-reader hazard pointer: one slot of the calling thread's record. It
// belongs to the thread that made it and must be destroyed by that thread before it exits;
// so not in thread_local storage, whose destructors may run after the thread has handed its
// record to the next thread (thread_registry.hpp).
class hazard_pointer {
 public:
  hazard_pointer() noexcept = default;  // empty: owns no slot

  hazard_pointer(hazard_pointer&& other) noexcept
      : slot_(std::exchange(other.slot_, {nullptr, 0, {}})) {}
  hazard_pointer& operator=(hazard_pointer&& other) noexcept {
    if (this != &other) {
      reset_slot();
      slot_ = std::exchange(other.slot_, {nullptr, 0, {}});
    }
    return *this;
  }
  ~hazard_pointer() { reset_slot(); }

  bool empty() const noexcept { return slot_.owner == nullptr; }

  // Protects the value of `src` and returns it: the object it points to is not freed until this
  // hazard pointer protects something else or is destroyed.
  // (`Source` is sync::atomic<T*>, taken whole because the seam's alias does not deduce T.)
  template <class Source>
    requires std::is_pointer_v<decltype(std::declval<const Source&>().load())>
  auto protect(const Source& src) noexcept {
    auto p = src.load(sync::relaxed);
    while (!try_protect(p, src)) {
    }
    return p;
  }

  // Publishes `ptr`, then checks that `src` still holds it. On success `ptr` is protected; on
  // failure the protection is dropped and `ptr` holds the value just read.
  template <class T, class Source>
    requires std::is_same_v<decltype(std::declval<const Source&>().load()), T*>
  bool try_protect(T*& ptr, const Source& src) noexcept {
    assert(!empty());
    T* const expected = ptr;
    // O3 release: pairs with O2. Release because the store also ends this hazard pointer's
    // previous protection: a scan that reads it and frees the old object must find this
    // thread's reads of that object ordered before the free. Not machine-checked: see the
    // card (Ordering).
    slot().store(as_hazard(expected), sync::release);
    // O4 seq_cst: ordered in S with O1; the store-load order between the hazard and the re-read.
    sync::fence(sync::seq_cst);  // pairs with scan()'s fence
    // O5 acquire: L1 when it reads `expected`; pairs with the structure's release publication
    // of the node, so its fields are visible.
    ptr = src.load(sync::acquire);
    if (ptr == expected) return true;
    // O6 release: drops the failed protection; pairs with O2. Not machine-checked: see the
    // card (Ordering).
    slot().store(nullptr, sync::release);
    return false;
  }

  // Protects `ptr` without validation. Precondition (as in P2530): the object has not been
  // retired. It is NOT a way to move protection from another hazard pointer of this thread to
  // this one: a scan reads the slots one at a time and may read this slot before the store and
  // the other slot after it is cleared, freeing the object (Relacy finds this). Move or swap
  // the hazard_pointer instead, or protect again from the source link.
  template <class T>
  void reset_protection(const T* ptr) noexcept {
    assert(!empty());
    // O7 release: pairs with O2 (and ends the previous protection, as O3).
    slot().store(as_hazard(ptr), sync::release);
  }

  // Drops the protection.
  void reset_protection(std::nullptr_t = nullptr) noexcept {
    assert(!empty());
    // O8 release: pairs with O2; this thread's reads of the node happen-before its free.
    // Not machine-checked: see the card (Ordering).
    slot().store(nullptr, sync::release);
  }

  void swap(hazard_pointer& other) noexcept { std::swap(slot_, other.slot_); }
  friend void swap(hazard_pointer& a, hazard_pointer& b) noexcept { a.swap(b); }

 private:
  friend hazard_pointer make_hazard_pointer(hazard_pointer_domain& domain);

  explicit hazard_pointer(hazard_pointer_domain::slot_ref s) noexcept : slot_(s) {}

  sync::atomic<void*>& slot() const noexcept { return slot_.owner->slots[slot_.index]; }

  static void* as_hazard(const void* p) noexcept { return const_cast<void*>(p); }

  void reset_slot() noexcept {
    if (!empty()) hazard_pointer_domain::release_slot(slot_);
    slot_ = {nullptr, 0, {}};
  }

  hazard_pointer_domain::slot_ref slot_{nullptr, 0, {}};
};

// A hazard pointer of `domain` for the calling thread. Throws std::length_error if the thread
// already holds all of the domain's slots_per_thread.
inline hazard_pointer make_hazard_pointer(hazard_pointer_domain& domain) {
  return hazard_pointer(domain.acquire_slot());
}

// The base of a hazard-protectable type T: T derives from hazard_pointer_obj_base<T, D>.
// retire() hands the object to the domain, which calls d(this object) once no hazard pointer
// protects it. It allocates nothing and never throws.
template <class T, class D = std::default_delete<T>>
class hazard_pointer_obj_base : private detail::retired_node {
 public:
  void retire(D d = D(), hazard_pointer_domain& domain = hazard_pointer_default_domain()) noexcept {
    deleter_ = std::move(d);
    reclaim = &reclaim_object;
    address = static_cast<const void*>(static_cast<T*>(this));
    domain.retire(this);
  }

 protected:
  hazard_pointer_obj_base() = default;
  hazard_pointer_obj_base(const hazard_pointer_obj_base&) = default;
  hazard_pointer_obj_base(hazard_pointer_obj_base&&) = default;
  hazard_pointer_obj_base& operator=(const hazard_pointer_obj_base&) = default;
  hazard_pointer_obj_base& operator=(hazard_pointer_obj_base&&) = default;
  ~hazard_pointer_obj_base() = default;

 private:
  friend class hazard_pointer_domain;

  static void reclaim_object(detail::retired_node* n) noexcept {
    auto* self = static_cast<hazard_pointer_obj_base*>(n);
    D d = std::move(self->deleter_);
    d(static_cast<T*>(self));
  }

  [[no_unique_address]] D deleter_{};
};

// The process-wide domain of the standard interface: a sync::process_static, never destroyed,
// so a static that retires into it from its destructor still finds it. Nodes still retired at
// exit stay reachable from it (not leaks). A model check builds its own domain.
inline hazard_pointer_domain& hazard_pointer_default_domain() {
  return sync::process_static<hazard_pointer_domain>::get();
}

// The reclaimer policy for lockstep's node-based structures (the concept is described in
// tagged_pool.hpp): a plain Node* link, a guard that holds a hazard pointer on the node it
// loaded, and deferred freeing. SlotsPerThread is the most hazard pointers one operation of the
// structure holds at once (one for a stack's pop, two for a queue's dequeue).
template <std::size_t SlotsPerThread>
struct basic_hazard_pointers {
  template <class Node>
  class domain {
    struct holder : Node, hazard_pointer_obj_base<holder> {};

   public:
    using link = Node*;

    class guard {
     public:
      guard(hazard_pointer hp, link l) noexcept : hp_(std::move(hp)), link_(l) {}
      link get() const noexcept { return link_; }

     private:
      hazard_pointer hp_;
      link link_;
    };

    static Node* pointer(link l) noexcept { return l; }
    // No tag: a node cannot be freed, so its address cannot come back, while a hazard pointer
    // of a CAS's thread protects it.
    static link successor(link, Node* p) noexcept { return p; }

    guard protect(const sync::atomic<link>& source) {
      hazard_pointer hp = make_hazard_pointer(domain_);
      link l = hp.protect(source);
      return guard(std::move(hp), l);
    }

    Node* allocate() { return new holder(); }

    void retire(Node* node) {
      if (node == nullptr) {
        throw std::invalid_argument("lockstep::hazard::hazard_pointers: retire(nullptr)");
      }
      static_cast<holder*>(node)->retire({}, domain_);
    }

    std::size_t unreclaimed() const noexcept { return domain_.unreclaimed(); }
    const hazard_pointer_domain& reclamation_domain() const noexcept { return domain_; }
    // As basic_epochs' domain: a check may scan at will (reclaim()), not only at the threshold.
    hazard_pointer_domain& reclamation_domain() noexcept { return domain_; }

   private:
    hazard_pointer_domain domain_{SlotsPerThread};
  };
};

using hazard_pointers = basic_hazard_pointers<1>;

}  // namespace lockstep::hazard
