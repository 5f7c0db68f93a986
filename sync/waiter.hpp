// sync::waiter — the park/wake protocol both channel families share.
//
// What: a waiter is a word one thread parks on until another changes it. The waiting side:
//   w.load(order)                      the state now;
//   w.wait(old, order)                 returns once a load with `order` sees a state other
//                                      than `old`;
//   w.wait_until(old, deadline, order) the same, false if the deadline passed first;
// and the waking side, claim-then-complete: the waker first claims the operation with a CAS
// on the word (which decides against the waiter's own withdrawal, a CAS on the same word, so
// exactly one of them wins), then completes it (stores or CASes the outcome, a release), then
//   w.notify_all()                     wakes every thread in wait or wait_until on w
// (w.exchange completes and returns what the waiter had announced, a parked bit say).
// sync::parking_word models it (a futex), the lock-free channel's cell_word and select word,
// and the locked channel's parker; a coroutine's waiter can model it too (wait suspends,
// notify_all resumes). park_until_changed() is the one waiting loop over any waiter.
// Ordering: W1 acquire loads of the waiter (in park_until_changed) → the waker's release that
//   completed the operation; a waiter adds no ordering of its own (parking.hpp P1 keeps a
//   store followed by a wake from falling between the waiter's check and its sleep).
//   W2 acquire waits. Not machine-checked: stronger than needed: the loop returns only what a
//   W1 load read, and a deadline's `old` carries nothing. Kept: a futex wait costs the same.
// Under Relacy: parking_word's wait is Relacy's futex wait-set (an unwoken wait is a deadlock)
//   and wait_until may time out at any scheduling point: every timing a deadline could give.
// More: docs/algorithms/channel.md ("Waiters")
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>

#include "atomic.hpp"
#include "parking.hpp"
#include "thread.hpp"

namespace lockstep::sync {

template <class W, class State = std::uint32_t>
concept waiter = requires(W& w, const W& cw, State old, State& expected, State desired,
                          memory_order order, typename W::clock::time_point deadline) {
  // The waker's side: claim, complete, wake.
  { w.compare_exchange_strong(expected, desired, order, order) } -> std::same_as<bool>;
  w.store(desired, order);
  { w.exchange(desired, order) } -> std::same_as<State>;
  w.notify_all();
  // The waiting side.
  { cw.load(order) } -> std::same_as<State>;
  cw.wait(old, order);
  { cw.wait_until(old, deadline, order) } -> std::same_as<bool>;
};

static_assert(waiter<parking_word>);

// Waits until the waiter's state is no longer `old` and returns it, spinning and yielding first
// (`patience`, sync::before_parking); with a deadline, returns `old` once it has passed.
template <class State, waiter<State> W>
State park_until_changed(const W& w, State old,
                         std::optional<typename W::clock::time_point> deadline,
                         spin_then_yield patience) {
  for (;;) {
    // W1 acquire: the waker's release that changed the state.
    const State now = w.load(acquire);
    if (now != old) return now;
    if (patience.pause()) continue;
    // W2 acquire (both waits). Not machine-checked: stronger than needed; see the card.
    if (!deadline) {
      w.wait(old, acquire);
    } else if (!w.wait_until(old, *deadline, acquire)) {
      return old;  // the deadline passed with the state still `old`
    }
  }
}

}  // namespace lockstep::sync
