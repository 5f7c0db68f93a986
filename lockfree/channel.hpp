// channel<T, Reclaimer, SegmentSize>: a lock-free Go-style channel, buffered or unbuffered
// (rendezvous), after N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in
// Kotlin Coroutines", PPoPP 2023: the rendezvous channel of section 3 and the buffered channel of
// section 4 (BufferedChannel), with the cancellation of section 5 for the timed and non-blocking
// operations, adapted from suspended coroutines to threads that park. The semantics are those of
// sync/channel.hpp (and of locked::channel): see there.
//
// The algorithm. The channel is an infinite array of cells and three counters: S, the number of
// send attempts (its top bit says closed), R, the number of receive attempts, and B, the end of
// the buffer (capacity + the buffer expansions so far; unused when the channel is unbuffered).
// A send takes cell s = S++ and a receive takes cell r = R++ (fetch-and-add: contended threads
// spread over cells instead of retrying one CAS). Sender s and receiver s meet in cell s:
//   - a sender that finds its cell empty stores its value in it and marks it buffered if s < B
//     (the cell is in the buffer) or s < R (its receiver has arrived, or will), and otherwise
//     marks it sender_waiting and parks;
//   - a receiver that finds its cell buffered, or sender_waiting, takes the value; one that
//     finds it empty with r >= S (no sender yet) marks it receiver_waiting and parks until a
//     sender marks it delivered; one that finds it empty with r < S (its sender has taken the
//     cell but not yet written it) poisons it rather than wait for a thread that may be
//     descheduled, and both of them retry with new cells (section 3.1);
//   - a receive that retires a cell moves the buffer's end: expand_buffer takes b = B++ and, if
//     sender b is waiting there, moves its value into the buffer and wakes it, or marks an empty
//     cell in_buffer so that its sender will not wait (section 4, expandBuffer).
// The infinite array is a linked list of segments of SegmentSize cells, each found from a hint
// per counter (section 3.2, findSegment).
//
// Waiters. A suspended coroutine becomes a parked thread, and the cell itself is the waiter
// record: the parked thread spins and yields on the cell's state word for a while, then waits
// on it (sync::atomic::wait, a futex), and the thread that resumes it changes the state with a
// CAS and notifies. The value waits in the cell (never on the waiter's stack), so a resumer
// reads or writes it without touching the parked thread's memory, and a waiter record costs
// nothing. A timed waiter (send_for, recv_for) sleeps in slices of up to a millisecond between
// looks at its cell instead: the word is a sync::atomic, whose notify makes no system call when
// libstdc++ knows of no waiter, so a sleeper on a raw timed futex (sync::parking_word) would
// never be woken by it.
//
// Cancellation (section 5). A timed operation whose time runs out, and a try_send/try_recv that
// would have to wait, withdraw from their cell with a CAS to interrupted_send or
// interrupted_receive; the resumer's CAS and the withdrawal's CAS are on the same word, so
// exactly one wins: the value is either handed over or back with its owner, never both. A
// withdrawn cell is skipped by the other side, which retries with a new cell; expand_buffer
// skips interrupted senders too, so the buffer still holds `capacity` values. try_send first
// checks that it would not have to wait (s >= B and s >= R) without taking a cell, and try_recv
// that some sender has arrived (r < S), so an idle poll consumes no cells; a try that loses the
// race after taking its cell reports full or empty although a concurrent operation changed that
// answer while it ran: a receiver that poisoned the try_send's cell has not yet moved B, say,
// so a capacity-1 channel that never held a value can report full to a try_send racing a
// try_recv. Nothing is lost either way: a try that fails keeps its value.
//
// Select (lockfree/select.hpp, the paper's select section). A select's clause runs this send or
// receive with waiting::in_select: where the operation would park, it registers the select
// instead (select_sending with its value in the cell, or select_receiving), naming the shared
// instance and the clause in the cell. The partner, an expansion or close() that meets such a
// cell owns it first (a CAS to a resuming state), then claims the instance (see claim()): the
// winner completes the clause as it would a parked thread's, the loser withdraws the cell
// (interrupted_send or interrupted_receive) and moves on as it does past a cancelled waiter.
// The owner's two steps are the one place where another operation waits: a receiver whose
// select-sending cell an expansion or close() owns, or an expansion whose cell a receiver or
// close() owns, waits for the outcome, which decides whether the cell holds a value. A
// select-receiving cell meets one resumer only (its sender, or close() if it has none), and
// close() leaves a cell that another thread is resuming to it.
//
// Close. close() sets S's closed bit with a fetch_or; s_closed, the count it returns, is the
// number of sends that will ever take a cell. A send whose fetch-and-add sees the bit throws, and
// a receive whose cell r >= s_closed reports closed without visiting it. close() then walks the
// cells that might hold a parked thread or a sender yet to arrive: from min(R, s_closed) to
// max(R, s_closed). Below s_closed it marks empty cells and waiting senders closed (a sender that
// has taken a cell but not yet written it, or waits in it, throws channel_closed with its value
// back: Go panics such senders), and leaves buffered values to their receivers. From s_closed on
// it marks empty cells and waiting receivers closed (no sender will come: they return nullopt).
// A receiver below s_closed that meets a closed cell retries with a later one, so it sees every
// buffered value before nullopt.
//
// Progress. send and recv are lock-free apart from parking, which is blocking by definition:
// every retry (a poisoned or withdrawn cell, a failed CAS on a cell's state) is caused by another
// operation's progress, and every loop that is not parking ends after a bounded number of steps
// of the others (a cell's state changes at most three times: empty, sender_waiting, buffered,
// taken), apart from the wait for a select's resumer (see "Select"). try_send, try_recv
// and close are lock-free; send_for and recv_for are lock-free up to their deadline. Finding a
// segment allocates one every SegmentSize cells, and retiring one costs the policy's retire
// (epochs: an uncontended mutex on the retiring thread's limbo list): lock-free as far as the
// allocator and the reclaimer are.
//
// Linearization points. Every cell is taken by at most one sender and one receiver, so a value's
// path is fixed by its cell. A send or receive that meets its partner in cell c is linearized at
// the CAS that completes the hand-over in c (to buffered, delivered or taken); a send that
// buffers is linearized at its CAS to buffered, the receive that takes the value at its CAS to
// taken; a parked sender whose value expand_buffer moves into the buffer, at that CAS. FIFO per
// sender: a sender's sends run one after another and each takes a cell with a
// larger index than all cells of its previous sends, and receivers take cells in index order.
// close() is linearized at its fetch_or on S. A send that throws channel_closed is linearized
// after it (its fetch-and-add saw the bit, or close() marked its cell closed before the send's
// CAS). A receive returns nullopt only from a cell r >= s_closed: every value was sent to a cell
// below s_closed, each of which has a receiver with a smaller index.
//
// Ordering. A value is written into its cell's plain storage before the sender's CAS on the
// cell's state that publishes it (to buffered or sender_waiting, or delivered for a parked
// receiver), a release; the receiver reads it after a CAS or load of that state, or of a later
// link of its release sequence (expand_buffer's CAS from sender_waiting to buffered is a
// read-modify-write, so it continues the sequence), an acquire. Every CAS on a cell's state is
// acq_rel, and acquire when it fails, because a thread acts on the state a failed CAS returns (a
// timed-out receiver whose withdrawal fails reads the delivered value); acq_rel rather than
// release or relaxed on success because C++11, which Relacy models, forbids a failure order
// stronger than the success order (on x86 both are the same locked instruction). A value
// returned to its sender was never published. Whether a party waits is decided on the three
// counters, which are seq_cst: a sender's fetch-and-add on S precedes its load of R, and a
// receiver's fetch-and-add on R precedes its load of S, in the one total order, so of sender s
// and receiver r = s at least one sees the other (the store-buffering pattern). Both may still
// decide to wait: then both CAS the same empty cell, and the loser sees the winner's state and
// completes the exchange. close()'s fetch_or and its load of R are seq_cst too: a receiver whose
// fetch-and-add follows that load sees the closed bit in its load of S.
//
// Memory. Segments are allocated and retired through the Reclaimer policy (hazard/reclaimer.hpp),
// and retired from the front, so a channel holds the segments from its oldest cell still in use
// to its newest: about (capacity + threads in flight) / SegmentSize segments, however much
// traffic has passed. A segment is retired once (1) every sender and every receiver that took
// one of its 2 * SegmentSize indices has left it (a count in the segment: a thread leaves after
// its last access, a parked one after it wakes), (2) the send and receive hints have moved past
// it, so no later walk starts there, and (3) B has passed its last cell; the buffer hint is then
// moved past it too, and head_ moves on and the segment is retired. Walks (from a hint to a
// cell's segment, and close()'s walk from head_) run inside a read-side section opened before
// the fetch-and-add that handed out the index, so the segments on the way, and the hint's own,
// cannot be freed under the walk; once the walk ends, the index the thread holds keeps its
// segment from being retired, so a thread parks outside any section (an epoch is never held
// back by a parked thread). An expansion holds no index: it runs entirely inside its section,
// and a cell of a segment retired meanwhile is in a final state, which it leaves alone. Only a
// policy whose protection covers every node reached while it lasts will do: epochs (the
// default) or leaking; hazard pointers, which protect the one node loaded, are rejected at
// compile time. Sends and receives that find the channel closed leave no cell (their indices
// are never handled), so the segments from the one holding s_closed on are kept until the
// channel is destroyed. A cell is a state
// word, a sync::plain<std::optional<T>>, and the select registered there, if any.
//
// Values. send(const T&) copies into each cell it tries; send(T&&) moves in and, from a cell it
// must give up (poisoned, withdrawn, closed), back, so it moves only when T's move constructor and
// move assignment cannot throw, and otherwise copies (as std::move_if_noexcept chooses). A send
// that fails leaves the caller's value as it was.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

template <class... Cases>
class select_over;

namespace detail {

// A select's shared instance (lockfree/select.hpp), which each of its clauses registers in a
// cell: one state word decides which clause fires, and the selecting thread parks on it. It
// lives on the heap, counted: a reference for the selecting thread and one per cell that names
// it, dropped by whoever moves that cell out of its select state, so that a resumer that owns
// such a cell may still reach the instance after the select has returned.
struct selection {
  // registering | clause bits: the selecting thread is still registering, and alone decides;
  // a resumer that meets one of its cells then only asks for that clause to be registered again.
  static constexpr std::uint32_t registering = std::uint32_t{1} << 31;
  static constexpr std::uint32_t waiting = 0;
  static constexpr std::uint32_t claimed = std::uint32_t{1} << 30;  // a resumer is completing
  static constexpr std::uint32_t fired = std::uint32_t{1} << 29;    // | by_close | clause
  static constexpr std::uint32_t by_close = std::uint32_t{1} << 28;
  static constexpr std::uint32_t cancelled = std::uint32_t{1} << 27;  // select_for timed out
  static constexpr std::uint32_t clause_bits = cancelled - 1;
  static constexpr std::size_t max_clauses = 27;

  sync::parking_word state{registering};
  sync::atomic<std::uint32_t> references{1};
  // Set when one of the select's clauses met another of its clauses (a send and a receive on one
  // channel): see "Meeting itself" in lockfree/select.hpp. Only the selecting thread touches it.
  bool met_itself = false;

  void add_reference() { references.fetch_add(1, sync::relaxed); }
  void release() {
    if (references.fetch_sub(1, sync::acq_rel) == 1) delete this;
  }
};

// A channel's three counters as try_select collects them (lockfree/select.hpp): S with its
// closed bit, R and B. Each only grows, so two collects that read the same values bracket an
// interval in which none of them moved.
struct channel_counters {
  std::uint64_t sends = 0;
  std::uint64_t receives = 0;
  std::uint64_t buffer_end = 0;
  bool operator==(const channel_counters&) const = default;
};

// The reclaimers whose protection covers every node reached while it lasts, not only the one
// loaded: an epoch's read-side section, and leaking, which frees nothing.
template <class Reclaimer>
inline constexpr bool section_reclaimer = false;
template <std::size_t RetireThreshold>
inline constexpr bool section_reclaimer<hazard::basic_epochs<RetireThreshold>> = true;
template <>
inline constexpr bool section_reclaimer<hazard::leaking> = true;
}  // namespace detail

template <class T, class Reclaimer = hazard::epochs, std::size_t SegmentSize = 32>
class channel {
  static_assert(SegmentSize > 0, "channel: a segment needs at least one cell");

  // A cell's states (section 3's EMPTY, BUFFERED, waiter, DONE_RCV, POISONED; section 4's
  // IN_BUFFER; section 5's INTERRUPTED_SEND and INTERRUPTED_RCV; CLOSED). A state word
  // rather than an enum so that it is a futex word natively.
  struct state {
    static constexpr std::uint32_t empty = 0;
    static constexpr std::uint32_t in_buffer = 1;         // expand_buffer: its sender must not wait
    static constexpr std::uint32_t buffered = 2;          // holds a value for receiver s
    static constexpr std::uint32_t sender_waiting = 3;    // holds a value; its sender is parked
    static constexpr std::uint32_t receiver_waiting = 4;  // its receiver is parked
    static constexpr std::uint32_t delivered = 5;         // a value for the parked receiver
    static constexpr std::uint32_t taken = 6;             // its receiver has the value
    static constexpr std::uint32_t poisoned = 7;          // its receiver gave up on a slow sender
    static constexpr std::uint32_t interrupted_send = 8;
    static constexpr std::uint32_t interrupted_receive = 9;
    static constexpr std::uint32_t closed = 10;
    // A select's clause is registered here (its value in the cell for a send): see "Select".
    static constexpr std::uint32_t select_receiving = 11;
    static constexpr std::uint32_t select_sending = 12;
    // One thread owns the select's cell while it claims the select and completes or withdraws
    // the clause: its partner, an expansion, or close().
    static constexpr std::uint32_t resuming_by_partner = 13;
    static constexpr std::uint32_t resuming_by_expansion = 14;
    static constexpr std::uint32_t resuming_by_close = 15;
  };

  struct cell {
    sync::atomic<std::uint32_t> status{state::empty};
    sync::plain<std::optional<T>> value;
    // The select registered here and its clause: written before the CAS that publishes the
    // select state, read by the thread that then owns the cell.
    sync::plain<detail::selection*> selector{nullptr};
    sync::plain<std::uint32_t> clause{0};
  };

  struct segment {
    std::uint64_t id = 0;  // written before the segment is published, read-only after
    // Cell indices of this segment whose holder has finished with it: see "Memory".
    sync::atomic<std::uint64_t> handled{0};
    sync::atomic<segment*> next{nullptr};
    std::array<cell, SegmentSize> cells;
  };

  static_assert(hazard::reclaimer<Reclaimer, segment>,
                "channel: Reclaimer does not model hazard::reclaimer (hazard/reclaimer.hpp)");
  static_assert(detail::section_reclaimer<Reclaimer>,
                "channel: segments are reached by walking `next` links, which only a read-side "
                "section protects; use epochs or leaking (see \"Memory\" in the header)");
  using domain_type = typename Reclaimer::template domain<segment>;

  static constexpr std::uint64_t closed_bit = std::uint64_t{1} << 63;
  static constexpr std::uint64_t count_of(std::uint64_t sends) noexcept {
    return sends & ~closed_bit;
  }

  // Whether send(T&&) may move: see "Values" in the header comment.
  static constexpr bool moves_safely =
      std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>;
  static_assert(moves_safely || std::is_copy_constructible_v<T>,
                "channel: T must be copy-constructible, or nothrow move-constructible and "
                "nothrow move-assignable (a value is moved back from a cell a send gives up)");

  // How a send or receive may wait: not at all (try_), until the deadline (_for), or for as
  // long as it takes.
  enum class waiting { never, until_deadline, forever, in_select };
  using clock = std::chrono::steady_clock;

  // What one cell gave a send or a receive.
  enum class outcome { done, retry, full_or_empty, timed_out, closed, registered };

  // A select's clause, for the cell it registers in.
  struct ticket {
    detail::selection* selector;
    std::uint32_t clause;
  };

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

  void send(const T& value) { send_or_throw(std::as_const(value)); }
  void send(T&& value) {
    if constexpr (moves_safely) {
      send_or_throw(value);
    } else {
      send_or_throw(std::as_const(value));
    }
  }

  std::optional<T> recv() { return receive(waiting::forever, {}).value; }

  sync::channel_status try_send(const T& value) {
    return send_value(std::as_const(value), waiting::never, {});
  }
  sync::channel_status try_send(T&& value) {
    if constexpr (moves_safely) {
      return send_value(value, waiting::never, {});
    } else {
      return send_value(std::as_const(value), waiting::never, {});
    }
  }

  sync::recv_result<T> try_recv() { return receive(waiting::never, {}); }

  // On a closed channel, or one closed while it waits, send_for throws channel_closed as send
  // does (and as locked::channel's does), with the value left as it was.
  template <class Rep, class Period>
  sync::channel_status send_for(const T& value, std::chrono::duration<Rep, Period> d) {
    return send_or_throw(std::as_const(value), waiting::until_deadline, deadline_after(d));
  }
  template <class Rep, class Period>
  sync::channel_status send_for(T&& value, std::chrono::duration<Rep, Period> d) {
    if constexpr (moves_safely) {
      return send_or_throw(value, waiting::until_deadline, deadline_after(d));
    } else {
      return send_or_throw(std::as_const(value), waiting::until_deadline, deadline_after(d));
    }
  }

  template <class Rep, class Period>
  sync::recv_result<T> recv_for(std::chrono::duration<Rep, Period> d) {
    return receive(waiting::until_deadline, deadline_after(d));
  }

  void close() {
    const std::uint64_t before = sends_.fetch_or(closed_bit, sync::seq_cst);
    if ((before & closed_bit) != 0) {
      throw sync::channel_closed("lockstep::lockfree::channel: close of closed channel");
    }
    const std::uint64_t closed_at = before;
    const std::uint64_t received = receives_.load(sync::seq_cst);
    const std::uint64_t last = std::max(received, closed_at);
    // Every cell of the walk has a holder yet to handle it (a receiver >= R, or a sender >=
    // s_closed that never comes), so its segment is at or after head_; the section keeps the
    // segments on the way from head_ alive.
    auto section = domain_.protect(head_);
    segment* from = section.get();
    for (std::uint64_t i = std::min(received, closed_at); i < last; ++i) {
      from = find(i / SegmentSize, from);
      close_cell(from->cells[i % SegmentSize], i < closed_at);
    }
  }

  bool closed() const { return (sends_.load(sync::seq_cst) & closed_bit) != 0; }
  std::size_t capacity() const noexcept { return capacity_; }

  // Go's len(ch): the values in the buffer, between 0 and capacity() (0 when unbuffered). It is
  // computed from the counters as the buffer's cells whose sender has arrived, [R, min(S, B)),
  // read one after another, so under concurrency it is a hint that may be stale when it returns.
  // It counts a sender still writing its value there, and a send that gave up in a cell that the
  // buffer reached later (a send_for that timed out, a select's send case that did not fire)
  // until a receiver passes that cell. Wait-free.
  std::size_t len() const {
    // seq_cst as the counters' other accesses; S and B before R, so that a receiver passing
    // meanwhile makes the count smaller, not larger.
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

  // select's side (lockfree/select.hpp). A registered clause's cell, and the segment whose
  // index it holds until the select is decided.
  struct registration {
    segment* seg = nullptr;
    cell* place = nullptr;
  };
  enum class select_step { fired, closed, registered };

  // try_select's collect. seq_cst: these loads, the fetch-and-adds that move the counters and
  // the loads of try_send's and try_recv's checks all lie in the one total order, so the point
  // of that order between two equal collects is an instant at which every counter had its
  // collected value.
  detail::channel_counters counters() const {
    return {sends_.load(sync::seq_cst), receives_.load(sync::seq_cst),
            buffer_end_.load(sync::seq_cst)};
  }

  // A receive that, where it would park, registers the select's clause instead.
  select_step register_receive(const ticket& t, registration& reg, std::optional<T>& into) {
    for (;;) {
      const std::uint64_t sent = sends_.load(sync::seq_cst);
      if ((sent & closed_bit) != 0 && receives_.load(sync::seq_cst) >= count_of(sent)) {
        return select_step::closed;
      }
      std::uint64_t r;
      segment* seg;
      {
        auto section = domain_.protect(receive_hint_);
        r = receives_.fetch_add(1, sync::seq_cst);
        const std::uint64_t s = sends_.load(sync::seq_cst);
        if ((s & closed_bit) != 0 && r >= count_of(s)) return select_step::closed;
        seg = reach(section.get(), r, receive_hint_);
      }
      cell& c = seg->cells[r % SegmentSize];
      const outcome got = take(c, r, waiting::in_select, {}, into, &t);
      if (got == outcome::registered) {
        reg = {seg, &c};
        return select_step::registered;
      }
      leave(seg);
      if (got == outcome::done) return select_step::fired;
      if (got == outcome::closed) return select_step::closed;
    }
  }

  // A send that, where it would park, registers the select's clause instead; `value` stays the
  // select's until a cell is published with it, as in send_value.
  template <class Value>
  select_step register_send(const ticket& t, registration& reg, Value& value) {
    for (;;) {
      std::uint64_t s;
      segment* seg;
      {
        auto section = domain_.protect(send_hint_);
        s = sends_.fetch_add(1, sync::seq_cst);
        if ((s & closed_bit) != 0) return select_step::closed;
        seg = reach(section.get(), s, send_hint_);
      }
      cell& c = seg->cells[s % SegmentSize];
      place(c, value);
      const outcome result = deliver(c, s, waiting::in_select, {}, &t);
      if (result == outcome::registered) {
        reg = {seg, &c};
        return select_step::registered;
      }
      if (result == outcome::done) {
        leave(seg);
        return select_step::fired;
      }
      take_back(c, value);
      leave(seg);
      if (result == outcome::closed) return select_step::closed;
    }
  }

  // The select is decided and not by this clause (or a resumer asked for it to be registered
  // again): the select withdraws its cell, unless a resumer that owns it withdraws it (one that
  // could not have won).
  void cancel_receive(registration& reg) {
    cell& c = *reg.place;
    std::uint32_t now = state::select_receiving;
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
    std::uint32_t now = state::select_sending;
    if (c.status.compare_exchange_strong(now, state::interrupted_send, sync::acq_rel,
                                         sync::acquire)) {
      c.selector.read()->release();
    }
    take_back(c, value);
    leave(reg.seg);
  }

  // The clause a resumer fired, after the select acquired its `fired` state.
  void finish_receive(registration& reg, bool by_close, std::optional<T>& into) {
    if (by_close) {
      into.reset();
    } else {
      move_out(*reg.place, into);
    }
    leave(reg.seg);
  }

  template <class Value>
  void finish_send(registration& reg, bool by_close, Value& value) {
    if (by_close) take_back(*reg.place, value);
    leave(reg.seg);
  }

  template <class Rep, class Period>
  static clock::time_point deadline_after(std::chrono::duration<Rep, Period> d) {
    const auto now = clock::now();
    if (d > clock::time_point::max() - now) return clock::time_point::max();
    return now + std::chrono::ceil<clock::duration>(d);
  }

  template <class Value>
  sync::channel_status send_or_throw(Value& value, waiting how = waiting::forever,
                                     clock::time_point deadline = {}) {
    const sync::channel_status status = send_value(value, how, deadline);
    if (status == sync::channel_status::closed) {
      throw sync::channel_closed("lockstep::lockfree::channel: send on closed channel");
    }
    return status;
  }

  // Value is const T (copied into each cell tried) or T (moved in, and back from a cell given
  // up): the value stays the caller's until a cell is published with it.
  template <class Value>
  sync::channel_status send_value(Value& value, waiting how, clock::time_point deadline) {
    for (;;) {
      const std::uint64_t now = sends_.load(sync::seq_cst);
      if ((now & closed_bit) != 0) return sync::channel_status::closed;
      // try_send takes no cell when it would wait (Kotlin's shouldSendSuspend).
      if (how == waiting::never && count_of(now) >= buffer_end_.load(sync::seq_cst) &&
          count_of(now) >= receives_.load(sync::seq_cst)) {
        return sync::channel_status::full;
      }
      std::uint64_t ticket;
      segment* seg;
      {
        auto section = domain_.protect(send_hint_);
        ticket = sends_.fetch_add(1, sync::seq_cst);
        if ((ticket & closed_bit) != 0) return sync::channel_status::closed;
        seg = reach(section.get(), ticket, send_hint_);
      }
      cell& c = seg->cells[ticket % SegmentSize];
      place(c, value);
      const outcome result = deliver(c, ticket, how, deadline);
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
        default:
          break;
      }
    }
  }

  // The sender of cell s, its value already in the cell (section 4, updateCellSend).
  outcome deliver(cell& c, std::uint64_t s, waiting how, clock::time_point deadline,
                  const ticket* select = nullptr) {
    std::uint32_t now = c.status.load(sync::acquire);
    for (;;) {
      switch (now) {
        case state::empty:
          if (s < buffer_end_.load(sync::seq_cst) || s < receives_.load(sync::seq_cst)) {
            if (c.status.compare_exchange_strong(now, state::buffered, sync::acq_rel,
                                                 sync::acquire)) {
              return outcome::done;
            }
          } else if (how == waiting::in_select) {
            if (enroll(c, now, state::select_sending, *select)) return outcome::registered;
          } else if (how == waiting::never) {
            if (c.status.compare_exchange_strong(now, state::interrupted_send, sync::acq_rel,
                                                 sync::acquire)) {
              return outcome::full_or_empty;
            }
          } else if (c.status.compare_exchange_strong(now, state::sender_waiting, sync::acq_rel,
                                                      sync::acquire)) {
            return wait_as_sender(c, how, deadline);
          }
          break;
        case state::in_buffer:
          if (c.status.compare_exchange_strong(now, state::buffered, sync::acq_rel,
                                               sync::acquire)) {
            return outcome::done;
          }
          break;
        case state::receiver_waiting:
          if (resume(c, now, state::delivered)) return outcome::done;
          break;
        case state::select_receiving:
          if (c.status.compare_exchange_strong(now, state::resuming_by_partner, sync::acq_rel,
                                               sync::acquire)) {
            if (!claim(c, select)) return withdraw(c, state::interrupted_receive);
            complete(c, state::delivered, 0);
            return outcome::done;
          }
          break;
        case state::closed:
          return outcome::closed;
        default:
          return outcome::retry;  // poisoned, or its receiver withdrew
      }
    }
  }

  // A parked sender ends with its value taken by a receiver, moved into the buffer by
  // expand_buffer, or back in its hands (timed out, or the channel closed).
  outcome wait_as_sender(cell& c, waiting how, clock::time_point deadline) {
    std::uint32_t now = park(c, state::sender_waiting, how, deadline);
    if (now == state::sender_waiting &&
        c.status.compare_exchange_strong(now, state::interrupted_send, sync::acq_rel,
                                         sync::acquire)) {
      return outcome::timed_out;
    }
    return now == state::closed ? outcome::closed : outcome::done;
  }

  sync::recv_result<T> receive(waiting how, clock::time_point deadline) {
    sync::recv_result<T> result{sync::channel_status::empty, std::nullopt};
    for (;;) {
      const std::uint64_t sent = sends_.load(sync::seq_cst);
      const std::uint64_t next = receives_.load(sync::seq_cst);
      if ((sent & closed_bit) != 0 && next >= count_of(sent)) {
        result.status = sync::channel_status::closed;
        return result;
      }
      // try_recv takes no cell while no sender has arrived.
      if (how == waiting::never && next >= count_of(sent)) return result;
      std::uint64_t r;
      segment* seg;
      {
        auto section = domain_.protect(receive_hint_);
        r = receives_.fetch_add(1, sync::seq_cst);
        const std::uint64_t s = sends_.load(sync::seq_cst);
        if ((s & closed_bit) != 0 && r >= count_of(s)) {
          result.status = sync::channel_status::closed;
          return result;
        }
        seg = reach(section.get(), r, receive_hint_);
      }
      const outcome got = take(seg->cells[r % SegmentSize], r, how, deadline, result.value);
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
          break;
      }
    }
  }

  // The receiver of cell r (section 4, updateCellReceive).
  outcome take(cell& c, std::uint64_t r, waiting how, clock::time_point deadline,
               std::optional<T>& into, const ticket* select = nullptr) {
    std::uint32_t now = c.status.load(sync::acquire);
    for (;;) {
      switch (now) {
        case state::empty:
        case state::in_buffer: {
          const std::uint64_t s = sends_.load(sync::seq_cst);
          if (r < count_of(s)) {
            if (c.status.compare_exchange_strong(now, state::poisoned, sync::acq_rel,
                                                 sync::acquire)) {
              expand_buffer();
              return outcome::retry;
            }
          } else if ((s & closed_bit) != 0) {
            return outcome::closed;
          } else if (how == waiting::in_select) {
            if (enroll(c, now, state::select_receiving, *select)) {
              expand_buffer();
              return outcome::registered;
            }
          } else if (how == waiting::never) {
            if (c.status.compare_exchange_strong(now, state::interrupted_receive, sync::acq_rel,
                                                 sync::acquire)) {
              expand_buffer();
              return outcome::full_or_empty;
            }
          } else if (c.status.compare_exchange_strong(now, state::receiver_waiting, sync::acq_rel,
                                                      sync::acquire)) {
            expand_buffer();
            return wait_as_receiver(c, how, deadline, into);
          }
          break;
        }
        case state::buffered:
          if (c.status.compare_exchange_strong(now, state::taken, sync::acquire, sync::acquire)) {
            move_out(c, into);
            expand_buffer();
            return outcome::done;
          }
          break;
        case state::sender_waiting:
          // The parked sender no longer touches the cell once it is taken, so it may be woken
          // before the value is moved out.
          if (resume(c, now, state::taken)) {
            move_out(c, into);
            expand_buffer();
            return outcome::done;
          }
          break;
        case state::select_sending:
          if (c.status.compare_exchange_strong(now, state::resuming_by_partner, sync::acq_rel,
                                               sync::acquire)) {
            if (!claim(c, select)) return withdraw(c, state::interrupted_send);
            move_out(c, into);
            complete(c, state::taken, 0);
            expand_buffer();
            return outcome::done;
          }
          break;
        case state::resuming_by_expansion:
        case state::resuming_by_close:
          now = await_resolution(c);
          break;
        case state::closed:
          return r >= count_of(sends_.load(sync::seq_cst)) ? outcome::closed : outcome::retry;
        default:
          return outcome::retry;  // its sender withdrew (no expansion: see expand_buffer)
      }
    }
  }

  outcome wait_as_receiver(cell& c, waiting how, clock::time_point deadline,
                           std::optional<T>& into) {
    std::uint32_t now = park(c, state::receiver_waiting, how, deadline);
    if (now == state::receiver_waiting &&
        c.status.compare_exchange_strong(now, state::interrupted_receive, sync::acq_rel,
                                         sync::acquire)) {
      return outcome::timed_out;
    }
    if (now == state::closed) return outcome::closed;
    move_out(c, into);
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
      // see "Memory" for why an expansion holds no index of its segment.
      auto section = domain_.protect(buffer_hint_);
      const std::uint64_t b = buffer_end_.fetch_add(1, sync::seq_cst);
      // No sender has this cell yet: when it comes, it sees s < B and buffers without waiting.
      if (b >= count_of(sends_.load(sync::seq_cst))) return;
      segment* const seg = reach(section.get(), b, buffer_hint_);
      if (!buffer_cell(seg->cells[b % SegmentSize])) return;
    }
  }

  // Makes cell b part of the buffer; true if its sender withdrew, so another cell is needed.
  bool buffer_cell(cell& c) {
    std::uint32_t now = c.status.load(sync::acquire);
    for (;;) {
      switch (now) {
        case state::empty:
          if (c.status.compare_exchange_strong(now, state::in_buffer, sync::acq_rel,
                                               sync::acquire)) {
            return false;
          }
          break;
        case state::sender_waiting:
          if (resume(c, now, state::buffered)) return false;
          break;
        case state::select_sending:
          if (c.status.compare_exchange_strong(now, state::resuming_by_expansion, sync::acq_rel,
                                               sync::acquire)) {
            if (!claim(c)) {
              withdraw(c, state::interrupted_send);
              return true;
            }
            complete(c, state::buffered, 0);
            return false;
          }
          break;
        case state::resuming_by_partner:
        case state::resuming_by_close:
          // Whether the cell ends up holding a value decides whether it counts in the buffer.
          now = await_resolution(c);
          break;
        case state::interrupted_send:
          return true;
        default:
          return false;  // buffered already, or its receiver has dealt with it
      }
    }
  }

  // close()'s walk: see "Close" in the header comment.
  void close_cell(cell& c, bool below_closed) {
    std::uint32_t now = c.status.load(sync::acquire);
    for (;;) {
      const bool select_clause = (now == state::select_sending && below_closed) ||
                                 (now == state::select_receiving && !below_closed);
      if (select_clause) {
        const std::uint32_t withdrawn =
            below_closed ? state::interrupted_send : state::interrupted_receive;
        if (c.status.compare_exchange_strong(now, state::resuming_by_close, sync::acq_rel,
                                             sync::acquire)) {
          if (!claim(c)) {
            withdraw(c, withdrawn);
          } else {
            complete(c, state::closed, detail::selection::by_close);
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
      if (resume(c, now, state::closed)) return;
    }
  }

  // Hands a parked thread its outcome: the CAS decides against a concurrent withdrawal, then
  // the notify wakes the thread if it has gone to sleep.
  static bool resume(cell& c, std::uint32_t& expected, std::uint32_t outcome_state) {
    if (!c.status.compare_exchange_strong(expected, outcome_state, sync::acq_rel, sync::acquire)) {
      return false;
    }
    c.status.notify_all();
    return true;
  }

  // Registers a select's clause in an empty cell (`now`); false, with `now` updated, when the
  // cell changed first. The reference the cell will hold is taken before the CAS publishes it:
  // from then on a resumer may own the cell and drop it.
  static bool enroll(cell& c, std::uint32_t& now, std::uint32_t select_state, const ticket& t) {
    c.selector.write() = t.selector;
    c.clause.write() = t.clause;
    t.selector->add_reference();
    if (c.status.compare_exchange_strong(now, select_state, sync::acq_rel, sync::acquire)) {
      return true;
    }
    t.selector->release();  // never the last: the selecting thread holds one
    return false;
  }

  // A thread that owns a select's cell asks to fire its clause: true if it won the select. While
  // the select is registering it may not win; it asks instead for the clause to be registered
  // again, in a new cell, since it is withdrawing this one. `by` is the select registering the
  // owner's operation, if any: a select that meets its own clause says so (met_itself).
  static bool claim(cell& c, const ticket* by = nullptr) {
    detail::selection& select = *c.selector.read();
    const std::uint32_t again = std::uint32_t{1} << c.clause.read();
    std::uint32_t now = select.state.load(sync::acquire);
    for (;;) {
      if (now == detail::selection::waiting) {
        if (select.state.compare_exchange_strong(now, detail::selection::claimed,
                                                 sync::acq_rel)) {
          return true;
        }
      } else if ((now & detail::selection::registering) != 0) {
        if (by != nullptr && by->selector == &select) select.met_itself = true;
        if (select.state.compare_exchange_strong(now, now | again, sync::acq_rel)) return false;
      } else {
        return false;  // another clause fired, or select_for gave up
      }
    }
  }

  // The claim's winner completes the clause: the cell's final state first, then the select's,
  // a release that the selecting thread acquires before it reads the cell; then it wakes that
  // thread and drops the cell's reference, its last access to the select.
  static void complete(cell& c, std::uint32_t final_state, std::uint32_t how) {
    detail::selection* const select = c.selector.read();
    const std::uint32_t clause = c.clause.read();
    c.status.store(final_state, sync::release);
    select->state.store(detail::selection::fired | how | clause, sync::release);
    select->state.notify_all();
    select->release();
  }

  // The claim's loser: the cell is withdrawn, as if its select had cancelled the clause, and
  // whoever met it moves on.
  static outcome withdraw(cell& c, std::uint32_t withdrawn_state) {
    detail::selection* const select = c.selector.read();
    c.status.store(withdrawn_state, sync::release);
    select->release();
    return outcome::retry;
  }

  // Waits out another thread's resumption of a select's cell: its claim and one store, which
  // decide what the cell holds.
  static std::uint32_t await_resolution(cell& c) {
    sync::backoff backoff;
    for (;;) {
      const std::uint32_t now = c.status.load(sync::acquire);
      if (now != state::resuming_by_partner && now != state::resuming_by_expansion &&
          now != state::resuming_by_close) {
        return now;
      }
      backoff.pause();
    }
  }

  // Waits until the cell's state is no longer `parked`, and returns it; with a deadline, returns
  // `parked` once the deadline has passed. Spins and yields first (sync::before_parking): a
  // hand-over usually comes within microseconds, while a futex wait and wake cost a system call
  // each and the woken thread tens of microseconds before it runs.
  static std::uint32_t park(cell& c, std::uint32_t parked, waiting how,
                            clock::time_point deadline) {
    for (sync::spin_then_yield patience = sync::before_parking(); patience.pause();) {
      const std::uint32_t now = c.status.load(sync::acquire);
      if (now != parked) return now;
    }
    if (how == waiting::forever) {
      for (;;) {
        const std::uint32_t now = c.status.load(sync::acquire);
        if (now != parked) return now;
        c.status.wait(parked, sync::acquire);
      }
    }
    // sync/ has no timed futex wait: a timed waiter sleeps in slices that double up to a
    // millisecond, so it wakes at most that late after a resume.
    std::chrono::microseconds slice{1};
    for (;;) {
      const std::uint32_t now = c.status.load(sync::acquire);
      if (now != parked) return now;
      const auto time = clock::now();
      if (time >= deadline) return parked;
      std::this_thread::sleep_for(std::min<clock::duration>(slice, deadline - time));
      slice = std::min(slice * 2, std::chrono::microseconds{1000});
    }
  }

  // The segment of `index`, walked to from `hinted`, the hint's value loaded in the caller's
  // read-side section before the fetch-and-add that handed out `index` (so no later than the
  // segment of `index`: a hint moves only to segments of indices handed out before); missing
  // segments are appended on the way, and the hint is moved forward to the segment.
  segment* reach(segment* hinted, std::uint64_t index, sync::atomic<segment*>& hint) {
    const std::uint64_t id = index / SegmentSize;
    segment* s = find(id, hinted);
    while (hinted->id < id) {
      if (hint.compare_exchange_strong(hinted, s, sync::seq_cst, sync::seq_cst)) {
        advance_head();
        break;
      }
    }
    return s;
  }

  // Walks from `s` to the segment `id`, appending segments that do not exist yet.
  segment* find(std::uint64_t id, segment* s) {
    while (s->id < id) {
      segment* next = s->next.load(sync::acquire);
      if (next == nullptr) {
        segment* fresh = domain_.allocate();
        fresh->id = s->id + 1;
        if (s->next.compare_exchange_strong(next, fresh, sync::acq_rel, sync::acquire)) {
          next = fresh;
        } else {
          domain_.retire(fresh);  // never published
        }
      }
      s = next;
    }
    return s;
  }

  // The sender or receiver that held one of the segment's cell indices is done with it.
  void leave(segment* s) {
    if (s->handled.fetch_add(1, sync::seq_cst) + 1 == 2 * SegmentSize) advance_head();
  }

  // Retires segments from the front (see "Memory"): the first one goes once its senders and
  // receivers have all left it, the send and receive hints are past it, and B is past its last
  // cell; the buffer hint, which only expansions that have not yet taken an index could still
  // load, is moved past it first. Called when a segment's last holder leaves and when a hint
  // moves: their seq_cst accesses make at least one of the two see both conditions. (B passing
  // the segment triggers nothing: the segment goes at the next call.)
  void advance_head() {
    auto section = domain_.protect(head_);
    segment* h = section.get();
    for (;;) {
      if (h->handled.load(sync::seq_cst) != 2 * SegmentSize) return;
      if (names(send_hint_, h) || names(receive_hint_, h)) return;
      segment* next = h->next.load(sync::acquire);  // not null: a hint is past h
      if (capacity_ != 0) {
        if (buffer_end_.load(sync::seq_cst) < (h->id + 1) * SegmentSize) return;
        segment* expected = h;
        buffer_hint_.compare_exchange_strong(expected, next, sync::seq_cst, sync::seq_cst);
      }
      if (head_.compare_exchange_strong(h, next, sync::acq_rel, sync::acquire)) {
        domain_.retire(h);
        h = next;
      }
    }
  }

  static bool names(const sync::atomic<segment*>& hint, const segment* s) {
    return hint.load(sync::seq_cst)->id <= s->id;
  }

  template <class Value>
  static void place(cell& c, Value& value) {
    if constexpr (std::is_const_v<Value>) {
      c.value.write().emplace(value);
    } else {
      c.value.write().emplace(std::move(value));
    }
  }

  // Undoes place() in a cell that was not published: a moved value goes back to the caller's
  // object, a copy is destroyed.
  template <class Value>
  static void take_back(cell& c, Value& value) noexcept {
    std::optional<T>& held = c.value.write();
    if constexpr (!std::is_const_v<Value>) value = std::move(*held);
    held.reset();
  }

  static void move_out(cell& c, std::optional<T>& into) {
    std::optional<T>& held = c.value.write();
    into.emplace(std::move(*held));
    held.reset();
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
