// lockfree::select — Go's select over lockfree::channel cases: select, try_select, select_for.
//
// Paper: N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in Kotlin
//   Coroutines", PPoPP 2023 (its select section; kotlinx.coroutines' SelectInstance).
// Progress: select blocking (by definition); registration obstruction-free (two selects, or a
//   select meeting itself, can re-register against each other); try_select lock-free.
// Linearization: L1 select — the fired clause's operation (its cell CAS during registration,
//   or the claim's winning CAS, cell_protocol O9); L2 select_for timing out — its CAS from
//   waiting to cancelled (O2); L3 try_select's nullopt — between two equal collects.
// Ordering: O1 acq_rel CAS/exchange of registering and waiting: takes the marks resumers
//   released (cell_protocol O9) and offers waiting to their claims; a release store of a
//   clause fired during registration; O2 acq_rel CAS to cancelled, against cell_protocol O9's
//   claim; O3 acquire loads (and waits) of fired → cell_protocol O10, before the cell is read;
//   O4 seq_cst collects of the channels' counters (channel O1).
// Memory and ABA: the instance (detail::selection) is counted: the selecting thread's reference
//   and one per cell naming it; each state word value is reached once per select.
// Exceptions: a send case on a closed channel throws sync::channel_closed, value unmoved;
//   new selection may throw std::bad_alloc before anything is registered.
// Policy: cases are tried and registered in a uniformly random order (Go's fairness).
// Deviations: a thread parks on the instance's word instead of a suspended coroutine; a select
//   that meets itself waits a while between rounds instead of parking.
// More: docs/algorithms/select.md (the full argument)
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <lockstep/lockfree/channel.hpp>
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

  std::optional<std::size_t> run(std::optional<clock::time_point> deadline) {
    selection* const select = new selection;
    std::array<bool, size> registered{};
    std::optional<std::size_t> fired;
    bool by_close = false;  // the fired clause was a send's, completed by close()

    // Registers clause i, or fires it; true if it fired.
    const auto enter = [&](std::size_t i) {
      const detail::ticket t{select, static_cast<std::uint32_t>(i)};
      const detail::select_step step = visit(i, [&](auto& s) { return s.enter(t); });
      if (step == detail::select_step::registered) {
        registered[i] = true;
        return false;
      }
      fired = i;
      by_close = step == detail::select_step::closed;
      // O1 release: fired during registration; resumers only add marks while registering,
      // and lose against any other state.
      select->state.store(selection::fired | static_cast<std::uint32_t>(i), sync::release);
      return true;
    };

    for (std::size_t i : order_) {
      if (enter(i)) break;
    }
    while (!fired) {
      std::uint32_t expected = selection::registering;
      // O1 acq_rel: offers waiting to claims (cell_protocol O9); on failure the marks are read.
      if (select->state.compare_exchange_strong(expected, selection::waiting, sync::acq_rel)) {
        break;
      }
      if (select->met_itself && !offer_the_others(select)) break;
      // O1 acq_rel: takes the marks the resumers released.
      const std::uint32_t again =
          select->state.exchange(selection::registering, sync::acq_rel) & selection::clause_bits;
      for (std::size_t i : order_) {
        if ((again & (std::uint32_t{1} << i)) == 0) continue;
        registered[i] = false;
        visit(i, [](auto& s) { s.cancel(); });
        if (enter(i)) break;
      }
    }

    bool timed_out = false;
    if (!fired) {
      // The select's word is the waiter (sync::waiter), as a channel operation's cell is.
      std::uint32_t now = sync::park_until_changed(select->state, selection::waiting, deadline,
                                                   sync::before_parking());
      // O2 acq_rel: select_for gives up, against a claim's CAS (cell_protocol O9): one wins.
      if (now == selection::waiting &&
          select->state.compare_exchange_strong(now, selection::cancelled, sync::acq_rel)) {
        timed_out = true;
      }
      if (!timed_out) {
        // A claim's winner stores fired once the clause is complete. O3 acquire: pairs with
        // cell_protocol O10's release of fired, before the cell is read.
        now = select->state.load(sync::acquire);
        while (now == selection::claimed) {
          select->state.wait(selection::claimed, sync::acquire);
          now = select->state.load(sync::acquire);
        }
        fired = now & selection::clause_bits;
        by_close = (now & selection::by_close) != 0;
        registered[*fired] = false;
        visit(*fired, [&](auto& s) { s.finish(by_close); });
      }
    }

    for (std::size_t i = 0; i < size; ++i) {
      if (registered[i]) visit(i, [](auto& s) { s.cancel(); });
    }
    select->release();
    if (timed_out) return std::nullopt;
    if (by_close) visit(*fired, [](auto& s) { s.closed(); });
    return fired;
  }

 private:
  template <class Case>
  struct slot;

  template <class C>
  struct slot<sync::recv_case<C>> {
    using base = detail::channel_base_t<C>;
    using T = typename base::value_type;

    explicit slot(const sync::recv_case<C>& c) : ch(*c.channel), into(c.into) {}

    bool try_fire() {
      sync::recv_result<T> got = ch.try_recv();
      if (got.status == sync::channel_status::empty) return false;
      into = std::move(got.value);  // empty when closed and drained
      return true;
    }
    detail::select_step enter(const detail::ticket& t) {
      const detail::select_step step = ch.register_receive(t, reg, into);
      if (step == detail::select_step::closed) into.reset();
      return step;
    }
    void cancel() { ch.cancel_receive(reg); }
    void finish(bool by_close) { ch.finish_receive(reg, by_close, into); }
    void closed() {}

    base& ch;
    std::optional<T>& into;
    typename base::registration reg{};
  };

  template <class C>
  struct slot<sync::send_case<C>> {
    using base = detail::channel_base_t<C>;
    using T = typename base::value_type;

    explicit slot(const sync::send_case<C>& c)
        : ch(*c.channel), copy(copy_of(c.copy_from)), source(c.copy_from ? &*copy : &*c.owned) {}

    // on_send(ch, lvalue) exists only for copyable values, so a move-only T never has one.
    static std::optional<T> copy_of(const T* from) {
      if constexpr (std::is_copy_constructible_v<T>) {
        if (from) return std::optional<T>(*from);
      }
      return std::nullopt;
    }

    bool try_fire() {
      const sync::channel_status status = ch.try_send(std::move(*source));
      if (status == sync::channel_status::closed) closed();
      return status == sync::channel_status::ok;
    }
    // The channel moves from the value only when it may move it back (detail::sendable);
    // otherwise it copies.
    detail::select_step enter(const detail::ticket& t) {
      return ch.register_send(t, reg, detail::sendable(*source));
    }
    void cancel() { ch.cancel_send(reg, detail::sendable(*source)); }
    void finish(bool by_close) { ch.finish_send(reg, by_close, detail::sendable(*source)); }
    [[noreturn]] void closed() {
      throw sync::channel_closed("lockstep::lockfree::select: send on closed channel");
    }

    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;

    base& ch;
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
    const std::uint32_t pending =
        select->state.exchange(selection::waiting, sync::acq_rel) & selection::clause_bits;
    // At least one pause, even with the model checker's empty budget: a partner's claim in this
    // window is the way out, and a wait that gives it no step would only rarely see it.
    sync::spin_then_yield patience = sync::before_parking();
    do {
      sync::cpu_relax();
      // O3 acquire: a claim's state (cell_protocol O9).
    } while (select->state.load(sync::acquire) == selection::waiting && patience.pause());
    std::uint32_t expected = selection::waiting;
    // O1 acq_rel: back to registering, unless a claim won meanwhile.
    return select->state.compare_exchange_strong(expected, selection::registering | pending,
                                                 sync::acq_rel);
  }

  std::array<detail::channel_counters, size> collect() {
    std::array<detail::channel_counters, size> now;
    for (std::size_t i = 0; i < size; ++i) {
      // O4 seq_cst (the channel's counters(), channel O1).
      now[i] = visit(i, [](auto& s) { return s.ch.counters(); });
    }
    return now;
  }

  template <class F>
  decltype(auto) visit(std::size_t i, F&& f) {
    return sync::visit_case(slots_, i, std::forward<F>(f));
  }

  std::tuple<slot<Cases>...> slots_;
  std::array<std::size_t, size> order_;
};

template <class... Cases>
std::size_t select(const Cases&... cases) {
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

}  // namespace lockstep::lockfree
