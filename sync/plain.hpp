// sync::plain<T> — shared data that is *not* atomic: a node's payload, a lock-protected
// counter. Natively it is a T.
//
// Ordering: none. Every access must be ordered by some atomic's happens-before edge; the
//   algorithm's labels name which.
// Under Relacy: every read() and write() is also recorded on a Relacy rl::var, its shadow. An
//   access not ordered by happens-before against a conflicting one is a data race; an access to
//   a destroyed plain<T> is a use-after-free. The value stays a real T (move-only types work).
//   The shadow copies an integer, enum or pointer, so histories show the value ("store,
//   value=2"); other types show "(not shown)", and write() returns a proxy that records the
//   assigned value at the end of the full expression. Relacy never preempts at an rl::var,
//   which can hide bugs: LOCKSTEP_RELACY_PLAIN_PREEMPT makes every access a scheduling point.
// More: docs/seam.md.
#pragma once

#include <memory>
#include <ostream>
#include <type_traits>
#include <utility>

#include "location.hpp"

namespace lockstep::sync {

#ifdef LOCKSTEP_RELACY
namespace detail {

// The shadow of a type whose value the history cannot print.
struct not_shown {
  not_shown(int = 0) noexcept {}
  friend std::ostream& operator<<(std::ostream& out, not_shown) { return out << "(not shown)"; }
};

// What the history shows of a T: an integer as a number (char-sized ones too, not as a raw
// character), an enum as its underlying number, an object pointer as an address.
template <class T>
constexpr auto shadow_type() {
  if constexpr (std::is_enum_v<T>) {
    return shadow_type<std::underlying_type_t<T>>();
  } else if constexpr (std::is_same_v<T, bool>) {
    return std::type_identity<bool>{};
  } else if constexpr (std::is_integral_v<T> && sizeof(T) < sizeof(int)) {
    return std::type_identity<int>{};
  } else if constexpr (std::is_integral_v<T>) {
    return std::type_identity<T>{};
  } else if constexpr (std::is_pointer_v<T> && !std::is_function_v<std::remove_pointer_t<T>>) {
    return std::type_identity<const volatile void*>{};
  } else {
    return std::type_identity<not_shown>{};
  }
}

template <class T>
using shadow_t = typename decltype(shadow_type<T>())::type;

template <class T>
inline constexpr bool shown = !std::is_same_v<shadow_t<T>, not_shown>;

}  // namespace detail
#endif

template <class T>
class plain {
 public:
  template <class... Args>
  explicit plain(Args&&... args) : value_(std::forward<Args>(args)...) {
#ifdef LOCKSTEP_RELACY
    ::new (static_cast<void*>(shadow_)) rl::var<shadow>(to_shadow());
#endif
  }

  plain(const plain&) = delete;
  plain& operator=(const plain&) = delete;

#ifdef LOCKSTEP_RELACY
  ~plain() {
    std::destroy_at(&shadow_var());
    asm volatile("" : : "r"(shadow_) : "memory");
  }
#endif

  // A read access: races with any write not ordered before it.
  const T& read(location loc = {}) const {
#ifdef LOCKSTEP_RELACY
    preempt();
    (void)static_cast<shadow>(shadow_var()(loc));
#else
    (void)loc;
#endif
    return value_;
  }

#ifdef LOCKSTEP_RELACY
  // The write access for a T the history shows: assigning through it writes the value, and the
  // end of the full expression records the write with the value then held.
  class written {
   public:
    written(plain& p, location loc) noexcept : plain_(p), loc_(loc) {}
    written(const written&) = delete;
    written& operator=(const written&) = delete;
    ~written() { plain_.shadow_var()(loc_) = plain_.to_shadow(); }

    template <class U>
    written& operator=(U&& value) {
      plain_.value_ = std::forward<U>(value);
      return *this;
    }
    operator T&() noexcept { return plain_.value_; }

   private:
    plain& plain_;
    location loc_;
  };
#endif

  // A write access: races with any access not ordered before it. The result is for this one
  // write (assign, emplace, move from).
#ifdef LOCKSTEP_RELACY
  auto write(location loc = {}) -> std::conditional_t<detail::shown<T>, written, T&> {
    preempt();
    if constexpr (detail::shown<T>) {
      return written(*this, loc);
    } else {
      shadow_var()(loc) = shadow();
      return value_;
    }
  }
#else
  T& write(location = {}) { return value_; }
#endif

  T load(location loc = {}) const { return read(loc); }
  void store(T value, location loc = {}) {
#ifdef LOCKSTEP_RELACY
    preempt();
    value_ = std::move(value);
    shadow_var()(loc) = to_shadow();
#else
    (void)loc;
    value_ = std::move(value);
#endif
  }

 private:
  T value_;
#ifdef LOCKSTEP_RELACY
  using shadow = detail::shadow_t<T>;

  static void preempt() {
#ifdef LOCKSTEP_RELACY_PLAIN_PREEMPT
    rl::ctx().sched();
#endif
  }
  shadow to_shadow() const noexcept {
    if constexpr (detail::shown<T>) {
      return static_cast<shadow>(value_);
    } else {
      return shadow();
    }
  }
  rl::var<shadow>& shadow_var() noexcept {
    return *std::launder(reinterpret_cast<rl::var<shadow>*>(shadow_));
  }
  const rl::var<shadow>& shadow_var() const noexcept {
    return *std::launder(reinterpret_cast<const rl::var<shadow>*>(shadow_));
  }
  alignas(rl::var<shadow>) unsigned char shadow_[sizeof(rl::var<shadow>)];
#endif
};

}  // namespace lockstep::sync
