// hazard::rcu_domain — epoch-based reclamation, C++26 <rcu> (P2545).
//
// Paper: K. Fraser, "Practical lock-freedom", PhD thesis, University of Cambridge, 2004,
//   section 5.2.3.
// Progress: lock() and unlock() wait-free; retire wait-free apart from an uncontended mutex on
//   the thread's limbo list and the deleters it runs; rcu_synchronize and rcu_barrier block
//   until a grace period has passed. A thread past its thread_local storage also claims a
//   record: lock-free, and it may allocate.
// Linearization: L1 the epoch advances at O6, the CAS from e to e + 1.
// Ordering: O1 seq_cst load of the epoch, O2 exchange announcing it, O3 seq_cst fence on entry;
//   O4 seq_cst fence and O5 seq_cst epoch load in retire; O7 seq_cst load and O8 seq_cst fence
//   in try_advance; O15 seq_cst epoch load in synchronize. The fences O3, O4, O8 are ordered
//   in S: a section that still reaches an object retired at r announced at most r, and blocks
//   the advance to r + 2.
//   O9 release store closing a section → O10 (an advancer's acquire load): what the section
//   did happens-before the advance; O2 continues O9's release sequence. O6 → O11, O12
//   (acquire loads of the epoch): the advance happens-before the frees. O1, O5 and O7 could be
//   relaxed: the fences and O6 order what they read (see O1, O5, O7).
//   O13 release → O14: statistics only.
// Memory and ABA: a retired object is freed once the epoch is two past its retirement, so no
//   open section can reach it and its address cannot come back to one. One thread stalled
//   in a section stops every grace period. The default domain is never destroyed.
// Exceptions: retire never throws; rcu_retire may throw std::bad_alloc; synchronize inside a
//   section of the same domain throws std::logic_error.
// Policy: basic_epochs<N> is the reclaimer policy (reclaimer.hpp): a guard is a section.
// Deviations: the domain may be static: a thread past its storage is lent a record, held from
//   an outermost lock() to its unlock(), and a retire into it advances twice and collects.
// More: docs/algorithms/epoch.md (the ordering argument in full).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include <lockstep/hazard/retired.hpp>
#include <lockstep/hazard/thread_registry.hpp>
#include <lockstep/sync/per_thread.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

class rcu_domain;
rcu_domain& rcu_default_domain();
template <class T, class D = std::default_delete<T>>
void rcu_retire(T* p, D d = D(), rcu_domain& domain = rcu_default_domain());

class rcu_domain {
 public:
  // A thread tries to advance the epoch and frees what has become safe every retire_threshold
  // retires: the amortised cost of reclamation against how much waits in limbo.
  explicit rcu_domain(std::size_t retire_threshold = 64) : threshold_(retire_threshold) {
    if (retire_threshold == 0) {
      throw std::invalid_argument(
          "lockstep::hazard::rcu_domain: retire_threshold must be positive");
    }
  }

  rcu_domain(const rcu_domain&) = delete;
  rcu_domain& operator=(const rcu_domain&) = delete;

  // Frees every retired object. No section may be open and no thread may use the domain
  // concurrently.
  ~rcu_domain() {
    records_.for_each([](record& r) {
      detail::retired_list all = r.limbo.take();
      // O13 release (statistic): pairs with O14.
      r.reclaimed.add(all.size(), sync::release);
      while (!all.empty()) {
        detail::retired_node* n = all.pop_front();
        n->reclaim(n);
      }
    });
  }

  // Enters a read-side section; sections nest, and only the outermost one announces.
  void lock() {
    auto r = records_.local();
    if (r->nesting > 0) {
      ++r->nesting;
      return;
    }
    // A lent record (thread_registry.hpp) stays this thread's until the section closes, so
    // that unlock() finds the record that announced.
    r->held = r.hold();
    r->nesting = 1;
    // O1 seq_cst: before O3 in S, so an advancer after O3 finds at most this epoch announced.
    // Not machine-checked: stronger than needed. If this reads r + 1, its O6 precedes O3 in S
    // ([atomics.order]/4.2) and follows the O4 of an object retired at r (4.3), so this section
    // sees that unlink; an older epoch only blocks advances (O10 finds active(e') != active(e)).
    // Kept: docs/algorithms/epoch.md argues in S with it; a plain load on x86-64.
    const std::uint64_t e = global_.load(sync::seq_cst);
    // O2 relaxed exchange: a read-modify-write, so it continues the release sequence of O9
    // (the last exit) and an advancer that reads it still synchronises with that section.
    r->announcement.exchange(active(e), sync::relaxed);
    // O3 seq_cst: ordered in S with O4 (retire) and O8 (try_advance).
    sync::fence(sync::seq_cst);
  }

  bool try_lock() {
    lock();
    return true;
  }

  void unlock() {
    auto r = records_.local();
    if (--r->nesting > 0) return;
    // O9 release: pairs with O10; the section happens-before the advance that reads it.
    r->announcement.store(inactive, sync::release);
    thread_registry<record>::unhold(std::exchange(r->held, {}));
  }

  // Blocks until every section that was open when it was called has closed. Calling it inside
  // a section of the same domain would wait for itself: that throws std::logic_error.
  void synchronize() {
    if (records_.local()->nesting > 0) {
      throw std::logic_error(
          "lockstep::hazard::rcu_synchronize: called inside a read-side section of the same "
          "domain, which would wait for itself");
    }
    // O15 seq_cst: ordered with O6 in S, so the target is two past every epoch already open.
    // Not machine-checked: acquire may miss an advance (O6) that a section's O1 read earlier in
    // S; the target is then one short and the return may precede that section's end (x = 1;
    // synchronize(); y = 1 against a section reading y = 1, then x = 0). Needs a third thread's
    // advance between the two loads; no check has one.
    const std::uint64_t target = global_.load(sync::seq_cst) + 2;
    sync::backoff wait;
    // O11 acquire: pairs with O6; the advances happen-before the return. Not machine-checked:
    // relaxed, a wait that another thread's advance ends does not happen-after the sections that
    // advance waited for (their plain accesses race with the caller's next writes); no check has
    // another thread advance during a synchronize.
    while (global_.load(sync::acquire) < target) {
      if (!try_advance()) wait.pause();
    }
  }

  // Blocks until every object retired before the call, by any thread, has been freed.
  void barrier() {
    synchronize();
    records_.for_each([this](record& r) { collect(r); });
  }

  std::uint64_t epoch() const noexcept { return global_.load(sync::relaxed); }
  std::size_t records() const noexcept { return records_.size(); }

  // Objects retired and not yet freed, over all threads (a statistic, exact when quiescent).
  std::size_t unreclaimed() const noexcept {
    std::size_t retired = 0, reclaimed = 0;
    // reclaimed first, with acquire: every retire counted before the nodes it read were
    // reclaimed is then visible, so no record ever shows more reclaimed than retired.
    records_.for_each([&](const record& r) {
      // O14 acquire (statistic): pairs with O13.
      reclaimed += r.reclaimed.read(sync::acquire);
      retired += r.retired_total.read();
    });
    return retired - reclaimed;
  }

 private:
  template <class T, class D>
  friend class rcu_obj_base;
  template <class T, class D>
  friend void rcu_retire(T* p, D d, rcu_domain& domain);

  // The announcement: the epoch shifted left, and the low bit set while a section is open.
  static constexpr std::uint64_t inactive = 0;
  static constexpr std::uint64_t active(std::uint64_t epoch) noexcept { return epoch << 1 | 1; }

  struct record {
    sync::atomic<std::uint64_t> announcement{inactive};
    unsigned nesting = 0;                   // owner only
    detail::record_hold held;               // owner only: its hold while a section is open
    std::size_t retired_since_collect = 0;  // owner only
    sync::mutex limbo_mutex;
    detail::retired_list limbo;  // under limbo_mutex; oldest first, so epochs never decrease
    // Statistics, read by any thread; not part of the model (sync/statistic.hpp).
    sync::statistic retired_total;
    sync::statistic reclaimed;
  };

  void retire(detail::retired_node* n) noexcept {
    auto r = records_.local();
    // O4 seq_cst: orders the object's unlink (sequenced before this call) before the epoch
    // read; ordered in S with O3 and O8. Not machine-checked: as acq_rel, the unlink may follow
    // the epoch read (store buffering): a section entering at r + 1 misses it, and the advance
    // to r + 2 frees the object under it. Relacy hides it when the retirer advances itself (its
    // fence synchronizes with every later one); no check has another thread advance twice.
    sync::fence(sync::seq_cst);
    // O5 seq_cst: the retirement epoch r; an advance to r + 1 is later in S.
    // Not machine-checked: stronger than needed: O4 before it already puts that advance after
    // O4 in S (4.3), all the argument uses. Kept: as epoch.md argues; a plain load on x86-64.
    n->epoch = global_.load(sync::seq_cst);
    // Counted before it is visible to a collector, so the statistic never goes negative.
    r->retired_total.add(1);
    {
      std::scoped_lock hold(r->limbo_mutex);
      r->limbo.push_back(n);
    }
    if (r.lent()) {
      // A lent record may have no next owner (its thread's storage is gone; at exit, nobody
      // will come): two advances make n safe unless a section is open, and it is freed now.
      try_advance();
      try_advance();
      collect(*r);
    } else if (++r->retired_since_collect >= threshold_) {
      r->retired_since_collect = 0;
      try_advance();
      collect(*r);
    }
  }

  // Advances the epoch if every thread inside a section has announced the current one.
  bool try_advance() {
    // O7 seq_cst: the epoch e this advance starts from. Not machine-checked: stronger than
    // needed: if it reads r + 1, a retirer's O4 (whose O5 read r) precedes O8 in S (4.4) at any
    // order; a stale e only makes O6 fail. Kept: as epoch.md argues; a plain load on x86-64.
    std::uint64_t e = global_.load(sync::seq_cst);
    // O8 seq_cst: ordered in S with O3, so the loads below see every section entered before.
    sync::fence(sync::seq_cst);
    bool everyone_caught_up = true;
    records_.for_each([&](record& r) {
      // O10 acquire: pairs with O9 (and O2, in O9's release sequence).
      const std::uint64_t a = r.announcement.load(sync::acquire);
      if (a != inactive && a != active(e)) everyone_caught_up = false;
    });
    if (!everyone_caught_up) return false;
    // O6 seq_cst: L1; pairs with O11 and O12, and is ordered in S with O1, O5 and O7.
    // Not machine-checked: its place in S carries the argument: O5 read r, so O4 precedes O6
    // (4.3), and a section whose O1 reads r + 1 has O3 after O6 (4.2) and sees the unlink. As
    // acq_rel, that section may miss the unlink yet announce r + 1, and the advance to r + 2
    // frees what it reaches. Relacy's S is the schedule and its seq_cst fences synchronize.
    return global_.compare_exchange_strong(e, e + 1, sync::seq_cst, sync::relaxed);
  }

  // Frees the objects of r retired two or more epochs ago. Deleters run outside the mutex: one
  // may retire further objects into the same record.
  void collect(record& r) noexcept {
    // O12 acquire: pairs with O6; the advance, and the sections it waited for, happen-before
    // the frees. Not machine-checked: relaxed, after another thread's advance a section's last
    // reads are not ordered before the frees; Relacy does not race-check a destruction against
    // earlier accesses (only a later access is a use-after-free).
    const std::uint64_t safe = global_.load(sync::acquire);
    detail::retired_list ready;
    {
      std::scoped_lock hold(r.limbo_mutex);
      while (!r.limbo.empty() && r.limbo.front()->epoch + 2 <= safe) {
        ready.push_back(r.limbo.pop_front());
      }
    }
    // O13 release (statistic): pairs with O14.
    r.reclaimed.add(ready.size(), sync::release);
    while (!ready.empty()) {
      detail::retired_node* n = ready.pop_front();
      n->reclaim(n);
    }
  }

  sync::atomic<std::uint64_t> global_{0};
  std::size_t threshold_;
  thread_registry<record> records_;
};

// The base of an RCU-protectable type T: T derives from rcu_obj_base<T, D>. retire() schedules
// d(this object) for after a grace period. It allocates nothing and never throws.
template <class T, class D = std::default_delete<T>>
class rcu_obj_base : private detail::retired_node {
 public:
  void retire(D d = D(), rcu_domain& domain = rcu_default_domain()) noexcept {
    deleter_ = std::move(d);
    reclaim = &reclaim_object;
    domain.retire(this);
  }

 protected:
  rcu_obj_base() = default;
  rcu_obj_base(const rcu_obj_base&) = default;
  rcu_obj_base(rcu_obj_base&&) = default;
  rcu_obj_base& operator=(const rcu_obj_base&) = default;
  rcu_obj_base& operator=(rcu_obj_base&&) = default;
  ~rcu_obj_base() = default;

 private:
  static void reclaim_object(detail::retired_node* n) noexcept {
    auto* self = static_cast<rcu_obj_base*>(n);
    D d = std::move(self->deleter_);
    d(static_cast<T*>(self));
  }

  [[no_unique_address]] D deleter_{};
};

// Schedules d(p) for after a grace period, for a T that does not derive from rcu_obj_base (it
// allocates a small record, so unlike retire it may throw std::bad_alloc).
template <class T, class D>
void rcu_retire(T* p, D d, rcu_domain& domain) {
  if (p == nullptr) throw std::invalid_argument("lockstep::hazard::rcu_retire: null pointer");
  struct boxed : detail::retired_node {
    T* object;
    D deleter;
    boxed(T* o, D&& del) : object(o), deleter(std::move(del)) {}
  };
  auto* box = new boxed(p, std::move(d));
  box->reclaim = [](detail::retired_node* n) noexcept {
    std::unique_ptr<boxed> owned(static_cast<boxed*>(n));
    owned->deleter(owned->object);
  };
  domain.retire(box);
}

inline void rcu_synchronize(rcu_domain& domain = rcu_default_domain()) { domain.synchronize(); }
inline void rcu_barrier(rcu_domain& domain = rcu_default_domain()) { domain.barrier(); }

// The process-wide domain of the standard interface: a sync::process_static, never destroyed,
// so a static that retires into it from its destructor still finds it. Objects still in limbo
// at exit stay reachable from it (not leaks). A model check builds its own domain.
inline rcu_domain& rcu_default_domain() { return sync::process_static<rcu_domain>::get(); }

// The reclaimer policy for lockstep's node-based structures (the concept is described in
// tagged_pool.hpp): a plain Node* link, a guard that is a read-side section, and deferred
// freeing. RetireThreshold is the domain's retire_threshold.
template <std::size_t RetireThreshold>
struct basic_epochs {
  template <class Node>
  class domain {
    struct holder : Node, rcu_obj_base<holder> {};

   public:
    using link = Node*;

    // A read-side section for as long as the guard lives, and the link loaded inside it.
    class guard {
     public:
      // Acquire: pairs with the structure's release publication of the node.
      guard(rcu_domain& domain, const sync::atomic<link>& source)
          : section_(domain), link_(source.load(sync::acquire)) {}
      link get() const noexcept { return link_; }

     private:
      std::scoped_lock<rcu_domain> section_;
      link link_;
    };

    static Node* pointer(link l) noexcept { return l; }
    // No tag: a node cannot be freed, so its address cannot come back, while the section of a
    // CAS's thread is open.
    static link successor(link, Node* p) noexcept { return p; }

    guard protect(const sync::atomic<link>& source) { return guard(domain_, source); }

    Node* allocate() { return new holder(); }

    void retire(Node* node) {
      if (node == nullptr) throw std::invalid_argument("lockstep::hazard::epochs: retire(nullptr)");
      static_cast<holder*>(node)->retire({}, domain_);
    }

    std::size_t unreclaimed() const noexcept { return domain_.unreclaimed(); }
    rcu_domain& reclamation_domain() noexcept { return domain_; }

   private:
    rcu_domain domain_{RetireThreshold};
  };
};

using epochs = basic_epochs<64>;

}  // namespace lockstep::hazard
