// Epoch-based reclamation: K. Fraser, "Practical lock-freedom", PhD thesis, University of
// Cambridge, 2004 (section 5.2.3). The interface is that of C++26 <rcu> (P2545): an
// rcu_domain that is Lockable, so a read-side section is std::scoped_lock on it (sections
// nest); rcu_obj_base<T, D> with retire(D); rcu_retire, rcu_synchronize and rcu_barrier.
//
// A global epoch counts up. A thread entering its outermost read-side section announces the
// epoch it read; an object is retired with the epoch current at its retirement, into its
// thread's limbo list. The epoch advances from e to e + 1 only when every thread inside a
// section has announced e. So once the global epoch has reached r + 2, every section that was
// open when an object was retired at r has closed, and the object may be freed.
//
// The ordering argument. Entry stores the announcement, then a seq_cst fence, then the section
// loads pointers; try_advance() reads the global epoch and a seq_cst fence, then every
// announcement. retire() runs a seq_cst fence after the object was unlinked and reads the epoch
// (seq_cst). Take a section that still reaches an object retired at epoch r. Its pointer
// loads did not see the unlink, so its fence precedes the retirer's in S; its seq_cst read of
// the epoch precedes its fence, so it read, and announced, at most r. The advance from r + 1 to
// r + 2 read the epoch r + 1, written after the retirer's read in S, so the advancer's fence
// follows the section's and its load sees the section's announcement, which blocks the advance
// (it is not r + 1), or a later store: the section has closed. A closing section stores its
// announcement with release and an advancer loads it with acquire, so everything the section
// did happens-before the advance, and an acquire load of the epoch orders the free after it. Entry
// writes the announcement with an exchange, a read-modify-write: it continues the release sequence
// of the thread's last exit, so an advancer that reads the new announcement still synchronises with
// the earlier section.
//
// Robustness: unlike hazard pointers, one thread that stalls inside a section stops every
// grace period: limbo lists grow without bound until it leaves (bench/stall.cpp measures it).
//
// Static storage duration. A domain, and a structure that owns one, may be static or
// thread_local: its destructor frees every object in limbo, whichever thread retired it, and may
// run on a thread whose thread_local storage is already gone, as the main thread's is when
// statics are destroyed. Such a thread is lent a record (thread_registry.hpp), held from an
// outermost lock() to its unlock(); every operation works, and a retire into a lent record tries
// two advances and collects at once, so at exit what no open section can reach is freed there.
// The default domain is never destroyed (see rcu_default_domain).
//
// Progress: lock() and unlock() are wait-free; retire is wait-free apart from an uncontended
// mutex on the retiring thread's limbo list (rcu_barrier may take it from another thread) and
// the deleters it runs; rcu_synchronize and rcu_barrier block until a grace period has passed.
// After the thread's storage is gone, an outermost lock(), a retire or a synchronize also claims
// a record, which is lock-free, and may allocate one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include <lockstep/hazard/retired.hpp>
#include <lockstep/hazard/thread_registry.hpp>
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
    const std::uint64_t e = global_.load(sync::seq_cst);
    r->announcement.exchange(active(e), sync::relaxed);
    sync::fence(sync::seq_cst);
  }

  bool try_lock() {
    lock();
    return true;
  }

  void unlock() {
    auto r = records_.local();
    if (--r->nesting > 0) return;
    r->announcement.store(inactive, sync::release);
    thread_registry<record>::unhold(std::exchange(r->held, nullptr));
  }

  // Blocks until every section that was open when it was called has closed. Calling it inside
  // a section of the same domain would wait for itself: that throws std::logic_error.
  void synchronize() {
    if (records_.local()->nesting > 0) {
      throw std::logic_error(
          "lockstep::hazard::rcu_synchronize: called inside a read-side section of the same "
          "domain, which would wait for itself");
    }
    const std::uint64_t target = global_.load(sync::seq_cst) + 2;
    sync::backoff wait;
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
    detail::owned_flag* held = nullptr;     // owner only: its hold while a section is open
    std::size_t retired_since_collect = 0;  // owner only
    sync::mutex limbo_mutex;
    detail::retired_list limbo;  // under limbo_mutex; oldest first, so epochs never decrease
    // Statistics, read by any thread; not part of the model (sync/statistic.hpp).
    sync::statistic retired_total;
    sync::statistic reclaimed;
  };

  void retire(detail::retired_node* n) noexcept {
    auto r = records_.local();
    // Orders the object's unlink (sequenced before this call) before the epoch read: see the
    // header comment.
    sync::fence(sync::seq_cst);
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
    std::uint64_t e = global_.load(sync::seq_cst);
    sync::fence(sync::seq_cst);
    bool everyone_caught_up = true;
    records_.for_each([&](record& r) {
      const std::uint64_t a = r.announcement.load(sync::acquire);
      if (a != inactive && a != active(e)) everyone_caught_up = false;
    });
    if (!everyone_caught_up) return false;
    return global_.compare_exchange_strong(e, e + 1, sync::seq_cst, sync::relaxed);
  }

  // Frees the objects of r retired two or more epochs ago. Deleters run outside the mutex: one
  // may retire further objects into the same record.
  void collect(record& r) noexcept {
    const std::uint64_t safe = global_.load(sync::acquire);
    detail::retired_list ready;
    {
      std::scoped_lock hold(r.limbo_mutex);
      while (!r.limbo.empty() && r.limbo.front()->epoch + 2 <= safe) {
        ready.push_back(r.limbo.pop_front());
      }
    }
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

// The process-wide domain of the standard interface. Natively only: under Relacy every model
// check builds its own domain, because a static one would outlive the simulation.
// Constructed on first use and never destroyed: an object with static storage duration that
// retires into it from its destructor may have been constructed before that first use, and
// would then be destroyed after a static domain. Objects still in limbo at exit stay reachable
// from it (not leaks); those retired after the retiring thread's storage is gone are freed at
// once unless a section is open (see retire).
#ifndef LOCKSTEP_RELACY
inline rcu_domain& rcu_default_domain() {
  static rcu_domain* const domain = new rcu_domain();
  return *domain;
}
#endif

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
