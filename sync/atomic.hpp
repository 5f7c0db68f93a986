// sync::atomic<T>, sync::fence — the atomics every lockstep algorithm is written against.
//
// Ordering: exactly the order each call asks for. Natively sync::atomic<T> *is*
//   std::atomic<T> (an alias, not a wrapper), so the seam costs nothing; bench/ measures a
//   CAS loop on both. A 16-byte trivially copyable T (a pointer and a counter) selects
//   double_width_atomic<T> instead, since std::atomic would route it through libatomic, which
//   may hide a lock.
// Under Relacy: a class with std::atomic's interface whose operations are Relacy's, each with
//   the caller's source location. Two model-fidelity traps are handled here:
//   - Relacy's "strong init" atomics weaken the model (store buffering stops showing
//     r1 = r2 = 0), so an initial value is a relaxed store with preemption disabled.
//   - g++ -O2 deletes, as dead, the destructor's clearing of the signature that use-after-free
//     detection reads. So the Relacy atomic lives in raw storage, is destroyed by hand, and a
//     compiler barrier keeps the store (the build adds -fno-lifetime-dse as well).
//   Every access passes its order through sync/sites.hpp, which tallies it at the caller's
//   line for the coverage report and weakens it at the one site --weaken names (the sweep).
//   LOCKSTEP_RELACY_STRONG_CAS makes compare_exchange_weak strong: Relacy's spurious failures
//   multiply the state space, so bounded searches run both ways. wait and notify are built
//   on Relacy's futex wait set, with the seq_cst fences O1 and O2.
// More: docs/seam.md.
#pragma once

#include <atomic>
#include <memory>
#include <type_traits>

#include "location.hpp"

#ifndef LOCKSTEP_RELACY
#include "double_width_atomic.hpp"
#else
#include "sites.hpp"
#endif

namespace lockstep::sync {

using std::memory_order;
inline constexpr memory_order relaxed = std::memory_order_relaxed;
inline constexpr memory_order acquire = std::memory_order_acquire;
inline constexpr memory_order release = std::memory_order_release;
inline constexpr memory_order acq_rel = std::memory_order_acq_rel;
inline constexpr memory_order seq_cst = std::memory_order_seq_cst;

namespace detail {
// Values std::atomic would not make lock-free with g++ (they go to libatomic).
template <class T>
inline constexpr bool double_width = sizeof(T) == 16 && std::is_trivially_copyable_v<T>;
}  // namespace detail

#ifndef LOCKSTEP_RELACY

template <class T>
using atomic = std::conditional_t<detail::double_width<T>, double_width_atomic<T>, std::atomic<T>>;

inline void fence(memory_order order, location = {}) noexcept { std::atomic_thread_fence(order); }

#else

namespace detail {
inline rl::memory_order to_relacy(memory_order order) noexcept {
  switch (order) {
    case std::memory_order_relaxed: return rl::mo_relaxed;
    case std::memory_order_consume: return rl::mo_consume;
    case std::memory_order_acquire: return rl::mo_acquire;
    case std::memory_order_release: return rl::mo_release;
    case std::memory_order_acq_rel: return rl::mo_acq_rel;
    case std::memory_order_seq_cst: return rl::mo_seq_cst;
  }
  return rl::mo_seq_cst;
}

// The failure order of a CAS given only its success order, as std::atomic derives it.
inline memory_order failure_order(memory_order order) noexcept {
  if (order == std::memory_order_acq_rel) return std::memory_order_acquire;
  if (order == std::memory_order_release) return std::memory_order_relaxed;
  return order;
}

// The order an access at `loc` runs with: as asked, except at the one site --weaken names
// (sites.hpp, which also tallies the access for the coverage report).
inline memory_order ordered(sites::access kind, memory_order order, const location& loc) noexcept {
  return sites::order_at(kind, order, loc.file, loc.line);
}

// Reads the storage after a by-hand destruction so the compiler must keep the destructor's
// stores (the cleared signature that Relacy's use-after-free check relies on).
inline void keep_stores(const void* storage) noexcept {
  asm volatile("" : : "r"(storage) : "memory");
}
}  // namespace detail

template <class T>
class atomic {
 public:
  // The location is the caller's, so that a default-constructed member's initial store is
  // attributed to the user's class in the history, not to this line.
  atomic(location loc = {}) noexcept : atomic(T{}, loc) {}

  atomic(T initial, location loc = {}) noexcept {
    rl::context& c = rl::ctx();
    rl::preemption_disabler no_preemption(c);
    ::new (static_cast<void*>(storage_)) rl::atomic<T>();
    // Relaxed on purpose, not Relacy's "strong init" (see above): the model stays weak.
    impl().store(initial, rl::mo_relaxed, loc);
  }

  atomic(const atomic&) = delete;
  atomic& operator=(const atomic&) = delete;

  ~atomic() {
    std::destroy_at(&impl());
    detail::keep_stores(storage_);
  }

  // The native answer (double-width values are lock-free there, double_width_atomic.hpp); Relacy's
  // own atomic is generic over T, so a 16-byte value needs nothing else here.
  static constexpr bool is_always_lock_free =
      std::atomic<T>::is_always_lock_free || detail::double_width<T>;
  bool is_lock_free() const noexcept { return true; }

  T load(memory_order order = seq_cst, location loc = {}) const {
    return impl().load(relacy(sites::access::load, order, loc), loc);
  }
  void store(T value, memory_order order = seq_cst, location loc = {}) {
    impl().store(value, relacy(sites::access::store, order, loc), loc);
  }
  T exchange(T value, memory_order order = seq_cst, location loc = {}) {
    return impl().exchange(value, relacy(sites::access::read_modify_write, order, loc), loc);
  }

  bool compare_exchange_weak(T& expected, T desired, memory_order success, memory_order failure,
                             location loc = {}) {
#ifdef LOCKSTEP_RELACY_STRONG_CAS
    return exchange_if(expected, desired, success, failure, loc, false);
#else
    return exchange_if(expected, desired, success, failure, loc, true);
#endif
  }
  bool compare_exchange_weak(T& expected, T desired, memory_order order = seq_cst,
                             location loc = {}) {
    return compare_exchange_weak(expected, desired, order, detail::failure_order(order), loc);
  }
  bool compare_exchange_strong(T& expected, T desired, memory_order success,
                               memory_order failure, location loc = {}) {
    return exchange_if(expected, desired, success, failure, loc, false);
  }
  bool compare_exchange_strong(T& expected, T desired, memory_order order = seq_cst,
                               location loc = {}) {
    return compare_exchange_strong(expected, desired, order, detail::failure_order(order), loc);
  }

  template <class U = T>
  T fetch_add(U delta, memory_order order = seq_cst, location loc = {}) {
    return impl().fetch_add(delta, relacy(sites::access::read_modify_write, order, loc), loc);
  }
  template <class U = T>
  T fetch_sub(U delta, memory_order order = seq_cst, location loc = {}) {
    return impl().fetch_sub(delta, relacy(sites::access::read_modify_write, order, loc), loc);
  }
  T fetch_and(T bits, memory_order order = seq_cst, location loc = {}) {
    return impl().fetch_and(bits, relacy(sites::access::read_modify_write, order, loc), loc);
  }
  T fetch_or(T bits, memory_order order = seq_cst, location loc = {}) {
    return impl().fetch_or(bits, relacy(sites::access::read_modify_write, order, loc), loc);
  }

  // Futex-style parking, as std::atomic::wait: returns once the value differs from `old`
  // (it may also return spuriously-early only after re-checking, like the native one).
  // Built on Relacy's futex wait-set, which includes a seq_cst fence: the model therefore
  // synchronises slightly more here than the native wait does.
  void wait(T old, memory_order order = seq_cst, location loc = {}) const {
    park(old, detail::ordered(sites::access::load, order, loc), false, loc);
  }
  // The same wait, timed: Relacy has no clock, so the scheduler may end it with a timeout at
  // any point — every timing a caller's deadline could produce. Returns false when it timed
  // out with the value still `old`. Model builds only: natively sync::parking_word's futex
  // takes the deadline (parking.hpp).
  bool wait_or_time_out(T old, memory_order order = seq_cst, location loc = {}) const {
    return park(old, detail::ordered(sites::access::load, order, loc), true, loc);
  }
  void notify_one(location loc = {}) { wake(1, loc); }
  void notify_all(location loc = {}) { wake(rl::thread_id_t(-1), loc); }

 private:
  static rl::memory_order relacy(sites::access kind, memory_order order, const location& loc) {
    return detail::to_relacy(detail::ordered(kind, order, loc));
  }

  // Every compare-exchange, tallied with its outcome. A weakened success order weakens the
  // failure order with it: the failure is a load of the same access.
  bool exchange_if(T& expected, T desired, memory_order success, memory_order failure,
                   const location& loc, bool weak) {
    sites::site* s = sites::reach(sites::access::read_modify_write, loc.file, loc.line);
    if (s != nullptr) {
      const memory_order asked = success;
      success = s->apply(success);
      if (success != asked) failure = std::min(failure, detail::failure_order(success));
    }
    const bool exchanged =
        weak ? impl().compare_exchange_weak(expected, desired, detail::to_relacy(success), loc,
                                            detail::to_relacy(failure), loc)
             : impl().compare_exchange_strong(expected, desired, detail::to_relacy(success), loc,
                                              detail::to_relacy(failure), loc);
    if (s != nullptr) s->outcome(exchanged);
    return exchanged;
  }

  void wake(rl::thread_id_t count, location loc) {
    rl::context& c = rl::ctx();
    c.sched();
    // O1 seq_cst fence: totally ordered with O2, park's fence, as the kernel orders a futex
    // wake with a futex compare-and-sleep; so a notify after a store reaches a parker that
    // read the old value. Stronger than the native wait.
    c.atomic_thread_fence_seq_cst();
    impl().wake(c, count, loc);
  }

  bool park(T old, memory_order order, bool timed, location loc) const {
    rl::context& c = rl::ctx();
    for (;;) {
      c.sched();
      // O2 seq_cst fence: pairs with O1 in the total order of seq_cst operations.
      c.atomic_thread_fence_seq_cst();
      T now;
      {
        rl::preemption_disabler no_preemption(c);
        now = impl().load(detail::to_relacy(order), loc);
      }
      if (!(now == old)) return true;
      if (const_cast<rl::atomic<T>&>(impl()).wait(c, timed, true, loc) == rl::unpark_reason_timeout) {
        return !(impl().load(detail::to_relacy(order), loc) == old);
      }
    }
  }

  rl::atomic<T>& impl() noexcept { return *std::launder(reinterpret_cast<rl::atomic<T>*>(storage_)); }
  const rl::atomic<T>& impl() const noexcept {
    return *std::launder(reinterpret_cast<const rl::atomic<T>*>(storage_));
  }

  alignas(rl::atomic<T>) unsigned char storage_[sizeof(rl::atomic<T>)];
};

inline void fence(memory_order order, location loc = {}) {
  // A fence weakened to relaxed is no fence.
  const memory_order used = detail::ordered(sites::access::fence, order, loc);
  if (used != relaxed) rl::atomic_thread_fence(detail::to_relacy(used), loc);
}

#endif

}  // namespace lockstep::sync
