// lockfree::select: Go's select statement over lockfree::channel cases, after the select
// expression of N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in Kotlin
// Coroutines", PPoPP 2023 (its select section, and kotlinx.coroutines' SelectInstance), adapted
// from a suspended coroutine to a thread parked on a futex word.
//
//   select(on_recv(a, x), on_send(b, v))       blocks until exactly one case fires; its index
//   try_select(...)                            nullopt when, at one instant during the call, no
//                                              case was ready (Go's `default:`)
//   select_for(duration, ...)                  nullopt when the duration passes first
//
// The algorithm. One select instance (lockfree/channel.hpp, detail::selection) is shared by all
// clauses: a state word, on which the selecting thread parks, and a reference count. Each clause
// runs its channel's send or receive, in a uniformly random order (Go's fairness: among ready cases
// each is equally likely; registered in that order, a late partner that could complete several
// meets them in random order too), and where the operation would park it instead registers the
// instance in its cell (states select_sending, select_receiving). The first clause whose cell is
// ready fires at once. A thread that later meets a registered cell (the clause's partner, an
// expansion of the buffer, close()) first owns the cell with a CAS to a resuming state, then claims
// the instance with a CAS on its state word, from waiting to claimed: exactly one claim succeeds,
// so exactly one clause fires. The winner completes the clause in the cell (value delivered, taken,
// buffered, or closed), stores fired | clause in the state word and wakes the selecting thread; a
// loser withdraws the cell as a cancelled waiter's (interrupted_send or interrupted_receive) and
// moves on, as the paper's resumer treats a cell whose select is already decided. The selecting
// thread then withdraws its other registrations with a CAS from the select state to the interrupted
// one (a resumer that owns such a cell withdraws it itself) and takes back the value of each unsent
// send.
//
// While the selecting thread is still registering, it alone decides: a clause of its own may
// fire on a ready cell, which no earlier registration may then contradict. A resumer meeting a
// registration in that phase cannot claim; it withdraws the cell and marks the clause in the
// state word, and the selecting thread, before it parks (a CAS from registering to waiting that
// fails while marks are set), registers those clauses again in new cells (Kotlin's re-register).
//
// Meeting itself. A select with a send and a receive on one channel can meet its own clause: its
// receive takes the cell where its send is registered (sender s and receiver s are both its
// own), or the other way round. Only a partner can complete either clause, so the owner
// withdraws the met cell and marks it as any resumer does. Registering that clause again at
// once would take the next index, where it meets the clause just registered, and so on for as
// long as no other thread takes an index; and while it registers, no partner can claim it.
// Instead a select that met itself stores waiting with the marked clauses pending, spins and
// yields a while (sync::before_parking) so that a partner can claim one of the clauses still
// registered, and, unclaimed, CASes back to registering with the pending clauses marked and
// registers them again. The wait is bounded, since a partner may need a pending clause (a plain
// receiver for its send, say).
//
// A recv case fires with a value, or with `into` left empty when its channel is closed and
// drained. A send case on a closed channel throws sync::channel_closed when it fires, on
// registration or when close() claims it, with its value unmoved. An lvalue sent is copied
// when the select starts. An rvalue was moved into its case by on_send (sync/channel.hpp), which
// owns it, so a case may be built before the select runs; it moves into the channel only if its
// case fires, and a case that did not fire still holds it: the selecting thread takes an unsent
// value back into the case.
//
// Progress. Send, recv and close stay lock-free, apart from one wait: a thread that meets a
// select's cell while another thread resumes it (a receiver racing an expansion or close(), an
// expansion racing a receiver or close()) waits for that thread's claim and one store, which
// decide what the cell holds. select is blocking by definition; it also waits for a claim's
// winner to finish the clause. Registration re-registers clauses that resumers met meanwhile:
// every repetition is caused by another thread's operation, but two selects registering against
// each other can repeat indefinitely (obstruction-free, as in Kotlin), and so can a select that
// both sends and receives on one unbuffered channel with no other party (it meets itself, and
// waits a while between rounds: see "Meeting itself"); Go's select parks there instead.
// try_select is lock-free: it polls again only when one of its channels' counters moved between
// its collects, that is, when another operation took a cell or closed a channel, or when one of
// its own tries took a cell that another sender had taken and not yet filled, or had given up
// (see "try_select").
//
// Linearization. A select is linearized where the fired clause's operation is: at the cell CAS
// that completed it during registration, or at the claim's winning CAS (the clause's value is
// then handed over, buffered or taken before the select can observe the outcome). A select_for
// that times out is linearized at its CAS from waiting to cancelled, when no clause has fired:
// none can after it, since every claim needs waiting. try_select is linearized at the fired
// case's try_send or try_recv, or, when it reports nullopt, at the instant between its two
// equal collects (see "try_select").
//
// try_select. Go's select with `default:` acts on the channels' state at one moment: it takes
// `default` only if no case was ready then. Polling the cases one after another is not that (a
// case polled first may become ready while a later one is drained), so try_select polls them,
// in the random order, between two collects of each case's channel counters (S with its closed
// bit, R, B; see lockfree/channel.hpp) and reports nullopt only if the two collects are equal;
// otherwise it polls again. The counters only grow, so equal collects bracket an interval in
// which none moved, and at every instant of it each case was not ready, in this sense: an
// operation starting then would have had to wait. A receive is ready when its channel is closed
// or R < S (some sender took a cell that no receiver has taken yet); a send, when its channel is
// closed, S < B (the buffer has room) or S < R (a receiver waits for a sender). try_recv and
// try_send decide on exactly these counters before they take a cell; a try that takes a cell
// moves R or S, which the second collect sees, so a poll that failed between equal collects
// failed on the counters of that interval. What "not ready" does not see: a value buffered in a
// cell that an earlier receiver has taken the index of but not yet reached is that receiver's,
// and a slot freed by a receiver that has not yet moved B is not yet free (both belong to an
// operation still running).
//
// Ordering. The registration's cell fields (instance, clause, a send's value) are written before
// the acq_rel CAS that publishes the select state; the resumer reads them after its acq_rel CAS
// to the resuming state. The winner writes the cell's final state and then stores fired with
// release; the selecting thread's acquire load of fired precedes its reads of the cell (a
// delivered value), and its withdrawals. The reference count is decremented acq_rel, so the
// thread that frees the instance follows every access of the others.
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
  // counters, until one fires or the collects agree (see "try_select" in the header comment).
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
      const ticket_for t{select, static_cast<std::uint32_t>(i)};
      const select_step step = visit(i, [&](auto& s) { return s.enter(t); });
      if (step == select_step::registered) {
        registered[i] = true;
        return false;
      }
      fired = i;
      by_close = step == select_step::closed;
      // Resumers only add marks while registering, and lose against any other state.
      select->state.store(selection::fired | static_cast<std::uint32_t>(i), sync::release);
      return true;
    };

    for (std::size_t i : order_) {
      if (enter(i)) break;
    }
    while (!fired) {
      std::uint32_t expected = selection::registering;
      if (select->state.compare_exchange_strong(expected, selection::waiting, sync::acq_rel)) {
        break;
      }
      if (select->met_itself && !offer_the_others(select)) break;
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
      std::uint32_t now = selection::waiting;
      if (deadline) {
        if (!select->state.wait_until(selection::waiting, *deadline, sync::acquire) &&
            select->state.compare_exchange_strong(now, selection::cancelled, sync::acq_rel)) {
          timed_out = true;
        }
      } else {
        // As a channel operation waits before it parks (sync::before_parking).
        sync::spin_then_yield patience = sync::before_parking();
        while (select->state.load(sync::acquire) == selection::waiting && patience.pause()) {
        }
        select->state.wait(selection::waiting, sync::acquire);
      }
      if (!timed_out) {
        // A claim's winner stores fired once the clause is complete.
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

  struct ticket_for {
    selection* select;
    std::uint32_t clause;
  };

  enum class select_step { fired, closed, registered };

  // The channel's own select_step, whatever its type parameters.
  template <class Step>
  static select_step step_of(Step s) {
    switch (s) {
      case Step::fired: return select_step::fired;
      case Step::closed: return select_step::closed;
      case Step::registered: return select_step::registered;
    }
    return select_step::fired;
  }

  template <class C>
  struct slot<sync::recv_case<C>> {
    using base = detail::channel_base_t<C>;
    using T = typename base::value_type;

    explicit slot(const sync::recv_case<C>& c) : ch(c.channel), into(c.into) {}

    bool try_fire() {
      sync::recv_result<T> got = ch.try_recv();
      if (got.status == sync::channel_status::empty) return false;
      into = std::move(got.value);  // empty when closed and drained
      return true;
    }
    select_step enter(const ticket_for& t) {
      const select_step step =
          step_of(ch.register_receive(typename base::ticket{t.select, t.clause}, reg, into));
      if (step == select_step::closed) into.reset();
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
        : ch(c.channel), copy(copy_of(c.copy_from)), source(c.copy_from ? &*copy : &*c.owned) {}

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
    // The channel moves from the value only when it may move it back (see "Values" in
    // lockfree/channel.hpp); otherwise it copies.
    select_step enter(const ticket_for& t) {
      const typename base::ticket ticket{t.select, t.clause};
      if constexpr (base::moves_safely) {
        return step_of(ch.register_send(ticket, reg, *source));
      } else {
        return step_of(ch.register_send(ticket, reg, std::as_const(*source)));
      }
    }
    void cancel() {
      if constexpr (base::moves_safely) {
        ch.cancel_send(reg, *source);
      } else {
        ch.cancel_send(reg, std::as_const(*source));
      }
    }
    void finish(bool by_close) {
      if constexpr (base::moves_safely) {
        ch.finish_send(reg, by_close, *source);
      } else {
        ch.finish_send(reg, by_close, std::as_const(*source));
      }
    }
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

  // The select met itself (see "Meeting itself"): it waits a while as waiting, its clauses still
  // registered offered to a partner's claim, the marked ones pending. False if a partner
  // claimed it meanwhile; otherwise it is registering again, the pending clauses marked.
  static bool offer_the_others(selection* select) {
    select->met_itself = false;
    // acq_rel: as the CAS to waiting above; the marks it takes are the resumers' releases.
    const std::uint32_t pending =
        select->state.exchange(selection::waiting, sync::acq_rel) & selection::clause_bits;
    // At least one pause, even with the model checker's empty budget: a partner's claim in this
    // window is the way out, and a wait that gives it no step would only rarely see it.
    sync::spin_then_yield patience = sync::before_parking();
    do {
      sync::cpu_relax();
    } while (select->state.load(sync::acquire) == selection::waiting && patience.pause());
    std::uint32_t expected = selection::waiting;
    return select->state.compare_exchange_strong(expected, selection::registering | pending,
                                                 sync::acq_rel);
  }

  std::array<detail::channel_counters, size> collect() {
    std::array<detail::channel_counters, size> now;
    for (std::size_t i = 0; i < size; ++i) {
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
