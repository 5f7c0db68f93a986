// locked::select — Go's select over locked::channel cases: select, try_select, select_for,
//   and for coroutines async_select, async_select_for.
//
// Paper: none; Go's runtime/select.go (selectgo).
// Progress: blocking (every channel's lock is taken, twice if it parks or suspends);
//   try_select never parks.
// Linearization: L1 a fired case — in the critical section that completes it (its poll, or
//   the waker's claim and hand-off); L2 select_for timing out — the parker's cancel CAS (O4
//   for a thread, O6 for a coroutine's timer).
// Ordering: under the channels' locks, taken in address order; the shared parker's labels are
//   locked/channel.hpp's O1..O6 and E1 (exactly one claim wins, so exactly one case fires).
// Memory and ABA: one waiter record per case and one parker, on the selecting thread's stack
//   or in the awaitable; pass 3 takes every record still queued off its queue before they go
//   (a coroutine too: a fired select's other records are still queued on other channels).
//   A disabled case (a null channel) has no lock and no record.
// Exceptions: a send case on a closed channel throws sync::channel_closed, value unmoved; an
//   lvalue sent is copied before any lock is taken. select over disabled cases only throws
//   std::logic_error (Go would block for ever); select_for waits out its duration.
// Policy: cases polled and queued in a uniformly random order (Go's fairness).
// Deviations: none from selectgo.
// More: docs/algorithms/locked_channel.md ("Select")
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <coroutine>
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
  explicit select_over(const Cases&... cases)
      : slots_(cases...), ordered_(locks_in_address_order()) {}
  select_over(const select_over&) = delete;
  select_over& operator=(const select_over&) = delete;

  // blocking: park when no case is ready (select, select_for) or not (try_select).
  std::optional<std::size_t> run(bool blocking, std::optional<clock::time_point> deadline) {
    const std::array<std::size_t, size> order = sync::random_case_order<size>();

    locks all(ordered_);
    if (const std::optional<std::size_t> ready = poll(order)) return ready;
    if (!blocking) return std::nullopt;

    detail::parker parker;
    enqueue(parker, order);
    all.unlock();
    bool slept = false;
    // O3 at this call. Not machine-checked: stronger than needed: the relock below follows the
    // waker's critical section, which holds the outcome. Kept: await() is the channels' too.
    const bool completed =
        deadline ? parker.await_until(*deadline, slept) : (slept = parker.await(), true);
    // Relocking is required whether or not it fired: the other records are still queued, and
    // a waker that notified is still in its critical section.
    all.lock();
    dequeue();
    all.unlock();
    if (!completed) return std::nullopt;
    return fired(parker);
  }

  // The distinct locks of the enabled cases, locked in address order and unlocked in
  // reverse, also when a send case throws.
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
        if (distinct(i)) ordered_[i]->lock();
      }
      held_ = true;
    }
    void unlock() {
      for (std::size_t i = size; i-- > 0;) {
        if (distinct(i)) ordered_[i]->unlock();
      }
      held_ = false;
    }

   private:
    // A lock named twice is taken once; disabled cases' null locks sort first, so a null one
    // always equals its predecessor (or, first, nullptr).
    bool distinct(std::size_t i) const {
      return ordered_[i] != (i == 0 ? nullptr : ordered_[i - 1]);
    }

    const std::array<futex_lock*, size> ordered_;
    bool held_ = false;
  };

  const std::array<futex_lock*, size>& ordered_locks() const noexcept { return ordered_; }

  // Pass 1, under the locks: the first ready case in `order` fires.
  std::optional<std::size_t> poll(const std::array<std::size_t, size>& order) {
    for (std::size_t i : order) {
      if (visit(i, [](auto& s) { return s.try_fire(); })) return i;
    }
    return std::nullopt;
  }

  // Pass 2, under the locks. Queued in the polling order: a partner that arrives later and
  // could complete several cases (two sends on one channel, say) takes the first record it
  // finds, so queuing in case order would always fire the earliest case.
  void enqueue(detail::parker& parker, const std::array<std::size_t, size>& order) {
    for (std::size_t i : order) visit(i, [&](auto& s) { s.enqueue(parker, i); });
  }

  // Pass 3, under the locks: every record still queued leaves its queue.
  void dequeue() {
    for (std::size_t i = 0; i < size; ++i) visit(i, [](auto& s) { s.dequeue(); });
  }

  // After a completed wait: the fired case; a send case that close() fired throws.
  std::size_t fired(detail::parker& parker) {
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

    futex_lock* lock() { return ch ? &ch->lock_ : nullptr; }
    bool try_fire() {
      if (!ch) return false;
      const sync::channel_status s = ch->take(into);
      if (s == sync::channel_status::closed) into.reset();
      return s != sync::channel_status::empty;
    }
    void enqueue(detail::parker& p, std::size_t index) {
      if (!ch) return;
      self = waiter{&p, index, nullptr, &into};
      ch->state_.write().receivers.push(&self);
    }
    void dequeue() {
      if (ch) ch->state_.write().receivers.remove(&self);
    }
    void closed_while_waiting() { into.reset(); }

    channel<T>* ch;  // null: disabled
    std::optional<T>& into;
    waiter self{};
  };

  template <class C>
  struct slot<sync::send_case<C>> {
    using T = typename C::value_type;
    using waiter = typename channel<T>::waiter;

    explicit slot(const sync::send_case<C>& c)
        : ch(c.channel),
          copy(ch ? copy_of(c.copy_from) : std::nullopt),
          source(!ch ? nullptr : c.copy_from ? &*copy : &*c.owned) {}

    // on_send(ch, lvalue) exists only for copyable values, so a move-only T never has one.
    static std::optional<T> copy_of(const T* from) {
      if constexpr (std::is_copy_constructible_v<T>) {
        if (from) return std::optional<T>(*from);
      }
      return std::nullopt;
    }

    futex_lock* lock() { return ch ? &ch->lock_ : nullptr; }
    // offer throws channel_closed on a closed channel; the locks are released by `locks`.
    bool try_fire() { return ch && ch->offer(*source) == sync::channel_status::ok; }
    void enqueue(detail::parker& p, std::size_t index) {
      if (!ch) return;
      self = waiter{&p, index, source};
      ch->state_.write().senders.push(&self);
    }
    void dequeue() {
      if (ch) ch->state_.write().senders.remove(&self);
    }
    [[noreturn]] void closed_while_waiting() {
      throw sync::channel_closed("lockstep::locked::select: send on closed channel");
    }

    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;

    channel<T>* ch;  // null: disabled
    std::optional<T> copy;
    T* source;
    waiter self{};
  };

  std::array<futex_lock*, size> locks_in_address_order() {
    std::array<futex_lock*, size> ordered{};
    for (std::size_t i = 0; i < size; ++i) visit(i, [&](auto& s) { ordered[i] = s.lock(); });
    std::sort(ordered.begin(), ordered.end(), std::less<futex_lock*>());
    return ordered;
  }

  template <class F>
  decltype(auto) visit(std::size_t i, F&& f) {
    return sync::visit_case(slots_, i, std::forward<F>(f));
  }

  std::tuple<slot<Cases>...> slots_;
  std::array<futex_lock*, size> ordered_;
};

template <class... Cases>
std::size_t select(const Cases&... cases) {
  sync::require_enabled_case(sync::any_enabled(cases...), "lockstep::locked::select");
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

namespace detail {

// async_select and async_select_for: selectgo's three passes with a coroutine's wait. Owns its
// select_over (the records and the copies of lvalues sent) and the wait, so it neither moves
// nor copies. Unlike a channel's awaitable it relocks after it resumes: a fired select's other
// records are still queued (pass 3), and a timed-out one's all are.
template <bool Timed, class... Cases>
class [[nodiscard]] select_awaitable {
  using over = select_over<Cases...>;

 public:
  select_awaitable(std::optional<typename over::clock::time_point> deadline,
                   const Cases&... cases)
      : select_(cases...), wait_(deadline) {}
  select_awaitable(const select_awaitable&) = delete;
  select_awaitable& operator=(const select_awaitable&) = delete;
  // A frame destroyed while it waits: withdraws (O6; a claim that won has completed under the
  // lock it holds) and takes its records off their queues.
  ~select_awaitable() {
    if (!pending_) return;
    wait_.stop_timer();
    typename over::locks all(select_.ordered_locks());
    wait_.parker().withdraw();
    select_.dequeue();
  }

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    wait_.begin(h, "lockstep::locked::async_select");
    const std::array<std::size_t, over::size> order = sync::random_case_order<over::size>();
    typename over::locks all(select_.ordered_locks());
    fired_ = select_.poll(order);
    if (fired_) return false;
    select_.enqueue(wait_.parker(), order);
    pending_ = true;
    all.unlock();
    return wait_.suspend();
  }
  auto await_resume() {
    if (pending_) {
      pending_ = false;
      wait_.stop_timer();
      {
        typename over::locks all(select_.ordered_locks());
        select_.dequeue();
      }
      // O3 at this call. Not machine-checked: stronger than needed: the locks just taken follow
      // the waker's critical section and its completion, as do the arrivals and make_ready.
      if (wait_.parker().completed()) fired_ = select_.fired(wait_.parker());
    }
    if constexpr (Timed) {
      return fired_;
    } else {
      return *fired_;
    }
  }

 private:
  over select_;
  coroutine_wait wait_;
  std::optional<std::size_t> fired_;
  bool pending_ = false;  // records are queued and no await_resume has run
};

}  // namespace detail

// co_await async_select(cases...): the index of the fired case, as select; a coroutine that
// finds no case ready suspends. The default case is try_select, for coroutines as for threads.
template <class... Cases>
detail::select_awaitable<false, Cases...> async_select(const Cases&... cases) {
  sync::require_enabled_case(sync::any_enabled(cases...), "lockstep::locked::async_select");
  return detail::select_awaitable<false, Cases...>(std::nullopt, cases...);
}

// co_await async_select_for(d, cases...): as select_for; over disabled cases only, a timer
// alone ends the wait.
template <class Rep, class Period, class... Cases>
detail::select_awaitable<true, Cases...> async_select_for(const std::chrono::duration<Rep, Period>& d,
                                                          const Cases&... cases) {
  using clock = typename select_over<Cases...>::clock;
  const auto deadline = clock::now() + std::chrono::ceil<typename clock::duration>(d);
  return detail::select_awaitable<true, Cases...>(deadline, cases...);
}

}  // namespace lockstep::locked
