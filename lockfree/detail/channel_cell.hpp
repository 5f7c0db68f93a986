// lockfree::detail::channel_cell<T> — one cell of the channel's infinite array, and its states.
//
// Paper: N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in Kotlin
//   Coroutines", PPoPP 2023 (the cell states of sections 3 to 5).
// Progress: every member is wait-free, apart from wait() (blocking by definition).
// Linearization: none of its own; the channel's are CASes on the state word.
// Ordering: the state word is an ordinary atomic; the channel labels each access (O-labels in
//   lockfree/channel.hpp). The value, the waker and the select fields are plain: each is written
//   before the release that publishes the state naming it and read after the acquire that sees
//   it.
// Memory and ABA: a cell lives in a segment (channel_segment.hpp); each state is entered at most
//   once per cell, so a CAS on the state word cannot be fooled by a recurring value.
// Exceptions: place() throws what T's copy or move throws, before the cell is published.
// Policy: send(T&&) moves only when T's moves cannot throw (sendable(), as move_if_noexcept).
// Deviations: none.
// More: docs/algorithms/channel.md
#pragma once

#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include <lockstep/lockfree/detail/select_protocol.hpp>
#include <lockstep/sync/executor.hpp>
#include <lockstep/sync/sync.hpp>
#include <lockstep/sync/waiter.hpp>

namespace lockstep::lockfree::detail {

// A cell's states (section 3's EMPTY, BUFFERED, waiter, DONE_RCV, POISONED; section 4's
// IN_BUFFER; section 5's INTERRUPTED_SEND and INTERRUPTED_RCV; CLOSED; the select's). Closed:
// the switches over it have no default, so -Wswitch names a state a switch forgot.
enum class cell_state : std::uint32_t {
  empty,
  in_buffer,            // expand_buffer: its sender must not wait
  buffered,             // holds a value for receiver s
  sender_waiting,       // holds a value; its sender is parked
  receiver_waiting,     // its receiver is parked
  delivered,            // a value for the parked receiver
  taken,                // its receiver has the value
  poisoned,             // its receiver gave up on a slow sender
  interrupted_send,     // its sender withdrew (timed out, tried, or its select went elsewhere)
  interrupted_receive,  // its receiver withdrew
  closed,
  // A select's clause is registered here (its value in the cell for a send).
  select_receiving,
  select_sending,
  // One thread owns the select's cell while it claims the select and completes or withdraws
  // the clause: its partner, an expansion, or close().
  resuming_by_partner,
  resuming_by_expansion,
  resuming_by_close,
};

// The state word: a cell_state over a futex word, so that a waiter parks on the state itself
// (a sync::waiter: a resumer's CAS claims the cell, then notify_all wakes the parked thread).
class cell_word {
 public:
  using clock = sync::parking_word::clock;

  cell_state load(sync::memory_order order, sync::location loc = {}) const {
    return static_cast<cell_state>(word_.load(order, loc));
  }
  void store(cell_state s, sync::memory_order order, sync::location loc = {}) {
    word_.store(raw(s), order, loc);
  }
  cell_state exchange(cell_state s, sync::memory_order order, sync::location loc = {}) {
    return static_cast<cell_state>(word_.exchange(raw(s), order, loc));
  }
  bool compare_exchange_strong(cell_state& expected, cell_state desired,
                               sync::memory_order success, sync::memory_order failure,
                               sync::location loc = {}) {
    std::uint32_t e = raw(expected);
    const bool won = word_.compare_exchange_strong(e, raw(desired), success, failure, loc);
    expected = static_cast<cell_state>(e);
    return won;
  }
  void wait(cell_state old, sync::memory_order order, sync::location loc = {}) const {
    word_.wait(raw(old), order, loc);
  }
  bool wait_until(cell_state old, clock::time_point deadline, sync::memory_order order,
                  sync::location loc = {}) const {
    return word_.wait_until(raw(old), deadline, order, loc);
  }
  void notify_all(sync::location loc = {}) { word_.notify_all(loc); }

 private:
  static constexpr std::uint32_t raw(cell_state s) noexcept {
    return static_cast<std::uint32_t>(s);
  }
  sync::parking_word word_{raw(cell_state::empty)};
};

static_assert(sync::waiter<cell_word, cell_state>);

template <class T>
struct channel_cell {
  cell_word status;
  sync::plain<std::optional<T>> value;
  // A suspended coroutine's wait (null for a parked thread): written by the cell's waiter before
  // the CAS that publishes receiver_waiting or sender_waiting, read by the one that resumes it.
  sync::plain<sync::suspension*> waker{nullptr};
  // The select registered here and its clause: written before the CAS that publishes the
  // select state, read by the thread that then owns the cell.
  sync::plain<selection*> selector{nullptr};
  sync::plain<std::uint32_t> clause{0};
};

// Whether a send may move its value into a cell: only if it can move it back from a cell it
// gives up without throwing (see "Values" in docs/algorithms/channel.md).
template <class T>
inline constexpr bool moves_safely =
    std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>;

// The one move-or-copy dispatch: the caller's T as T& when it may be moved from, else as
// const T& (copied into each cell tried), as std::move_if_noexcept chooses.
template <class T>
constexpr decltype(auto) sendable(T& value) noexcept {
  if constexpr (moves_safely<std::remove_const_t<T>>) {
    return (value);
  } else {
    return std::as_const(value);
  }
}

// Writes the value into a cell not yet published: a copy from const T, a move from T.
template <class T, class Value>
void place(channel_cell<T>& c, Value& value) {
  if constexpr (std::is_const_v<Value>) {
    c.value.write().emplace(value);
  } else {
    c.value.write().emplace(std::move(value));
  }
}

// Undoes place() in a cell that was not published: a moved value goes back to the caller's
// object, a copy is destroyed.
template <class T, class Value>
void take_back(channel_cell<T>& c, Value& value) noexcept {
  std::optional<T>& held = c.value.write();
  if constexpr (!std::is_const_v<Value>) value = std::move(*held);
  held.reset();
}

template <class T>
void move_out(channel_cell<T>& c, std::optional<T>& into) {
  std::optional<T>& held = c.value.write();
  into.emplace(std::move(*held));
  held.reset();
}

}  // namespace lockstep::lockfree::detail
