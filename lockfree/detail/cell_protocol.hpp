// lockfree::detail cell protocol — how a channel resumes, parks on and claims one cell.
//
// Paper: N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in Kotlin
//   Coroutines", PPoPP 2023 (sections 3 to 5, tryResume; its select section).
// Progress: resume, enroll, complete, withdraw wait-free; claim lock-free; await_resolution
//   waits for one resumer's claim and store; park blocking (by definition).
// Linearization: none of its own. resume's CAS is the channel's L1 or L3 where its caller
//   says so; claim's winning CAS is select.hpp's L1.
// Ordering: the labels continue lockfree/channel.hpp's numbering, one protocol in two files:
//   O5 acq_rel resume CAS, then notify or a coroutine's resume (sync/executor.hpp E1) → O6;
//   O6 acquire loads and waits of park;
//   O7 acq_rel enroll CAS publishing a select's fields → the channel's O8;
//   O9 claim on the select's word, against select.hpp O1 and O2; O10 release stores
//   completing or withdrawing a select's cell → O11 and the channel's O4, and of fired →
//   select.hpp O3; O11 acquire loads awaiting a resumer.
// Memory and ABA: the cell lives in a segment the caller's read-side section protects. A
//   select's cell holds one reference to its instance: enroll takes it, and complete or
//   withdraw (or the select's cancel, in the channel) drops it.
// Exceptions: none; nothing here allocates or touches a value (a coroutine's resume goes to
//   its executor's make_ready, which lockstep's scheduler does without allocating).
// Policy: a timed park is the waiter's own deadline wait, so a resume wakes it at once.
// Deviations: a resumer owns a select's cell (a resuming state) before it claims the select.
//   Two kinds of waiter, as in the paper: a coroutine suspends (its sync::suspension in the
//   cell's waker, or the selection's) and a thread parks on the cell's word.
// More: docs/algorithms/channel.md ("Waiters", "Select"), docs/algorithms/select.md
#pragma once

#include <cstdint>
#include <optional>

#include <lockstep/lockfree/detail/channel_cell.hpp>
#include <lockstep/lockfree/detail/select_protocol.hpp>
#include <lockstep/sync/sync.hpp>
#include <lockstep/sync/waiter.hpp>

namespace lockstep::lockfree::detail {

// Hands a waiter its outcome: the CAS decides against a concurrent withdrawal, then the wake-up
// reaches the waiter: a suspended coroutine through its suspension, a parked thread through the
// word if it has gone to sleep (sync::waiter's claim-then-complete).
template <class T>
bool resume(channel_cell<T>& c, cell_state& expected, cell_state outcome_state) {
  // O5 acq_rel: releases to the waiter's O6; acquire, the value (O3) it may take and the waker
  // written before the waiter's CAS to its waiting state. Not machine-checked: the acquire is
  // stronger than needed: every caller read `expected` from the store this CAS replaces by an
  // acquire of its own (channel O3), and acts on a failure's value only through another.
  // O5's acquire is kept so that resume needs nothing of its caller; free on x86-64.
  if (!c.status.compare_exchange_strong(expected, outcome_state, sync::acq_rel, sync::acquire)) {
    return false;
  }
  // Only a waiter that published its waiting state wrote the waker: close() also resumes empty
  // cells, whose receiver may be writing it just before a CAS that will now fail.
  const bool waited =
      expected == cell_state::receiver_waiting || expected == cell_state::sender_waiting;
  if (sync::suspension* const coroutine = waited ? c.waker.read() : nullptr) {
    // E1 (sync/executor.hpp): the last touch of the waiter; its executor makes it ready
    // (lockstep's scheduler: next on this worker, if this thread is one of its workers).
    coroutine->resume();
    return true;
  }
  c.status.notify_all();
  return true;
}

// Registers a select's clause in an empty cell (`now`); false, with `now` updated, when the
// cell changed first. The reference the cell will hold is taken before the CAS publishes it:
// from then on a resumer may own the cell and drop it.
template <class T>
bool enroll(channel_cell<T>& c, cell_state& now, cell_state select_state, const ticket& t) {
  c.selector.write() = t.selector;
  c.clause.write() = t.clause;
  t.selector->add_reference();
  // O7 acq_rel: publishes selector, clause (and a send's value) to the owner's O8.
  // Not machine-checked: the acquire is stronger than needed, as at resume: the caller read
  // `now` by an acquire load (channel O3), and an empty cell publishes nothing.
  // O7's acquire is kept as O5's.
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
template <class T>
bool claim(channel_cell<T>& c, const selection* by) {
  selection& select = *c.selector.read();
  const std::uint32_t again = std::uint32_t{1} << c.clause.read();
  // O9 acquire: the select's state, as select.hpp stored it (its O1).
  // Not machine-checked: O9's load is stronger than needed: what it reads is acted on only
  // through the CASes below, which acquire on the same word, or by returning false.
  std::uint32_t now = select.state.load(sync::acquire);
  for (;;) {
    if (now == selection::waiting) {
      // O9 acq_rel: the one claim that wins the select. Not machine-checked: stronger than
      // needed both ways. Acquire: the winner reads only what the enroll published (O7 to the
      // channel's O8). Release: the selecting thread reads the cell only after O10's fired.
      // O9's order here is kept as the claim's documented pair; free on x86-64.
      if (select.state.compare_exchange_strong(now, selection::claimed, sync::acq_rel)) {
        return true;
      }
    } else if ((now & selection::registering) != 0) {
      if (by == &select) select.met_itself = true;
      // O9 acq_rel: the mark, released to the selecting thread's exchange (select.hpp O1).
      // Not machine-checked: stronger than needed both ways. Release: the selecting thread
      // acts on a mark by cancelling the cell (channel O4), which acquires the withdrawal
      // (O10) itself, and met_itself is set only when that thread is the claimer. Acquire:
      // O9's marker reads nothing of the select afterwards. Kept as above.
      if (select.state.compare_exchange_strong(now, now | again, sync::acq_rel)) return false;
    } else {
      return false;  // another clause fired, or select_for gave up
    }
  }
}

// The claim's winner completes the clause: the cell's final state first, then the select's,
// a release that the selecting thread acquires before it reads the cell; then it wakes that
// thread (or resumes that coroutine) and drops the cell's reference, its last access to the
// select.
template <class T>
void complete(channel_cell<T>& c, cell_state final_state, std::uint32_t how) {
  selection* const select = c.selector.read();
  const std::uint32_t clause = c.clause.read();
  // O10 release: the cell's outcome, to O11 and to the select's cancel CAS (channel O4).
  // Not machine-checked: needed where an expansion completes a select's send as buffered: a
  // receiver whose channel O3 reads this store moves out the value the selecting thread
  // placed before O7; relaxed, that races. No check runs a full buffered channel with a
  // registered select send, its expansion and a second receiver thread: there O10 is the
  // receiver's only edge to that value.
  c.status.store(final_state, sync::release);
  // O10 release: fired, to the selecting thread's acquire (select.hpp O3).
  // Not machine-checked: needed where the selecting thread reads fired without reading
  // claimed: this plain store continues no release sequence of the claim's CAS (C++20), so
  // the value the resumer placed before its claim would race with decide()'s move. Checks
  // hide it: a coroutine's resume carries the edge, and a thread's wait synchronizes at its
  // seq_cst fence under Relacy (docs/relacy-limits.md); O10 alone orders a park whose first
  // load reads fired.
  select->state.store(selection::fired | how | clause, sync::release);
  if (sync::suspension* const selecting = select->waker) {
    // E1 (sync/executor.hpp): continues the select's coroutine; then only the instance is touched.
    selecting->resume();
  } else {
    select->state.notify_all();
  }
  select->release();
}

// The claim's loser: the cell is withdrawn, as if its select had cancelled the clause, and
// whoever met it moves on (the channel retries).
template <class T>
void withdraw(channel_cell<T>& c, cell_state withdrawn_state) {
  selection* const select = c.selector.read();
  // O10 release: the withdrawal, to O11. Not machine-checked: stronger than needed: the
  // withdrawer took no value, so its readers (O11, channel O4) read nothing it wrote; its
  // last touch of the select is release() (select_protocol O2).
  // O10 is kept release as every store that ends a resumption; free on x86-64.
  c.status.store(withdrawn_state, sync::release);
  select->release();
}

// Waits out another thread's resumption of a select's cell: its claim and one store, which
// decide what the cell holds.
template <class T>
cell_state await_resolution(channel_cell<T>& c) {
  sync::backoff backoff;
  for (;;) {
    // O11 acquire: pairs with O10. Not machine-checked: stronger than needed: each caller
    // acts on the state returned through an acquire CAS on the same word (channel O3), or
    // touches no cell data. O11 is kept acquire as the documented pair; free on x86-64.
    const cell_state now = c.status.load(sync::acquire);
    if (now != cell_state::resuming_by_partner && now != cell_state::resuming_by_expansion &&
        now != cell_state::resuming_by_close) {
      return now;
    }
    backoff.pause();
  }
}

// Waits until the cell's state is no longer `parked`, and returns it; with a deadline, returns
// `parked` once the deadline has passed (the caller then withdraws, channel O4). The cell's word
// is the waiter (sync::waiter): the timed wait is its own (a futex with an absolute deadline), so
// a resume wakes a timed waiter at once. O6: park_until_changed's acquire loads see O5.
template <class T>
cell_state park(channel_cell<T>& c, cell_state parked,
                std::optional<cell_word::clock::time_point> deadline) {
  return sync::park_until_changed(c.status, parked, deadline, sync::before_parking());
}

}  // namespace lockstep::lockfree::detail
