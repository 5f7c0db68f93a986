// sync::plain<T>: shared data that is *not* atomic — a node's payload, a lock-protected counter.
//
// Natively it is a T. Under LOCKSTEP_RELACY every read() and write() is also recorded on a
// Relacy rl::var, so an access that is not ordered by happens-before against a conflicting one
// is reported as a data race, and an access to a destroyed plain<T> as a use-after-free. The
// value itself stays a real T (move-only types work); the Relacy variable is its shadow.
//
// Relacy never preempts at rl::var accesses, which hides some bugs (measured here: a missing
// fence on epoch entry was found only with them). Defining LOCKSTEP_RELACY_PLAIN_PREEMPT makes
// every access a scheduling point, at the cost of a larger search.
#pragma once

#include <memory>
#include <utility>

#include "location.hpp"

namespace lockstep::sync {

template <class T>
class plain {
 public:
  template <class... Args>
  explicit plain(Args&&... args) : value_(std::forward<Args>(args)...) {
#ifdef LOCKSTEP_RELACY
    ::new (static_cast<void*>(shadow_)) rl::var<int>(0);
#endif
  }

  plain(const plain&) = delete;
  plain& operator=(const plain&) = delete;

#ifdef LOCKSTEP_RELACY
  ~plain() {
    std::destroy_at(&shadow());
    asm volatile("" : : "r"(shadow_) : "memory");
  }
#endif

  // A read access: races with any write not ordered before it.
  const T& read(location loc = {}) const {
#ifdef LOCKSTEP_RELACY
    preempt();
    (void)static_cast<int>(shadow()(loc));
#else
    (void)loc;
#endif
    return value_;
  }

  // A write access: races with any access not ordered before it. The returned reference is for
  // this one write (assign, emplace, move from).
  T& write(location loc = {}) {
#ifdef LOCKSTEP_RELACY
    preempt();
    shadow()(loc) = 0;
#else
    (void)loc;
#endif
    return value_;
  }

  T load(location loc = {}) const { return read(loc); }
  void store(T value, location loc = {}) { write(loc) = std::move(value); }

 private:
  T value_;
#ifdef LOCKSTEP_RELACY
  static void preempt() {
#ifdef LOCKSTEP_RELACY_PLAIN_PREEMPT
    rl::ctx().sched();
#endif
  }
  rl::var<int>& shadow() noexcept {
    return *std::launder(reinterpret_cast<rl::var<int>*>(shadow_));
  }
  const rl::var<int>& shadow() const noexcept {
    return *std::launder(reinterpret_cast<const rl::var<int>*>(shadow_));
  }
  alignas(rl::var<int>) unsigned char shadow_[sizeof(rl::var<int>)];
#endif
};

}  // namespace lockstep::sync
