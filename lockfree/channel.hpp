// lockfree::channel<T, Reclaimer, SegmentSize> — Go-style channel, buffered or rendezvous.
//
// Paper: N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in Kotlin
//   Coroutines", PPoPP 2023: sections 3 (rendezvous), 4 (BufferedChannel), 5 (cancellation).
// Progress: send, recv lock-free apart from parking (blocking by definition) and the wait for a
//   select's resumer; try_send, try_recv, close lock-free; send_for, recv_for lock-free up to
//   the deadline; len() wait-free. The async_ forms as their thread twins, suspending where
//   those park (a timed one's timer calls take the executor's lock).
// Linearization: L1 a hand-over — the CAS in the cell to buffered, delivered or taken (or an
//   expansion's CAS moving a parked sender's value into the buffer); L2 close — its fetch_or
//   on S; L3 closed send — after L2 (its fetch-and-add saw the bit, or close marked its cell);
//   L4 timed out or tried — the CAS withdrawing its cell (a coroutine's: its timer's, O4).
// Ordering: O1 seq_cst counters S, R, B: a party's fetch-and-add, then its load of the other
//   counter (store buffering), so sender s and receiver s do not both miss each other;
//   O2 release CAS publishing a value (buffered, sender_waiting, delivered) → O3;
//   O3 acquire load or CAS reading a published value, then move_out;
//   O4 acq_rel withdrawal CAS (interrupted_*, poisoned) against a resume's CAS on one word,
//   also a coroutine's timer's and a destroyed coroutine's; the CAS to a waiting state
//   publishes the waiter's waker; O5 acq_rel resume CAS, then notify, or a coroutine's resume
//   (sync/executor.hpp E1) → O6; O6 acquire loads and waits of a parked thread, and the
//   resumed coroutine's load of its outcome;
//   O7 acq_rel enroll CAS publishing a select's fields → O8; O8 acq_rel CAS owning a
//   select's cell; O9 claim on the select's word, against select.hpp O1 and O2;
//   O10 release stores completing or withdrawing a select's cell → O11, and of fired →
//   select.hpp O3; O11 acquire load awaiting a resumer; O12 seq_cst handled counts and hints,
//   read by advance_head; O13 acq_rel head_ CAS before a retire. O5 to O7 and O9 to O11 sit
//   in detail/cell_protocol.hpp, the protocol on one cell; the rest here.
//   Not machine-checked, the orders no single weakening breaks (argued at each site, briefly):
//   [a] each cell state is entered once, so the CAS that acts on a state reads the very store
//   that the load or failed CAS before it acquired: one edge taken twice, kept at both so that
//   neither site leans on the other; [b] a withdrawal or an owning CAS publishes nothing: who
//   meets interrupted_*, poisoned, in_buffer or a resuming state retries, skips or awaits the
//   final state's release before it reads the cell; [c] in one channel an acquire load of a
//   counter decides as a seq_cst one (a stale S or R gives an answer that some order of the
//   channel's operations explains, or one the fetch-and-add after it decides again); the total
//   order counts with other objects' seq_cst accesses (close(a), then b.closed(), against
//   close(b), then a.closed(), may not both miss the bit), and no check runs two objects so;
//   [d] the last leave (fetch_add, then the hints) and the last hint move (CAS, then handled) are a
//   store-buffering pair: both reading old leaves the segment to the next advance_head, a later
//   retire, never an early one (a weakened load reads a smaller count, an older hint, a smaller B);
//   the checks want frees in some executions, not each segment retired at its last leave. On x86-64
//   a seq_cst load is a plain load and every CAS the same locked instruction, so keeping the
//   stronger order costs nothing there.
// Memory and ABA: segments (detail/channel_segment.hpp) from the Reclaimer, retired from the
//   front once their cells are handled and every hint is past; walks run in a read-side
//   section; each cell state is entered at most once, so no ABA on a state word.
// Exceptions: send may throw std::bad_alloc or T's copy and then changes nothing; send on a
//   closed channel throws sync::channel_closed with the value left as it was.
// Policy: Reclaimer defaults to hazard::epochs: walks need a section covering every node
//   reached (hazard pointers are rejected at compile time). SegmentSize 32 cells.
// Deviations: a select's resumer owns the cell with a resuming state. Two kinds of waiter on
//   one algorithm, as in the paper: a coroutine suspends (its sync::suspension in the cell's
//   waker, resumed through its executor), a thread parks on the cell's state word.
// More: docs/algorithms/channel.md (the full argument)
#pragma once

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/lockfree/detail/cell_protocol.hpp>
#include <lockstep/lockfree/detail/channel_cell.hpp>
#include <lockstep/lockfree/detail/channel_segment.hpp>
#include <lockstep/lockfree/detail/select_protocol.hpp>
#include <lockstep/sync/executor.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

template <class... Cases>
class select_over;

template <class T, class Reclaimer = hazard::epochs, std::size_t SegmentSize = 32>
class channel {
  static_assert(SegmentSize > 0, "channel: a segment needs at least one cell");

  using state = detail::cell_state;
  using cell = detail::channel_cell<T>;
  using segment = detail::channel_segment<cell, SegmentSize>;

  static_assert(hazard::reclaimer<Reclaimer, segment>,
                "channel: Reclaimer does not model hazard::reclaimer (hazard/reclaimer.hpp)");
  static_assert(detail::section_reclaimer<Reclaimer>,
                "channel: segments are reached by walking `next` links, which only a read-side "
                "section protects; use epochs or leaking (\"Memory\", docs/algorithms/channel.md)");
  using domain_type = typename Reclaimer::template domain<segment>;

  static constexpr std::uint64_t closed_bit = std::uint64_t{1} << 63;
  static constexpr std::uint64_t count_of(std::uint64_t sends) noexcept {
    return sends & ~closed_bit;
  }

  static_assert(detail::moves_safely<T> || std::is_copy_constructible_v<T>,
                "channel: T must be copy-constructible, or nothrow move-constructible and "
                "nothrow move-assignable (a value is moved back from a cell a send gives up)");

  using clock = std::chrono::steady_clock;

  // A cell some operation holds, with the segment whose index it holds until it leaves: a
  // select's registered clause, or a suspended coroutine's wait.
  using registration = detail::registration<segment, cell>;

  // How a send or receive that would park waits: not at all (try_), until a deadline (_for),
  // for as long as it takes, by registering a select's clause instead, or by suspending its
  // coroutine (which then waits in the cell `parked` names, with its own timer if timed).
  enum class waiting { never, until_deadline, forever, in_select, suspending };
  struct wait_mode {
    waiting how;
    clock::time_point deadline{};
    const detail::ticket* select = nullptr;  // set exactly when how is in_select
    sync::suspension* waker = nullptr;       // set exactly when how is suspending
    registration* parked = nullptr;          // likewise: where the operation waits, if it does

    static wait_mode never() { return {waiting::never}; }
    static wait_mode forever() { return {waiting::forever}; }
    static wait_mode until(clock::time_point d) { return {waiting::until_deadline, d}; }
    static wait_mode registering(const detail::ticket& t) { return {waiting::in_select, {}, &t}; }
    static wait_mode suspending(sync::suspension& s, registration& at) {
      return {waiting::suspending, {}, nullptr, &s, &at};
    }
    // The select whose clause this operation is, if any: claim() notes a select meeting itself.
    const detail::selection* selector() const { return select ? select->selector : nullptr; }
    // What detail::park waits until: the deadline, if this wait has one.
    std::optional<clock::time_point> parking_deadline() const {
      if (how == waiting::until_deadline) return deadline;
      return std::nullopt;
    }
  };

  // The coroutine forms' awaitables (below).
  template <bool Timed>
  class send_awaitable;
  template <bool Timed>
  class recv_awaitable;

  // What one cell gave a send or a receive.
  enum class outcome { done, retry, full_or_empty, timed_out, closed, registered, suspended };

 public:
  using value_type = T;
  static constexpr std::size_t segment_size = SegmentSize;
  // The counters have 63 bits; this leaves every capacity room for 2^62 operations.
  static constexpr std::size_t largest_capacity = std::size_t{1} << 61;

  explicit channel(std::size_t capacity = 0)
      : capacity_(sync::channel_capacity(capacity, largest_capacity, "lockstep::lockfree::channel")) {
    segment* first = domain_.allocate();
    head_.store(first, sync::relaxed);
    send_hint_.store(first, sync::relaxed);
    receive_hint_.store(first, sync::relaxed);
    buffer_hint_.store(first, sync::relaxed);
    buffer_end_.store(capacity_, sync::relaxed);
  }
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  // Retires every segment; the domain, destroyed next, frees them, and values still buffered
  // are destroyed with their cells. No operation may run concurrently.
  ~channel() {
    segment* s = head_.load(sync::relaxed);
    while (s != nullptr) {
      segment* next = s->next.load(sync::relaxed);
      domain_.retire(s);
      s = next;
    }
  }

  void send(const T& value) { send_or_throw(value, wait_mode::forever()); }
  void send(T&& value) { send_or_throw(detail::sendable(value), wait_mode::forever()); }

  std::optional<T> recv() { return receive(wait_mode::forever()).value; }

  sync::channel_status try_send(const T& value) { return send_value(value, wait_mode::never()); }
  sync::channel_status try_send(T&& value) {
    return send_value(detail::sendable(value), wait_mode::never());
  }

  sync::recv_result<T> try_recv() { return receive(wait_mode::never()); }

  // On a closed channel, or one closed while it waits, send_for throws channel_closed as send
  // does (and as locked::channel's does), with the value left as it was.
  template <class Rep, class Period>
  sync::channel_status send_for(const T& value, std::chrono::duration<Rep, Period> d) {
    return send_or_throw(value, wait_mode::until(deadline_after(d)));
  }
  template <class Rep, class Period>
  sync::channel_status send_for(T&& value, std::chrono::duration<Rep, Period> d) {
    return send_or_throw(detail::sendable(value), wait_mode::until(deadline_after(d)));
  }

  template <class Rep, class Period>
  sync::recv_result<T> recv_for(std::chrono::duration<Rep, Period> d) {
    return receive(wait_mode::until(deadline_after(d)));
  }

  // The coroutine forms (sync::awaitable_channel, sync/channel.hpp): the same operations on the
  // same cells, but a coroutine that would park suspends instead, and the operation that
  // completes its cell resumes it through its executor. async_send(const T&) copies the value
  // into the awaitable; async_send(T&&) refers to the caller's object, which it leaves as it was
  // unless the value is sent.
  [[nodiscard]] send_awaitable<false> async_send(const T& value) {
    return send_awaitable<false>(*this, value, std::nullopt);
  }
  [[nodiscard]] send_awaitable<false> async_send(T&& value) {
    return send_awaitable<false>(*this, &value, std::nullopt);
  }
  [[nodiscard]] recv_awaitable<false> async_recv() {
    return recv_awaitable<false>(*this, std::nullopt);
  }

  template <class Rep, class Period>
  [[nodiscard]] send_awaitable<true> async_send_for(const T& value,
                                                    std::chrono::duration<Rep, Period> d) {
    return send_awaitable<true>(*this, value, deadline_after(d));
  }
  template <class Rep, class Period>
  [[nodiscard]] send_awaitable<true> async_send_for(T&& value,
                                                    std::chrono::duration<Rep, Period> d) {
    return send_awaitable<true>(*this, &value, deadline_after(d));
  }
  template <class Rep, class Period>
  [[nodiscard]] recv_awaitable<true> async_recv_for(std::chrono::duration<Rep, Period> d) {
    return recv_awaitable<true>(*this, deadline_after(d));
  }

  void close() {
    // O1, L2: the closed bit in the counters' total order.
    const std::uint64_t before = sends_.fetch_or(closed_bit, sync::seq_cst);
    if ((before & closed_bit) != 0) {
      throw sync::channel_closed("lockstep::lockfree::channel: close of closed channel");
    }
    const std::uint64_t closed_at = before;
    // O1: a receiver whose fetch-and-add follows this load sees the bit in its load of S.
    const std::uint64_t received = receives_.load(sync::seq_cst);
    const std::uint64_t last = std::max(received, closed_at);
    // Every cell of the walk has a holder yet to handle it (a receiver >= R, or a sender >=
    // s_closed that never comes), so its segment is at or after head_; the section keeps the
    // segments on the way from head_ alive.
    auto section = domain_.protect(head_);
    segment* from = section.get();
    for (std::uint64_t i = std::min(received, closed_at); i < last; ++i) {
      from = detail::find_segment(domain_, i / SegmentSize, from);
      close_cell(from->cells[i % SegmentSize], i < closed_at);
    }
  }

  // O1: S's closed bit. Not machine-checked: [c], the pair it names.
  bool closed() const { return (sends_.load(sync::seq_cst) & closed_bit) != 0; }
  std::size_t capacity() const noexcept { return capacity_; }

  // Go's len(ch): the values in the buffer, between 0 and capacity() (0 when unbuffered). It is
  // computed from the counters as the buffer's cells whose sender has arrived, [R, min(S, B)),
  // read one after another, so under concurrency it is a hint that may be stale when it returns.
  // It counts a sender still writing its value there, and a send that gave up in a cell that the
  // buffer reached later (a send_for that timed out, a select's send case that did not fire)
  // until a receiver passes that cell. Wait-free.
  std::size_t len() const {
    // O1: S and B before R, so that a receiver passing meanwhile makes the count smaller.
    const std::uint64_t sent = count_of(sends_.load(sync::seq_cst));
    const std::uint64_t filled = std::min(sent, buffer_end_.load(sync::seq_cst));
    const std::uint64_t received = receives_.load(sync::seq_cst);
    if (filled <= received) return 0;
    return static_cast<std::size_t>(std::min<std::uint64_t>(filled - received, capacity_));
  }

  // Segments retired and not yet freed: what the reclaimer holds back (a statistic).
  std::size_t unreclaimed() const { return domain_.unreclaimed(); }

  sync::receiving_iterator<channel> begin() { return sync::receiving_iterator<channel>(*this); }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  template <class... Cases>
  friend class select_over;

  // try_select's collect: these loads, the fetch-and-adds and the tries' checks lie in the one
  // total order, so between two equal collects every counter had its collected value.
  // O1. Not machine-checked: [c], the order with other channels' moves, which no check sees.
  detail::channel_counters counters() const {
    return {sends_.load(sync::seq_cst), receives_.load(sync::seq_cst),
            buffer_end_.load(sync::seq_cst)};
  }

  // A receive that, where it would park, registers the select's clause instead.
  detail::select_step register_receive(const detail::ticket& t, registration& reg,
                                       std::optional<T>& into) {
    for (;;) {
      // O1: as receive()'s closed check. Not machine-checked: stronger than needed, an early
      // exit: a stale S or R only sends the clause on to the fetch-and-add, whose check decides.
      const std::uint64_t sent = sends_.load(sync::seq_cst);
      if ((sent & closed_bit) != 0 && receives_.load(sync::seq_cst) >= count_of(sent)) {
        return detail::select_step::closed;
      }
      std::uint64_t r;
      segment* seg;
      {
        auto section = domain_.protect(receive_hint_);
        // O1: R's fetch-and-add, then S (store buffering with a sender's). Not machine-checked:
        // the pair with close(), which take()'s load of S repeats (see there): one suffices.
        r = receives_.fetch_add(1, sync::seq_cst);
        const std::uint64_t s = sends_.load(sync::seq_cst);
        if ((s & closed_bit) != 0 && r >= count_of(s)) return detail::select_step::closed;
        seg = reach(section.get(), r, receive_hint_);
      }
      cell& c = seg->cells[r % SegmentSize];
      const outcome got = take(c, r, wait_mode::registering(t), into);
      if (got == outcome::registered) {
        reg = {seg, &c};
        return detail::select_step::registered;
      }
      leave(seg);
      if (got == outcome::done) return detail::select_step::fired;
      if (got == outcome::closed) return detail::select_step::closed;
    }
  }

  // A send that, where it would park, registers the select's clause instead; `value` stays the
  // select's until a cell is published with it, as in send_value.
  template <class Value>
  detail::select_step register_send(const detail::ticket& t, registration& reg, Value& value) {
    for (;;) {
      std::uint64_t s;
      segment* seg;
      {
        auto section = domain_.protect(send_hint_);
        // O1: S's fetch-and-add (a closed bit seen here means L3). With expand_buffer's
        // fetch-and-add on B, then load of S, not both old, or the clause waits though the
        // buffer has room (relacy_channel_store_buffering deadlocks without it).
        s = sends_.fetch_add(1, sync::seq_cst);
        if ((s & closed_bit) != 0) return detail::select_step::closed;
        seg = reach(section.get(), s, send_hint_);
      }
      cell& c = seg->cells[s % SegmentSize];
      detail::place(c, value);
      const outcome result = deliver(c, s, wait_mode::registering(t));
      if (result == outcome::registered) {
        reg = {seg, &c};
        return detail::select_step::registered;
      }
      if (result == outcome::done) {
        leave(seg);
        return detail::select_step::fired;
      }
      detail::take_back(c, value);
      leave(seg);
      if (result == outcome::closed) return detail::select_step::closed;
    }
  }

  // The select is decided and not by this clause (or a resumer asked for it to be registered
  // again): the select withdraws its cell, unless a resumer that owns it withdraws it (one that
  // could not have won).
  void cancel_receive(registration& reg) {
    cell& c = *reg.place;
    state now = state::select_receiving;
    // O4: withdraws against an owning CAS (O8); on failure acquires its withdrawal (O10).
    // Not machine-checked: stronger than needed, [b]: either way the select then reads only
    // what it wrote itself (its selector, its value), which a resumer that lost never writes.
    if (c.status.compare_exchange_strong(now, state::interrupted_receive, sync::acq_rel,
                                         sync::acquire)) {
      c.selector.read()->release();
    }
    leave(reg.seg);
  }

  // As cancel_receive; the value comes back whoever withdrew the cell, since a resumer that
  // lost its claim never touches it.
  template <class Value>
  void cancel_send(registration& reg, Value& value) {
    cell& c = *reg.place;
    state now = state::select_sending;
    // O4: as cancel_receive's. Not machine-checked: stronger than needed, as there.
    if (c.status.compare_exchange_strong(now, state::interrupted_send, sync::acq_rel,
                                         sync::acquire)) {
      c.selector.read()->release();
    }
    detail::take_back(c, value);
    leave(reg.seg);
  }

  // One coroutine's wait in a cell: its suspension, its timer (for a timed form), and the cell
  // with the segment index it holds until it has read its outcome there.
  class coroutine_wait {
   public:
    coroutine_wait(channel& ch, std::optional<clock::time_point> deadline)
        : ch_(ch), deadline_(deadline) {}
    coroutine_wait(const coroutine_wait&) = delete;
    coroutine_wait& operator=(const coroutine_wait&) = delete;

    // A coroutine destroyed while it waits (a scheduler's shutdown) withdraws, as a timed-out
    // one does; if a resume won, the outcome stays in the cell, destroyed with its segment, and
    // the frame waits for that resumer to be done with the suspension.
    ~coroutine_wait() {
      if (at_.place == nullptr) return;
      stop_timer();
      if (!withdraw()) suspension_->await_waker();
      ch_.leave(at_.seg);
    }

    channel& owner() const noexcept { return ch_; }

    // The wait mode of the coroutine `h`, suspending in `what`; throws std::logic_error
    // outside an executor's worker, before the operation starts.
    wait_mode mode(std::coroutine_handle<> h, const char* what) {
      const sync::continuation k = sync::continuation_of(h, what);
      on_ = k.on;
      suspension_.emplace(k);
      return wait_mode::suspending(*suspension_, at_);
    }

    // After the operation ran in mode(): whether the coroutine suspends. The timer starts after
    // the cell published the wait and before suspend(), the coroutine's last touch of its frame.
    bool suspend(state waiting_state) {
      if (at_.place == nullptr) return false;  // done without waiting
      waiting_ = waiting_state;
      if (deadline_) {
        timer_.deadline = *deadline_;
        timer_.fire = &time_out;
        timer_.context = this;
        on_->start_timer(timer_);
      }
      return suspension_->suspend();
    }

    bool waited() const noexcept { return at_.place != nullptr; }

    // On resumption: the state a resume (O5) or the timer's withdrawal (O4) left in the cell.
    state outcome() {
      stop_timer();
      // O6 acquire: pairs with O5 (the value delivered) and O4 (the timer's withdrawal).
      // Not machine-checked: stronger than needed: the suspension's acq_rel arrival
      // (sync/executor.hpp) already orders the winner's CAS before this load.
      return at_.place->status.load(sync::acquire);
    }
    cell& place() const noexcept { return *at_.place; }

    // The coroutine is done with its cell.
    void leave() {
      ch_.leave(at_.seg);
      at_ = {};
    }

   private:
    // The timer's fire: exactly the withdrawal a timed-out thread does, and the resume only if
    // it won (otherwise the resume that won continues the coroutine).
    static void time_out(sync::timer& t) {
      coroutine_wait& w = *static_cast<coroutine_wait*>(t.context);
      if (w.withdraw()) w.suspension_->resume();
    }

    bool withdraw() {
      state now = waiting_;
      const state withdrawn = waiting_ == state::receiver_waiting ? state::interrupted_receive
                                                                  : state::interrupted_send;
      // O4, L4: the coroutine's withdrawal, against a resume's CAS (O5) on the one word.
      // Not machine-checked: stronger than needed: each side reads the cell only after the
      // suspension's acq_rel arrival or await_waker, which order the winner's CAS before it.
      return at_.place->status.compare_exchange_strong(now, withdrawn, sync::acq_rel,
                                                       sync::acquire);
    }

    void stop_timer() {
      if (deadline_) on_->stop_timer(timer_);
    }

    channel& ch_;
    const std::optional<clock::time_point> deadline_;
    registration at_{};
    state waiting_ = state::receiver_waiting;
    sync::executor* on_ = nullptr;
    std::optional<sync::suspension> suspension_;
    sync::timer timer_{};
  };

  // co_await async_recv() (Timed false: the value, empty once closed and drained) or
  // async_recv_for() (a recv_result).
  template <bool Timed>
  class recv_awaitable {
   public:
    recv_awaitable(channel& ch, std::optional<clock::time_point> deadline)
        : wait_(ch, deadline) {}

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      result_ = wait_.owner().receive(wait_.mode(h, "lockstep::lockfree::channel::async_recv"));
      return wait_.suspend(state::receiver_waiting);
    }
    auto await_resume() {
      if (wait_.waited()) {
        const state now = wait_.outcome();
        if (now == state::delivered) {
          detail::move_out(wait_.place(), result_.value);
          result_.status = sync::channel_status::ok;
        } else {
          result_.status = now == state::closed ? sync::channel_status::closed
                                                : sync::channel_status::timeout;
        }
        wait_.leave();
      }
      if constexpr (Timed) {
        return std::move(result_);
      } else {
        return std::move(result_.value);
      }
    }

   private:
    coroutine_wait wait_;
    sync::recv_result<T> result_{sync::channel_status::empty, std::nullopt};
  };

  // co_await async_send() (Timed false: nothing) or async_send_for() (ok or timeout); both
  // throw channel_closed with the value back where it came from.
  template <bool Timed>
  class send_awaitable {
   public:
    send_awaitable(channel& ch, const T& value, std::optional<clock::time_point> deadline)
        : wait_(ch, deadline), copy_(value), source_(&*copy_) {}
    send_awaitable(channel& ch, T* value, std::optional<clock::time_point> deadline)
        : wait_(ch, deadline), source_(value) {}
    send_awaitable(const send_awaitable&) = delete;
    send_awaitable& operator=(const send_awaitable&) = delete;

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      status_ = wait_.owner().send_value(detail::sendable(*source_),
                                         wait_.mode(h, "lockstep::lockfree::channel::async_send"));
      return wait_.suspend(state::sender_waiting);
    }
    auto await_resume() {
      if (wait_.waited()) {
        const state now = wait_.outcome();
        if (now == state::closed || now == state::interrupted_send) {
          detail::take_back(wait_.place(), detail::sendable(*source_));
          status_ = now == state::closed ? sync::channel_status::closed
                                         : sync::channel_status::timeout;
        } else {
          status_ = sync::channel_status::ok;  // taken, or moved into the buffer
        }
        wait_.leave();
      }
      if (status_ == sync::channel_status::closed) {
        throw sync::channel_closed("lockstep::lockfree::channel: send on closed channel");
      }
      if constexpr (Timed) return status_;
    }

   private:
    coroutine_wait wait_;
    std::optional<T> copy_;  // async_send(const T&)'s value
    T* source_;
    sync::channel_status status_ = sync::channel_status::ok;
  };

  // The clause a resumer fired, after the select acquired its `fired` state (select.hpp O3).
  void finish_receive(registration& reg, bool by_close, std::optional<T>& into) {
    if (by_close) {
      into.reset();
    } else {
      detail::move_out(*reg.place, into);
    }
    leave(reg.seg);
  }

  template <class Value>
  void finish_send(registration& reg, bool by_close, Value& value) {
    if (by_close) detail::take_back(*reg.place, value);
    leave(reg.seg);
  }

  template <class Rep, class Period>
  static clock::time_point deadline_after(std::chrono::duration<Rep, Period> d) {
    const auto now = clock::now();
    if (d > clock::time_point::max() - now) return clock::time_point::max();
    return now + std::chrono::ceil<clock::duration>(d);
  }

  template <class Value>
  sync::channel_status send_or_throw(Value& value, const wait_mode& mode) {
    const sync::channel_status status = send_value(value, mode);
    if (status == sync::channel_status::closed) {
      throw sync::channel_closed("lockstep::lockfree::channel: send on closed channel");
    }
    return status;
  }

  // Value is const T (copied into each cell tried) or T (moved in, and back from a cell given
  // up): the value stays the caller's until a cell is published with it.
  template <class Value>
  sync::channel_status send_value(Value& value, const wait_mode& mode) {
    for (;;) {
      // O1: S, then (try_send) B and R: the check try_select's collects bracket. Not
      // machine-checked: [c]; for a blocking send an early exit the fetch-and-add repeats.
      const std::uint64_t now = sends_.load(sync::seq_cst);
      if ((now & closed_bit) != 0) return sync::channel_status::closed;
      // O1: try_send takes no cell when it would wait (Kotlin's shouldSendSuspend).
      // Not machine-checked: [c].
      if (mode.how == waiting::never && count_of(now) >= buffer_end_.load(sync::seq_cst) &&
          count_of(now) >= receives_.load(sync::seq_cst)) {
        return sync::channel_status::full;
      }
      std::uint64_t ticket;
      segment* seg;
      {
        auto section = domain_.protect(send_hint_);
        // O1: S's fetch-and-add, before deliver's loads of B and R (store buffering).
        ticket = sends_.fetch_add(1, sync::seq_cst);
        if ((ticket & closed_bit) != 0) return sync::channel_status::closed;
        seg = reach(section.get(), ticket, send_hint_);
      }
      cell& c = seg->cells[ticket % SegmentSize];
      detail::place(c, value);
      const outcome result = deliver(c, ticket, mode);
      if (result == outcome::suspended) {
        // The value waits in the cell; the coroutine's await_resume reads the outcome.
        *mode.parked = {seg, &c};
        return sync::channel_status::ok;
      }
      if (result != outcome::done) take_back(c, value);
      leave(seg);
      switch (result) {
        case outcome::done:
          return sync::channel_status::ok;
        case outcome::full_or_empty:
          return sync::channel_status::full;
        case outcome::timed_out:
          return sync::channel_status::timeout;
        case outcome::closed:
          return sync::channel_status::closed;
        case outcome::retry:
        case outcome::registered:  // only a select's send registers
        case outcome::suspended:   // returned above
          break;
      }
    }
  }

  // The sender of cell s, its value already in the cell (section 4, updateCellSend).
  outcome deliver(cell& c, std::uint64_t s, const wait_mode& mode) {
    // O3: acquire, as every load of a state a CAS then acts on. Not machine-checked: stronger
    // than needed, [a]: closed, poisoned and the rest end the try, reading only the own value.
    state now = c.status.load(sync::acquire);
    for (;;) {
      switch (now) {
        case state::empty:
          // O1: B and R after S's fetch-and-add.
          if (s < buffer_end_.load(sync::seq_cst) || s < receives_.load(sync::seq_cst)) {
            // O2, L1: publishes the value to the receiver's O3. Not machine-checked: its
            // acquire is stronger than needed, [a] and [b] (empty and in_buffer carry nothing).
            if (c.status.compare_exchange_strong(now, state::buffered, sync::acq_rel,
                                                 sync::acquire)) {
              return outcome::done;
            }
          } else if (mode.how == waiting::in_select) {
            if (detail::enroll(c, now, state::select_sending, *mode.select)) {
              return outcome::registered;
            }
          } else if (mode.how == waiting::never) {
            // O4, L4: try_send withdraws rather than wait.
            if (c.status.compare_exchange_strong(now, state::interrupted_send, sync::acq_rel,
                                                 sync::acquire)) {
              return outcome::full_or_empty;
            }
          } else {
            if (mode.waker != nullptr) c.waker.write() = mode.waker;
            // O2: publishes the value (and the waker) to the receiver's O3, then waits (O6).
            // Not machine-checked: its acquire is stronger than needed, as at buffered above.
            if (c.status.compare_exchange_strong(now, state::sender_waiting, sync::acq_rel,
                                                 sync::acquire)) {
              if (mode.how == waiting::suspending) return outcome::suspended;
              return wait_as_sender(c, mode);
            }
          }
          break;
        case state::in_buffer:
          // O2, L1: as above; in_buffer was an expansion's. Not machine-checked: its acquire
          // is stronger than needed, as above.
          if (c.status.compare_exchange_strong(now, state::buffered, sync::acq_rel,
                                               sync::acquire)) {
            return outcome::done;
          }
          break;
        case state::receiver_waiting:
          // O2, O5, L1: delivers to the parked receiver.
          if (detail::resume(c, now, state::delivered)) return outcome::done;
          break;
        case state::select_receiving:
          // O8: owns the select's cell. Not machine-checked: stronger than needed, [a] and [b].
          if (c.status.compare_exchange_strong(now, state::resuming_by_partner, sync::acq_rel,
                                               sync::acquire)) {
            if (!detail::claim(c, mode.selector())) {
              detail::withdraw(c, state::interrupted_receive);
              return outcome::retry;
            }
            detail::complete(c, state::delivered, 0);
            return outcome::done;
          }
          break;
        case state::closed:
          return outcome::closed;
        case state::poisoned:
        case state::interrupted_receive:
          return outcome::retry;  // its receiver gave up on it
        case state::buffered:
        case state::sender_waiting:
        case state::delivered:
        case state::taken:
        case state::interrupted_send:
        case state::select_sending:
        case state::resuming_by_partner:
        case state::resuming_by_expansion:
        case state::resuming_by_close:
          return outcome::retry;  // only this cell's sender enters these: not met here
      }
    }
  }

  // A parked sender ends with its value taken by a receiver, moved into the buffer by
  // expand_buffer, or back in its hands (timed out, or the channel closed).
  outcome wait_as_sender(cell& c, const wait_mode& mode) {
    state now = detail::park(c, state::sender_waiting, mode.parking_deadline());
    // O4, L4: the timed-out sender withdraws; a failure acquires the resume that won.
    // Not machine-checked: stronger than needed, [b]; afterwards it reads only its own value.
    if (now == state::sender_waiting &&
        c.status.compare_exchange_strong(now, state::interrupted_send, sync::acq_rel,
                                         sync::acquire)) {
      return outcome::timed_out;
    }
    return now == state::closed ? outcome::closed : outcome::done;
  }

  sync::recv_result<T> receive(const wait_mode& mode) {
    sync::recv_result<T> result{sync::channel_status::empty, std::nullopt};
    for (;;) {
      // O1: S then R, the check try_select's collects bracket. Not machine-checked: [c]; for
      // a blocking receive an early exit, which the fetch-and-add's check repeats.
      const std::uint64_t sent = sends_.load(sync::seq_cst);
      const std::uint64_t next = receives_.load(sync::seq_cst);
      if ((sent & closed_bit) != 0 && next >= count_of(sent)) {
        result.status = sync::channel_status::closed;
        return result;
      }
      // try_recv takes no cell while no sender has arrived.
      if (mode.how == waiting::never && next >= count_of(sent)) return result;
      std::uint64_t r;
      segment* seg;
      {
        auto section = domain_.protect(receive_hint_);
        // O1: R's fetch-and-add, then S (store buffering with a sender's). Not machine-checked:
        // the pair with close(), which take()'s load of S repeats (see there): one suffices.
        r = receives_.fetch_add(1, sync::seq_cst);
        const std::uint64_t s = sends_.load(sync::seq_cst);
        if ((s & closed_bit) != 0 && r >= count_of(s)) {
          result.status = sync::channel_status::closed;
          return result;
        }
        seg = reach(section.get(), r, receive_hint_);
      }
      cell& c = seg->cells[r % SegmentSize];
      const outcome got = take(c, r, mode, result.value);
      if (got == outcome::suspended) {
        *mode.parked = {seg, &c};
        return result;
      }
      leave(seg);
      switch (got) {
        case outcome::done:
          result.status = sync::channel_status::ok;
          return result;
        case outcome::full_or_empty:
          return result;
        case outcome::timed_out:
          result.status = sync::channel_status::timeout;
          return result;
        case outcome::closed:
          result.status = sync::channel_status::closed;
          return result;
        case outcome::retry:
        case outcome::registered:  // only a select's receive registers
        case outcome::suspended:   // returned above
          break;
      }
    }
  }

  // The receiver of cell r (section 4, updateCellReceive).
  outcome take(cell& c, std::uint64_t r, const wait_mode& mode, std::optional<T>& into) {
    // O3: acquire, so a published value is seen. Not machine-checked: stronger than needed,
    // [a]: a CAS or await_resolution acquires again each state acted on; the rest end the try.
    state now = c.status.load(sync::acquire);
    for (;;) {
      switch (now) {
        case state::empty:
        case state::in_buffer: {
          // O1: S after R's fetch-and-add. Not machine-checked: with close()'s fetch_or, then
          // load of R, not both old, or r parks in a cell close() skips; the load of S that
          // receive() makes after the same fetch-and-add does the same, so one suffices.
          const std::uint64_t s = sends_.load(sync::seq_cst);
          if (r < count_of(s)) {
            // O4: poisons the slow sender's cell; both retry. Not machine-checked: stronger
            // than needed, [a] and [b].
            if (c.status.compare_exchange_strong(now, state::poisoned, sync::acq_rel,
                                                 sync::acquire)) {
              expand_buffer();
              return outcome::retry;
            }
          } else if ((s & closed_bit) != 0) {
            return outcome::closed;
          } else if (mode.how == waiting::in_select) {
            if (detail::enroll(c, now, state::select_receiving, *mode.select)) {
              expand_buffer();
              return outcome::registered;
            }
          } else if (mode.how == waiting::never) {
            // O4, L4: try_recv withdraws rather than wait. Not machine-checked: stronger
            // than needed, [a] and [b].
            if (c.status.compare_exchange_strong(now, state::interrupted_receive, sync::acq_rel,
                                                 sync::acquire)) {
              expand_buffer();
              return outcome::full_or_empty;
            }
          } else {
            if (mode.waker != nullptr) c.waker.write() = mode.waker;
            // O4: announces the waiting receiver (and publishes its waker); its sender's O5
            // resumes it. Not machine-checked: its acquire is stronger than needed, [a].
            if (c.status.compare_exchange_strong(now, state::receiver_waiting, sync::acq_rel,
                                                 sync::acquire)) {
              expand_buffer();
              if (mode.how == waiting::suspending) return outcome::suspended;
              return wait_as_receiver(c, mode, into);
            }
          }
          break;
        }
        case state::buffered:
          // O3, L1: acquires the value O2 published (or an expansion's O5 passed on).
          // Not machine-checked: stronger than needed, [a]: the read of buffered acquired it.
          if (c.status.compare_exchange_strong(now, state::taken, sync::acquire, sync::acquire)) {
            detail::move_out(c, into);
            expand_buffer();
            return outcome::done;
          }
          break;
        case state::sender_waiting:
          // The parked sender no longer touches the cell once it is taken, so it may be woken
          // before the value is moved out. O3, O5, L1.
          if (detail::resume(c, now, state::taken)) {
            detail::move_out(c, into);
            expand_buffer();
            return outcome::done;
          }
          break;
        case state::select_sending:
          // O8: owns the select's cell. Not machine-checked: stronger than needed, [a] and [b].
          if (c.status.compare_exchange_strong(now, state::resuming_by_partner, sync::acq_rel,
                                               sync::acquire)) {
            if (!detail::claim(c, mode.selector())) {
              detail::withdraw(c, state::interrupted_send);
              return outcome::retry;
            }
            detail::move_out(c, into);
            detail::complete(c, state::taken, 0);
            expand_buffer();
            return outcome::done;
          }
          break;
        case state::resuming_by_expansion:
        case state::resuming_by_close:
          now = detail::await_resolution(c);
          break;
        case state::closed:
          // O1. Not machine-checked: stronger than needed: closed was acquired from close()'s
          // marking, sequenced after its fetch_or, so coherence alone shows the bit.
          return r >= count_of(sends_.load(sync::seq_cst)) ? outcome::closed : outcome::retry;
        case state::interrupted_send:
          return outcome::retry;  // its sender withdrew (no expansion: see expand_buffer)
        case state::receiver_waiting:
        case state::delivered:
        case state::taken:
        case state::poisoned:
        case state::interrupted_receive:
        case state::select_receiving:
        case state::resuming_by_partner:
          return outcome::retry;  // only this cell's receiver enters these: not met here
      }
    }
  }

  outcome wait_as_receiver(cell& c, const wait_mode& mode, std::optional<T>& into) {
    state now = detail::park(c, state::receiver_waiting, mode.parking_deadline());
    // O4, L4: the timed-out receiver withdraws; a failure acquires the delivery (O3).
    // Not machine-checked: needed on failure, or move_out races the sender's write of the
    // value; it takes a delivery between park's timeout and this O4 CAS. Its release is not: [b].
    if (now == state::receiver_waiting &&
        c.status.compare_exchange_strong(now, state::interrupted_receive, sync::acq_rel,
                                         sync::acquire)) {
      return outcome::timed_out;
    }
    if (now == state::closed) return outcome::closed;
    detail::move_out(c, into);
    return outcome::done;
  }

  // Section 4, expandBuffer: one receiver's cell has left the buffer's window [R, B), so B
  // moves on by one cell that holds (or will hold) a value. A cell whose sender withdrew holds
  // none, so expansion skips it and takes the next; that is also why a receiver that meets such
  // a cell does not expand: expansion has already counted it, or will skip it.
  void expand_buffer() {
    if (capacity_ == 0) return;
    for (;;) {
      // The whole expansion runs in one read-side section, opened before the fetch-and-add:
      // see "Memory" (docs/algorithms/channel.md) for why an expansion holds no index of its
      // segment.
      auto section = domain_.protect(buffer_hint_);
      // O1: B's fetch-and-add, then S (store buffering with a sender's S, then B).
      const std::uint64_t b = buffer_end_.fetch_add(1, sync::seq_cst);
      // O1: no sender has this cell yet; when it comes, it sees s < B and buffers without
      // waiting. With a sender's fetch-and-add, then load of B, not both old, or sender b waits
      // though the buffer has room (relacy_channel_store_buffering deadlocks without it).
      if (b >= count_of(sends_.load(sync::seq_cst))) return;
      segment* const seg = reach(section.get(), b, buffer_hint_);
      if (!buffer_cell(seg->cells[b % SegmentSize])) return;
    }
  }

  // Makes cell b part of the buffer; true if its sender withdrew, so another cell is needed.
  bool buffer_cell(cell& c) {
    // O3. Not machine-checked: stronger than needed, [a]: every state read here is acted on
    // by a CAS or an await_resolution that acquires it again, or ends the call.
    state now = c.status.load(sync::acquire);
    for (;;) {
      switch (now) {
        case state::empty:
          // O4: the sender, when it comes, buffers (O2) instead of waiting. Not
          // machine-checked: stronger than needed, [a] and [b].
          if (c.status.compare_exchange_strong(now, state::in_buffer, sync::acq_rel,
                                               sync::acquire)) {
            return false;
          }
          break;
        case state::sender_waiting:
          // O5, L1: a read-modify-write, so the sender's O2 release sequence reaches the
          // receiver's O3 through it.
          if (detail::resume(c, now, state::buffered)) return false;
          break;
        case state::select_sending:
          // O8: owns the select's cell. Not machine-checked: stronger than needed, [a] and [b].
          if (c.status.compare_exchange_strong(now, state::resuming_by_expansion, sync::acq_rel,
                                               sync::acquire)) {
            if (!detail::claim(c, nullptr)) {
              detail::withdraw(c, state::interrupted_send);
              return true;
            }
            detail::complete(c, state::buffered, 0);
            return false;
          }
          break;
        case state::resuming_by_partner:
        case state::resuming_by_close:
          // Whether the cell ends up holding a value decides whether it counts in the buffer.
          now = detail::await_resolution(c);
          break;
        case state::interrupted_send:
          return true;
        case state::in_buffer:
        case state::buffered:
        case state::receiver_waiting:
        case state::delivered:
        case state::taken:
        case state::poisoned:
        case state::interrupted_receive:
        case state::closed:
        case state::select_receiving:
        case state::resuming_by_expansion:
          return false;  // buffered already, or its receiver has dealt with it
      }
    }
  }

  // close()'s walk: see "Close" in docs/algorithms/channel.md.
  void close_cell(cell& c, bool below_closed) {
    // O3. Not machine-checked: stronger than needed, [a]: every state read here is acted on
    // by a CAS or an await_resolution that acquires it again, or ends the call.
    state now = c.status.load(sync::acquire);
    for (;;) {
      const bool select_clause = (now == state::select_sending && below_closed) ||
                                 (now == state::select_receiving && !below_closed);
      if (select_clause) {
        const state withdrawn =
            below_closed ? state::interrupted_send : state::interrupted_receive;
        // O8: owns the select's cell. Not machine-checked: stronger than needed, [a] and [b].
        if (c.status.compare_exchange_strong(now, state::resuming_by_close, sync::acq_rel,
                                             sync::acquire)) {
          if (!detail::claim(c, nullptr)) {
            detail::withdraw(c, withdrawn);
          } else {
            detail::complete(c, state::closed, detail::selection::by_close);
          }
          return;
        }
        continue;
      }
      // A cell another thread is resuming ends buffered, taken or withdrawn: none for close.
      const bool mark = now == state::empty || now == state::in_buffer ||
                        (now == state::sender_waiting && below_closed) ||
                        (now == state::receiver_waiting && !below_closed);
      if (!mark) return;
      // O5, L3: closes the cell, waking a parked sender or receiver.
      if (detail::resume(c, now, state::closed)) return;
    }
  }

  // The segment of `index`, walked to from `hinted`, the hint's value loaded in the caller's
  // read-side section before the fetch-and-add that handed out `index` (so no later than the
  // segment of `index`: a hint moves only to segments of indices handed out before); missing
  // segments are appended on the way, and the hint is moved forward to the segment.
  segment* reach(segment* hinted, std::uint64_t index, sync::atomic<segment*>& hint) {
    const std::uint64_t id = index / SegmentSize;
    segment* s = detail::find_segment(domain_, id, hinted);
    while (hinted->id < id) {
      // O12 seq_cst: a hint's move, read by advance_head's names(). Not machine-checked:
      // [d], the pair with leave().
      if (hint.compare_exchange_strong(hinted, s, sync::seq_cst, sync::seq_cst)) {
        advance_head();
        break;
      }
    }
    return s;
  }

  // The sender or receiver that held one of the segment's cell indices is done with it.
  void leave(segment* s) {
    // O12 seq_cst: the last leave and the last hint move: one of them sees the other.
    // Not machine-checked: [d].
    if (s->handled.fetch_add(1, sync::seq_cst) + 1 == 2 * SegmentSize) advance_head();
  }

  // Retires segments from the front ("Memory", docs/algorithms/channel.md): the first one goes
  // once its senders and receivers have all left it, the send and receive hints are past it,
  // and B is past its last cell; the buffer hint, which only expansions that have not yet taken
  // an index could still load, is moved past it first. Called when a segment's last holder
  // leaves and when a hint moves: their seq_cst accesses (O12) make at least one of the two see
  // both conditions. (B passing the segment triggers nothing: it goes at the next call.)
  void advance_head() {
    auto section = domain_.protect(head_);
    segment* h = section.get();
    for (;;) {
      // O12. Not machine-checked: [d].
      if (h->handled.load(sync::seq_cst) != 2 * SegmentSize) return;
      if (names(send_hint_, h) || names(receive_hint_, h)) return;
      // O3 of the segment list (channel_segment.hpp O1): not null, a hint is past h.
      // Not machine-checked: stronger than needed: names() acquired a hint past h, moved by a
      // walk that loaded this link with acquire, so the next segment's id is visible already.
      segment* next = h->next.load(sync::acquire);
      if (capacity_ != 0) {
        // O1, O12. Not machine-checked: stronger than needed: a stale B only defers the
        // retire, [d], and nothing pairs with it (an expansion calls no advance_head).
        if (buffer_end_.load(sync::seq_cst) < (h->id + 1) * SegmentSize) return;
        segment* expected = h;
        // O12. Not machine-checked: stronger than needed: no pair reads the buffer hint; the
        // grace period of the retire below keeps a later expansion from loading h.
        buffer_hint_.compare_exchange_strong(expected, next, sync::seq_cst, sync::seq_cst);
      }
      // O13 acq_rel: one retire per segment; acquire, the winner's head on failure.
      // Not machine-checked: needed on failure if head_ moved twice since h was read (three
      // advance_heads overlap): the new head's plain id is ordered by the winner's release alone.
      if (head_.compare_exchange_strong(h, next, sync::acq_rel, sync::acquire)) {
        domain_.retire(h);
        h = next;
      }
    }
  }

  static bool names(const sync::atomic<segment*>& hint, const segment* s) {
    // O12. Not machine-checked: [d].
    return hint.load(sync::seq_cst)->id <= s->id;
  }

  const std::size_t capacity_;
  domain_type domain_;
  alignas(sync::cache_line) sync::atomic<segment*> head_{nullptr};
  alignas(sync::cache_line) sync::atomic<std::uint64_t> sends_{0};
  alignas(sync::cache_line) sync::atomic<std::uint64_t> receives_{0};
  alignas(sync::cache_line) sync::atomic<std::uint64_t> buffer_end_{0};
  alignas(sync::cache_line) sync::atomic<segment*> send_hint_{nullptr};
  sync::atomic<segment*> receive_hint_{nullptr};
  sync::atomic<segment*> buffer_hint_{nullptr};
};

}  // namespace lockstep::lockfree
