// locked::select: Go's select statement over locked::channel cases, with the algorithm of Go's
// runtime/select.go (selectgo).
//
//   select(on_recv(a, x), on_send(b, v))       blocks until exactly one case fires; its index
//   try_select(...)                            nullopt when no case is ready (Go's `default:`)
//   select_for(duration, ...)                  nullopt when the duration passes first
//
// selectgo's three passes:
//   1. Lock every channel involved, in address order (the one global order that makes two
//      selects over the same channels deadlock-free; a channel named twice is locked once), and
//      poll the cases in a uniformly random order. The first ready case fires.
//   2. None ready: queue one waiter record per case, in that same random order, all pointing
//      to one parker, unlock, park.
//   3. Woken: relock, take every record still queued off its queue, unlock.
// Fairness (Go's): among the cases ready together each fires with equal probability, so a busy
// channel cannot starve another. Cases are ready together either when polled, or when one
// partner arriving after pass 2 could complete several of them (a receiver on an unbuffered
// channel that two send cases wait on): it completes the first record it meets in its queue,
// and the records were queued in the random order.
// Exactly one case fires because a waker must claim the shared parker before completing a
// record (locked/channel.hpp: the CAS from `waiting` to `claimed`), and only one claim succeeds;
// the other records are stale from then on and wakers drop them.
//
// A recv case fires with a value, or with `into` left empty when its channel is closed and
// drained. A send case on a closed channel throws sync::channel_closed when it is chosen, or
// when the channel is closed while the select waits, as Go panics; its value is then unmoved.
// An lvalue sent is copied before any lock is taken, so nothing that can throw runs while
// locks are held or after a case was claimed. An rvalue was moved into its case by on_send
// (sync/channel.hpp: the case owns it, so a case may be built before the select runs); it is
// moved into the channel only if its case fires, and a case that did not fire still holds it.
//
// Progress: blocking, like the channels (every channel's mutex is taken, twice if it parks).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <numeric>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <lockstep/locked/channel.hpp>
#include <lockstep/sync/select_support.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

namespace detail {

// A case of a locked::channel, or of a class derived from one (a test's wrapper that fixes
// the capacity, say): the slot works on the locked::channel base.
template <class Channel>
inline constexpr bool is_locked_channel =
    std::is_base_of_v<channel<typename Channel::value_type>, Channel>;

template <class Case>
struct is_channel_case : std::false_type {};
template <class C>
struct is_channel_case<sync::recv_case<C>> : std::bool_constant<is_locked_channel<C>> {};
template <class C>
struct is_channel_case<sync::send_case<C>> : std::bool_constant<is_locked_channel<C>> {};

}  // namespace detail

template <class... Cases>
class select_over {
  static_assert(sizeof...(Cases) > 0, "a select with no cases would block forever");
  static_assert((detail::is_channel_case<Cases>::value && ...),
                "locked::select takes on_recv/on_send cases of locked::channel");

 public:
  using clock = detail::parker::clock;
  static constexpr std::size_t size = sizeof...(Cases);

  // Each slot is built in place: a send slot points into itself (at its copy of an lvalue) or
  // into its case (at the rvalue the case owns).
  explicit select_over(const Cases&... cases) : slots_(cases...) {}

  // blocking: park when no case is ready (select, select_for) or not (try_select).
  std::optional<std::size_t> run(bool blocking, std::optional<clock::time_point> deadline) {
    const std::array<std::size_t, size> order = sync::random_case_order<size>();

    locks all(locks_in_address_order());
    for (std::size_t i : order) {
      if (visit(i, [](auto& s) { return s.try_fire(); })) return i;
    }
    if (!blocking) return std::nullopt;

    detail::parker parker;
    // Queued in the polling order: a partner that arrives later and could complete several
    // cases (two sends on one channel, say) takes the first record it finds, so queuing in case
    // order would always fire the earliest case.
    for (std::size_t i : order) visit(i, [&](auto& s) { s.enqueue(parker, i); });
    all.unlock();
    bool slept = false;
    const bool completed =
        deadline ? parker.await_until(*deadline, slept) : (slept = parker.await(), true);
    // Relocking is required whether or not it fired: the other records are still queued, and
    // a waker that notified is still in its critical section.
    all.lock();
    for (std::size_t i = 0; i < size; ++i) visit(i, [](auto& s) { s.dequeue(); });
    all.unlock();
    if (!completed) return std::nullopt;

    const std::size_t fired = parker.fired();
    if (parker.by_close()) visit(fired, [](auto& s) { s.closed_while_waiting(); });
    return fired;
  }

 private:
  template <class Case>
  struct slot;

  template <class C>
  struct slot<sync::recv_case<C>> {
    using T = typename C::value_type;
    using waiter = typename channel<T>::waiter;

    explicit slot(const sync::recv_case<C>& c) : ch(c.channel), into(c.into) {}

    futex_lock& lock() { return ch.lock_; }
    bool try_fire() {
      const sync::channel_status s = ch.take(into);
      if (s == sync::channel_status::closed) into.reset();
      return s != sync::channel_status::empty;
    }
    void enqueue(detail::parker& p, std::size_t index) {
      self = waiter{&p, index, nullptr, &into};
      ch.state_.write().receivers.push(&self);
    }
    void dequeue() { ch.state_.write().receivers.remove(&self); }
    void closed_while_waiting() { into.reset(); }

    channel<T>& ch;
    std::optional<T>& into;
    waiter self{};
  };

  template <class C>
  struct slot<sync::send_case<C>> {
    using T = typename C::value_type;
    using waiter = typename channel<T>::waiter;

    explicit slot(const sync::send_case<C>& c)
        : ch(c.channel),
          copy(copy_of(c.copy_from)),
          source(c.copy_from ? &*copy : &*c.owned) {}

    // on_send(ch, lvalue) exists only for copyable values, so a move-only T never has one.
    static std::optional<T> copy_of(const T* from) {
      if constexpr (std::is_copy_constructible_v<T>) {
        if (from) return std::optional<T>(*from);
      }
      return std::nullopt;
    }

    futex_lock& lock() { return ch.lock_; }
    // offer throws channel_closed on a closed channel; the locks are released by `locks`.
    bool try_fire() { return ch.offer(*source) == sync::channel_status::ok; }
    void enqueue(detail::parker& p, std::size_t index) {
      self = waiter{&p, index, source};
      ch.state_.write().senders.push(&self);
    }
    void dequeue() { ch.state_.write().senders.remove(&self); }
    [[noreturn]] void closed_while_waiting() {
      throw sync::channel_closed("lockstep::locked::select: send on closed channel");
    }

    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;

    channel<T>& ch;
    std::optional<T> copy;
    T* source;
    waiter self{};
  };

  // The distinct mutexes, locked in address order and unlocked in reverse, also when a send
  // case throws.
  class locks {
   public:
    explicit locks(const std::array<futex_lock*, size>& ordered) : ordered_(ordered) { lock(); }
    ~locks() {
      if (held_) unlock();
    }
    locks(const locks&) = delete;
    locks& operator=(const locks&) = delete;

    void lock() {
      for (std::size_t i = 0; i < size; ++i) {
        if (i == 0 || ordered_[i] != ordered_[i - 1]) ordered_[i]->lock();
      }
      held_ = true;
    }
    void unlock() {
      for (std::size_t i = size; i-- > 0;) {
        if (i == 0 || ordered_[i] != ordered_[i - 1]) ordered_[i]->unlock();
      }
      held_ = false;
    }

   private:
    std::array<futex_lock*, size> ordered_;
    bool held_ = false;
  };

  std::array<futex_lock*, size> locks_in_address_order() {
    std::array<futex_lock*, size> ordered{};
    for (std::size_t i = 0; i < size; ++i) visit(i, [&](auto& s) { ordered[i] = &s.lock(); });
    std::sort(ordered.begin(), ordered.end(), std::less<futex_lock*>());
    return ordered;
  }

  template <class F>
  decltype(auto) visit(std::size_t i, F&& f) {
    return sync::visit_case(slots_, i, std::forward<F>(f));
  }

  std::tuple<slot<Cases>...> slots_;
};

template <class... Cases>
std::size_t select(const Cases&... cases) {
  return *select_over<Cases...>(cases...).run(true, std::nullopt);
}

template <class... Cases>
std::optional<std::size_t> try_select(const Cases&... cases) {
  return select_over<Cases...>(cases...).run(false, std::nullopt);
}

template <class Rep, class Period, class... Cases>
std::optional<std::size_t> select_for(const std::chrono::duration<Rep, Period>& d,
                                      const Cases&... cases) {
  using clock = typename select_over<Cases...>::clock;
  const auto deadline = clock::now() + std::chrono::ceil<typename clock::duration>(d);
  return select_over<Cases...>(cases...).run(true, deadline);
}

}  // namespace lockstep::locked
