// lockfree::select — Go's select over lockfree::channel cases: select, try_select, select_for,
// and the coroutine forms async_select, async_select_for.
//
// Paper: N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in Kotlin
//   Coroutines", PPoPP 2023 (its select section; kotlinx.coroutines' SelectInstance).
// Progress: select blocking (by definition); registration obstruction-free (two selects, or a
//   select meeting itself, can re-register against each other); try_select lock-free. The
//   async_ forms register as select does and suspend where it parks.
// Linearization: L1 select — the fired clause's operation (its cell CAS during registration,
//   or the claim's winning CAS, cell_protocol O9); L2 select_for timing out — its CAS from
//   waiting to cancelled (O2; a coroutine's timer does it); L3 try_select's nullopt — between
//   two equal collects.
// Ordering: O1 acq_rel CAS/exchange of registering and waiting: takes the marks resumers
//   released (cell_protocol O9) and offers waiting to their claims; a release store of a
//   clause fired during registration; O2 acq_rel CAS to cancelled (select_for's deadline, a
//   coroutine's timer, a destroyed coroutine), against cell_protocol O9's claim; O3 acquire
//   loads (and waits) of fired → cell_protocol O10, or of cancelled → O2, before the cell is
//   read; the selecting coroutine's suspension is resumed by the claim's winner or by the timer
//   that won O2 (sync/executor.hpp E1);
//   O4 seq_cst collects of the channels' counters (channel O1).
//   Not machine-checked: the state word's orders (O1, O2, O3) are stronger than needed. A
//   clause's cell reaches its resumer by the enroll (cell_protocol O7), a resumer's
//   withdrawal reaches the select through the cancel's CAS (channel O4), a coroutine's
//   resume carries its own edge (sync/executor.hpp E1), and a value placed before the claim
//   (cell_protocol O9) reaches the select by whichever acquire first reads claimed or fired
//   (the park, give_up's CAS, resumed()). Kept as the word's documented pairs; free on x86-64.
// Memory and ABA: the instance (detail::selection) is counted: the selecting thread's reference
//   and one per cell naming it; each state word value is reached once per select.
// Exceptions: a send case on a closed channel throws sync::channel_closed, value unmoved;
//   new selection may throw std::bad_alloc before anything is registered; std::logic_error
//   from select over disabled cases only, and from an async_ form off an executor's worker.
// Policy: cases are tried and registered in a uniformly random order (Go's fairness). A case
//   on a null channel is disabled: never tried, never registered; select over none throws.
// Deviations: a select that meets itself waits a while between rounds instead of parking (a
//   coroutine's select spins on its worker there). Two kinds of waiter, as in the paper: a
//   coroutine suspends (its sync::suspension in the instance), a thread parks on its word.
// More: docs/algorithms/select.md (the full argument)
#pragma once

#include <array>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <lockstep/lockfree/channel.hpp>
#include <lockstep/sync/executor.hpp>
#include <lockstep/sync/select_support.hpp>
#include <lockstep/sync/sync.hpp>
#include <lockstep/sync/waiter.hpp>

namespace lockstep::lockfree {

// select's cases; here so that argument-dependent lookup on a lockfree::channel finds them.
using sync::on_recv;
using sync::on_send;

namespace detail {

// The lockfree::channel a case names, also when the case names a class derived from one (a
// test's wrapper that fixes the capacity, say): the slot works on that base.
template <class T, class Reclaimer, std::size_t SegmentSize>
channel<T, Reclaimer, SegmentSize>& channel_base(channel<T, Reclaimer, SegmentSize>& c) {
  return c;
}

template <class Channel, class = void>
struct is_lockfree_channel : std::false_type {};
template <class Channel>
struct is_lockfree_channel<Channel,
                           std::void_t<decltype(detail::channel_base(std::declval<Channel&>()))>>
    : std::true_type {};

template <class Channel>
using channel_base_t =
    std::remove_reference_t<decltype(detail::channel_base(std::declval<Channel&>()))>;

template <class Case>
struct is_channel_case : std::false_type {};
template <class C>
struct is_channel_case<sync::recv_case<C>> : is_lockfree_channel<C> {};
template <class C>
struct is_channel_case<sync::send_case<C>> : is_lockfree_channel<C> {};

}  // namespace detail

template <class... Cases>
class select_over {
  static_assert(sizeof...(Cases) > 0, "a select with no cases would block forever");
  static_assert(sizeof...(Cases) <= detail::selection::max_clauses,
                "lockfree::select: one state word has a bit per case");
  static_assert((detail::is_channel_case<Cases>::value && ...),
                "lockfree::select takes on_recv/on_send cases of lockfree::channel");

  using selection = detail::selection;

 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t size = sizeof...(Cases);

  // Each slot is built in place: a send slot points into itself (at its copy of an lvalue).
  explicit select_over(const Cases&... cases)
      : slots_(cases...), order_(sync::random_case_order<size>()) {}

  // try_select: the cases polled in the random order between two collects of their channels'
  // counters, until one fires or the collects agree ("try_select", docs/algorithms/select.md).
  std::optional<std::size_t> poll() {
    for (;;) {
      const std::array<detail::channel_counters, size> before = collect();
      for (std::size_t i : order_) {
        if (visit(i, [](auto& s) { return s.try_fire(); })) return i;
      }
      if (collect() == before) return std::nullopt;
    }
  }

  // select and select_for on a thread: registers every case, then parks on the instance.
  std::optional<std::size_t> run(std::optional<clock::time_point> deadline) {
    if (enter_all(nullptr, deadline)) {
      // The select's word is the waiter (sync::waiter), as a channel operation's cell is.
      const std::uint32_t now = sync::park_until_changed(select_->state, selection::waiting,
                                                         deadline, sync::before_parking());
      if (now == selection::waiting && give_up()) {
        timed_out_ = true;
      } else {
        decide();
      }
    }
    return conclude();
  }

  // The steps the coroutine form (select_awaitable) takes around its suspension.

  // Registers every enabled case, or fires one; true if none fired, so the select waits. The
  // waiting coroutine's suspension (null for a thread) is in the instance before any clause is
  // registered: a claim can come only once the state is waiting, published by O1.
  // A select that keeps meeting itself (no partner comes) gives up there once its deadline
  // has passed: it never reaches the waiting state where select_for's timeout would act.
  bool enter_all(sync::suspension* waker, std::optional<clock::time_point> deadline) {
    select_ = new selection;
    select_->waker = waker;
    for (std::size_t i : order_) {
      if (enter(i)) break;
    }
    while (!fired_) {
      std::uint32_t expected = selection::registering;
      // O1 acq_rel: offers waiting to claims (cell_protocol O9); on failure the marks are read.
      // Not machine-checked: O1 here is stronger than needed (card): a claim reads no data
      // through it, and the marks are acted on through the cancels' own acquire CASes.
      if (select_->state.compare_exchange_strong(expected, selection::waiting, sync::acq_rel)) {
        break;
      }
      if (select_->met_itself) {
        if (!offer_the_others(select_)) break;
        if (deadline && clock::now() >= *deadline) {
          // O1 acq_rel: gives up while registering, where claims only mark (they lose
          // against cancelled, as against O2's); the marked clauses are cancelled in conclude().
          select_->state.exchange(selection::cancelled, sync::acq_rel);
          timed_out_ = true;
          return false;
        }
      }
      // O1 acq_rel: takes the marks the resumers released.
      // Not machine-checked: O1 here is stronger than needed (card), as the CAS above.
      const std::uint32_t again =
          select_->state.exchange(selection::registering, sync::acq_rel) & selection::clause_bits;
      for (std::size_t i : order_) {
        if ((again & (std::uint32_t{1} << i)) == 0) continue;
        registered_[i] = false;
        visit(i, [](auto& s) { s.cancel(); });
        if (enter(i)) break;
      }
    }
    return !fired_;
  }

  // The waiting select gives up (select_for's deadline, its coroutine's timer, a coroutine
  // destroyed while it waits): true if no claim came first.
  bool give_up() {
    std::uint32_t expected = selection::waiting;
    // O2 acq_rel: against a claim's CAS (cell_protocol O9): one wins.
    // Not machine-checked: O2's order is stronger than needed (card): the CAS alone decides;
    // a lost give-up is followed by decide()'s acquire, a won one reads nothing of a claim.
    return select_->state.compare_exchange_strong(expected, selection::cancelled, sync::acq_rel);
  }

  // The coroutine, resumed by the claim that completed a clause or by its timer's give_up().
  void resumed() {
    // O3 acquire: the fired state (cell_protocol O10) or the cancelled one (O2).
    // Not machine-checked: O3 here is stronger than needed: decide() re-reads fired with
    // acquire, and cancelled carries no data (the timer's resume orders the rest).
    if (select_->state.load(sync::acquire) == selection::cancelled) {
      timed_out_ = true;
    } else {
      decide();
    }
  }

  // Cancels the clauses that did not fire and drops the select's reference; the fired case,
  // or none if the select gave up. A send case fired by close() throws channel_closed.
  std::optional<std::size_t> conclude() {
    for (std::size_t i = 0; i < size; ++i) {
      if (registered_[i]) visit(i, [](auto& s) { s.cancel(); });
    }
    select_->release();
    select_ = nullptr;
    if (timed_out_) return std::nullopt;
    if (by_close_) visit(*fired_, [](auto& s) { s.closed(); });
    return fired_;
  }

  // A coroutine destroyed while it waits (its timer already stopped): gives up as a timed-out
  // select does; if a claim won, its clause is completed all the same, then everything goes.
  // True if a claim won: its resume of the coroutine may still be on its way.
  bool abandon() noexcept {
    const bool claimed = !give_up();
    if (claimed) {
      decide();
    } else {
      timed_out_ = true;
    }
    by_close_ = false;  // no one is left to hear of it
    conclude();
    return claimed;
  }

 private:
  template <class Case>
  struct slot;

  template <class C>
  struct slot<sync::recv_case<C>> {
    using base = detail::channel_base_t<C>;
    using T = typename base::value_type;

    explicit slot(const sync::recv_case<C>& c) : ch(c.channel), into(c.into) {}

    bool try_fire() {
      if (ch == nullptr) return false;
      sync::recv_result<T> got = ch->try_recv();
      if (got.status == sync::channel_status::empty) return false;
      into = std::move(got.value);  // empty when closed and drained
      return true;
    }
    detail::select_step enter(const detail::ticket& t) {
      const detail::select_step step = ch->register_receive(t, reg, into);
      if (step == detail::select_step::closed) into.reset();
      return step;
    }
    void cancel() { ch->cancel_receive(reg); }
    void finish(bool by_close) { ch->finish_receive(reg, by_close, into); }
    void closed() {}

    base* ch;  // null: disabled
    std::optional<T>& into;
    typename base::registration reg{};
  };

  template <class C>
  struct slot<sync::send_case<C>> {
    using base = detail::channel_base_t<C>;
    using T = typename base::value_type;

    explicit slot(const sync::send_case<C>& c)
        : ch(c.channel), copy(copy_of(c.copy_from)), source(c.copy_from ? &*copy : &*c.owned) {}

    // on_send(ch, lvalue) exists only for copyable values, so a move-only T never has one.
    static std::optional<T> copy_of(const T* from) {
      if constexpr (std::is_copy_constructible_v<T>) {
        if (from) return std::optional<T>(*from);
      }
      return std::nullopt;
    }

    bool try_fire() {
      if (ch == nullptr) return false;
      const sync::channel_status status = ch->try_send(std::move(*source));
      if (status == sync::channel_status::closed) closed();
      return status == sync::channel_status::ok;
    }
    // The channel moves from the value only when it may move it back (detail::sendable);
    // otherwise it copies.
    detail::select_step enter(const detail::ticket& t) {
      return ch->register_send(t, reg, detail::sendable(*source));
    }
    void cancel() { ch->cancel_send(reg, detail::sendable(*source)); }
    void finish(bool by_close) { ch->finish_send(reg, by_close, detail::sendable(*source)); }
    [[noreturn]] void closed() {
      throw sync::channel_closed("lockstep::lockfree::select: send on closed channel");
    }

    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;

    base* ch;  // null: disabled
    std::optional<T> copy;
    T* source;
    typename base::registration reg{};
  };

  // The select met itself ("Meeting itself", docs/algorithms/select.md): it waits a while as
  // waiting, its clauses still registered offered to a partner's claim, the marked ones
  // pending. False if a partner claimed it meanwhile; otherwise it is registering again, the
  // pending clauses marked.
  static bool offer_the_others(selection* select) {
    select->met_itself = false;
    // O1 acq_rel: as the CAS to waiting above; the marks it takes are the resumers' releases.
    // Not machine-checked: O1 here is stronger than needed (card), as that CAS.
    const std::uint32_t pending =
        select->state.exchange(selection::waiting, sync::acq_rel) & selection::clause_bits;
    // At least one pause, even with the model checker's empty budget: a partner's claim in this
    // window is the way out, and a wait that gives it no step would only rarely see it.
    sync::spin_then_yield patience = sync::before_parking();
    do {
      sync::cpu_relax();
      // O3 acquire: a claim's state (cell_protocol O9). Not machine-checked: O3 here is
      // stronger than needed: the value is only compared with waiting; the CAS below acquires.
    } while (select->state.load(sync::acquire) == selection::waiting && patience.pause());
    std::uint32_t expected = selection::waiting;
    // O1 acq_rel: back to registering, unless a claim won meanwhile.
    // Not machine-checked: O1 here is stronger than needed (card), as the CAS to waiting.
    return select->state.compare_exchange_strong(expected, selection::registering | pending,
                                                 sync::acq_rel);
  }

  std::array<detail::channel_counters, size> collect() {
    std::array<detail::channel_counters, size> now;
    for (std::size_t i = 0; i < size; ++i) {
      // O4 seq_cst (the channel's counters(), channel O1). A disabled case's stay zero.
      now[i] = visit(i, [](auto& s) {
        return s.ch != nullptr ? s.ch->counters() : detail::channel_counters{};
      });
    }
    return now;
  }

  template <class F>
  decltype(auto) visit(std::size_t i, F&& f) {
    return sync::visit_case(slots_, i, std::forward<F>(f));
  }

  // Registers clause i, or fires it; true if it fired. A disabled case does neither.
  bool enter(std::size_t i) {
    if (!visit(i, [](auto& s) { return s.ch != nullptr; })) return false;
    const detail::ticket t{select_, static_cast<std::uint32_t>(i)};
    const detail::select_step step = visit(i, [&](auto& s) { return s.enter(t); });
    if (step == detail::select_step::registered) {
      registered_[i] = true;
      return false;
    }
    fired_ = i;
    by_close_ = step == detail::select_step::closed;
    // O1 release: fired during registration; resumers only add marks while registering,
    // and lose against any other state. Not machine-checked: stronger than needed: a
    // resumer that reads fired only withdraws its cell, reading nothing the select wrote.
    // O1's release is kept as the word's documented pair (card).
    select_->state.store(selection::fired | static_cast<std::uint32_t>(i), sync::release);
    return true;
  }

  // A claim won: its winner stores fired once the clause is complete, and the fired clause
  // is finished here.
  void decide() {
    // O3 acquire: pairs with cell_protocol O10's release of fired, before the cell is read.
    // Not machine-checked: stronger than needed: every caller read claimed or fired with an
    // acquire of its own (the park, give_up's CAS, resumed()); the value precedes the claim.
    // O3 is kept so that decide() needs nothing of its caller; free on x86-64.
    std::uint32_t now = select_->state.load(sync::acquire);
    while (now == selection::claimed) {
      // O3 acquire, the wait's and the load's: each alone suffices. Not machine-checked: the
      // wait returns only after an acquire load other than claimed, which reads fired.
      select_->state.wait(selection::claimed, sync::acquire);
      now = select_->state.load(sync::acquire);
    }
    fired_ = now & selection::clause_bits;
    by_close_ = (now & selection::by_close) != 0;
    registered_[*fired_] = false;
    visit(*fired_, [&](auto& s) { s.finish(by_close_); });
  }

  std::tuple<slot<Cases>...> slots_;
  std::array<std::size_t, size> order_;
  selection* select_ = nullptr;
  std::array<bool, size> registered_{};
  std::optional<std::size_t> fired_;
  bool by_close_ = false;  // the fired clause was a send's, completed by close()
  bool timed_out_ = false;
};

// co_await async_select(...) (Timed false: the fired case) or async_select_for(...) (the
// fired case, or none once the duration passed): select_over's steps around a suspension. The
// cases are referred to, as by select: co_await the awaitable at once.
template <bool Timed, class... Cases>
class select_awaitable {
 public:
  using clock = typename select_over<Cases...>::clock;

  select_awaitable(std::optional<typename clock::time_point> deadline, const Cases&... cases)
      : select_(cases...), deadline_(deadline) {}
  select_awaitable(const select_awaitable&) = delete;
  select_awaitable& operator=(const select_awaitable&) = delete;

  // Destroyed while it waits (a scheduler's shutdown): the timer stops, then the select gives up
  // as a timed-out one does; if a claim won, the frame waits for its resume to arrive.
  ~select_awaitable() {
    if (!waited_) return;
    stop_timer();
    if (select_.abandon()) suspension_->await_waker();
  }

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    const sync::continuation k = sync::continuation_of(h, "lockstep::lockfree::async_select");
    on_ = k.on;
    suspension_.emplace(k);
    if (!select_.enter_all(&*suspension_, deadline_)) return false;
    waited_ = true;
    // After the final CAS to waiting, before the coroutine's last touch of its frame.
    if (deadline_) {
      timer_.deadline = *deadline_;
      timer_.fire = &time_out;
      timer_.context = this;
      on_->start_timer(timer_);
    }
    return suspension_->suspend();
  }
  auto await_resume() {
    if (waited_) {
      waited_ = false;
      stop_timer();
      select_.resumed();
    }
    const std::optional<std::size_t> fired = select_.conclude();
    if constexpr (Timed) {
      return fired;
    } else {
      return *fired;
    }
  }

 private:
  // The timer's fire: the give-up a timed-out thread's select_for does (O2), and the resume
  // only if it won (otherwise the claim that won resumes the coroutine).
  static void time_out(sync::timer& t) {
    select_awaitable& a = *static_cast<select_awaitable*>(t.context);
    if (a.select_.give_up()) a.suspension_->resume();
  }

  void stop_timer() {
    if (deadline_) on_->stop_timer(timer_);
  }

  select_over<Cases...> select_;
  const std::optional<typename clock::time_point> deadline_;
  bool waited_ = false;
  sync::executor* on_ = nullptr;
  std::optional<sync::suspension> suspension_;
  sync::timer timer_{};
};

template <class... Cases>
std::size_t select(const Cases&... cases) {
  sync::require_enabled_case(sync::any_enabled(cases...), "lockstep::lockfree::select");
  return *select_over<Cases...>(cases...).run(std::nullopt);
}

template <class... Cases>
std::optional<std::size_t> try_select(const Cases&... cases) {
  return select_over<Cases...>(cases...).poll();
}

template <class Rep, class Period, class... Cases>
std::optional<std::size_t> select_for(const std::chrono::duration<Rep, Period>& d,
                                      const Cases&... cases) {
  using clock = typename select_over<Cases...>::clock;
  const auto deadline = clock::now() + std::chrono::ceil<typename clock::duration>(d);
  return select_over<Cases...>(cases...).run(deadline);
}

// The coroutine forms: select and select_for in a task on an executor's worker; the
// coroutine suspends where a thread would park. async_select over disabled cases only throws
// std::logic_error, as select does; async_select_for then waits out its duration.
template <class... Cases>
[[nodiscard]] select_awaitable<false, Cases...> async_select(const Cases&... cases) {
  sync::require_enabled_case(sync::any_enabled(cases...), "lockstep::lockfree::async_select");
  return select_awaitable<false, Cases...>(std::nullopt, cases...);
}

template <class Rep, class Period, class... Cases>
[[nodiscard]] select_awaitable<true, Cases...> async_select_for(
    const std::chrono::duration<Rep, Period>& d, const Cases&... cases) {
  using clock = typename select_over<Cases...>::clock;
  const auto deadline = clock::now() + std::chrono::ceil<typename clock::duration>(d);
  return select_awaitable<true, Cases...>(deadline, cases...);
}

}  // namespace lockstep::lockfree
