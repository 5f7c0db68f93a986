// locked::channel<T> — Go channel for threads: one lock, a ring buffer, queues of waiters.
//
// Paper: none; the design of Go's runtime (runtime/chan.go: chansend, chanrecv, closechan).
// Progress: blocking (every operation takes the channel's futex_lock; send and recv park while
//   they cannot complete); try_send, try_recv never park.
// Linearization: L1 an operation — inside the critical section that completes it; L2 a
//   hand-off to a parked waiter — in the critical section of the thread that completes it.
// Ordering: the channel's state is under its lock. The parker (detail::basic_parker, a
//   sync::waiter user): O1 acq_rel claim CAS, waiting to claimed, against O4;
//   O2 release exchange to done → O3, publishing the outcome; O3 acquire loads of done;
//   O4 acquire CAS to cancelled by a timed-out owner; O5 acquire CAS setting the parked bit,
//   which fails if O2 stored done first.
// Memory and ABA: a waiter record and its parker live on the waiting thread's stack; a waker
//   notifies under the channel's lock, which the owner passes through before it returns.
// Exceptions: send on a closed channel throws sync::channel_closed, value unmoved; send(const
//   T&) copies before any lock; T's move constructor may not throw.
// Policy: futex_lock, which spins before it sleeps, as Go's runtime lock does.
// Deviations: none from chan.go, apart from threads parking on a futex word (the parker).
// More: docs/algorithms/locked_channel.md (the full argument)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include <lockstep/locked/futex_lock.hpp>
#include <lockstep/sync/sync.hpp>
#include <lockstep/sync/waiter.hpp>

namespace lockstep::locked {

namespace detail {

// The parking spot of one blocked operation (a send, a receive, or a whole select): what Go
// keeps in the goroutine (g.param, g.selectDone) and its park/ready. Written against
// sync::waiter (sync/waiter.hpp): claim() and complete() are the waker's claim-then-complete,
// await() and await_until() the waiting side, on any Word that models it.
template <sync::waiter Word>
class basic_parker {
 public:
  using clock = typename Word::clock;

  // A waker, holding the lock of the channel whose queue holds the record: true if this
  // operation is now its to complete.
  bool claim(sync::location loc = {}) {
    // O1 acquire; then O1 acq_rel, the one claim that wins (against O4).
    std::uint32_t s = state_.load(sync::acquire, loc);
    while ((s & ~parked) == waiting) {
      if (state_.compare_exchange_strong(s, claimed | (s & parked), sync::acq_rel, loc)) return true;
    }
    return false;
  }

  // After a successful claim, still under the same lock: which case fired, and whether close()
  // rather than a transfer fired it.
  void complete(std::size_t fired, bool by_close, sync::location loc = {}) {
    fired_.write(loc) = fired;
    by_close_.write(loc) = by_close;
    // O2 release: the outcome, to O3; the old word says whether the owner parked (O5).
    if (state_.exchange(done, sync::release, loc) & parked) state_.notify_all(loc);
  }

  // The owner: blocks until a waker completed the operation. True if it parked (and must then
  // pass through the waker's lock before this parker goes out of scope).
  bool await(sync::location loc = {}) {
    for (sync::spin_then_yield patience = sync::before_parking(); patience.pause(loc);) {
      // O3 acquire: pairs with O2.
      if (state_.load(sync::acquire, loc) == done) return false;
    }
    return sleep_until_done(loc);
  }

  // The same with a deadline. False if the deadline passed and the operation was cancelled:
  // no waker can claim it any more. Otherwise it completed, as after await().
  bool await_until(clock::time_point deadline, bool& slept, sync::location loc = {}) {
    // O3 acquire (here and below): pairs with O2.
    std::uint32_t s = state_.load(sync::acquire, loc);
    while (s != done) {
      if ((s & ~parked) == waiting) {
        if (!(s & parked)) {
          if (!mark_parked(s, loc)) continue;
          s |= parked;
          slept = true;
        }
        // O3: a futex wait with the absolute deadline (sync::waiter's wait_until).
        if (!state_.wait_until(s, deadline, sync::acquire, loc)) {
          // O4 acquire: cancels, against O1; on failure a claim won and O3 follows.
          if (state_.compare_exchange_strong(s, cancelled, sync::acquire, loc)) return false;
          continue;
        }
      } else {
        // Claimed: the claimer is inside a critical section moving the value; wait for it.
        slept = sleep_until_done(loc) || slept;
        return true;
      }
      s = state_.load(sync::acquire, loc);
    }
    return true;
  }

  std::size_t fired(sync::location loc = {}) const { return fired_.read(loc); }
  bool by_close(sync::location loc = {}) const { return by_close_.read(loc); }

 private:
  static constexpr std::uint32_t waiting = 0;
  static constexpr std::uint32_t claimed = 1;
  static constexpr std::uint32_t done = 2;
  static constexpr std::uint32_t cancelled = 3;
  static constexpr std::uint32_t parked = 4;  // a bit: the owner is, or may be, asleep

  // Sets the parked bit over the state the owner last saw, and only over it: a CAS, so that a
  // `done` stored since (whose claimer saw no parked bit and will not wake anyone) is never
  // overwritten by a state the owner would then sleep on for ever. On failure `s` is the state
  // now, which the caller re-examines.
  bool mark_parked(std::uint32_t& s, sync::location loc) {
    // O5 acquire: fails if O2 stored done since the owner's last look.
    return state_.compare_exchange_strong(s, s | parked, sync::acquire, loc);
  }

  bool sleep_until_done(sync::location loc) {
    bool slept = false;
    // O3 acquire (here and below): pairs with O2.
    std::uint32_t s = state_.load(sync::acquire, loc);
    while (s != done) {
      if (!(s & parked)) {
        if (!mark_parked(s, loc)) continue;
        s |= parked;
      }
      slept = true;
      state_.wait(s, sync::acquire, loc);
      s = state_.load(sync::acquire, loc);
    }
    return slept;
  }

  Word state_{waiting};
  sync::plain<std::size_t> fired_{0};
  sync::plain<bool> by_close_{false};
};

using parker = basic_parker<sync::parking_word>;

}  // namespace detail

template <class T>
class channel {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "a channel moves values between threads where an exception has nowhere to go");

 public:
  using value_type = T;
  using clock = detail::parker::clock;

  static constexpr std::size_t largest_capacity =
      std::numeric_limits<std::ptrdiff_t>::max() / sizeof(std::optional<T>);

  explicit channel(std::size_t capacity = 0)
      : capacity_(sync::channel_capacity(capacity, largest_capacity, "lockstep::locked::channel")),
        state_(capacity_) {}

  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  void send(const T& value) {
    T copy(value);
    send(std::move(copy));
  }
  void send(T&& value) {
    std::unique_lock hold(lock_);
    if (offer(value) == sync::channel_status::ok) return;
    block_sending(value, hold, std::nullopt);
  }

  sync::channel_status try_send(const T& value) {
    T copy(value);
    return try_send(std::move(copy));
  }
  sync::channel_status try_send(T&& value) {
    std::unique_lock hold(lock_);
    if (state_.read().closed) return sync::channel_status::closed;
    return offer(value);
  }

  template <class Rep, class Period>
  sync::channel_status send_for(const T& value, const std::chrono::duration<Rep, Period>& d) {
    T copy(value);
    return send_for(std::move(copy), d);
  }
  template <class Rep, class Period>
  sync::channel_status send_for(T&& value, const std::chrono::duration<Rep, Period>& d) {
    const auto deadline = clock::now() + std::chrono::ceil<clock::duration>(d);
    std::unique_lock hold(lock_);
    if (offer(value) == sync::channel_status::ok) return sync::channel_status::ok;
    return block_sending(value, hold, deadline);
  }

  std::optional<T> recv() {
    std::unique_lock hold(lock_);
    std::optional<T> value;
    if (take(value) != sync::channel_status::empty) return value;
    block_receiving(value, hold, std::nullopt);
    return value;
  }

  sync::recv_result<T> try_recv() {
    std::unique_lock hold(lock_);
    sync::recv_result<T> result{sync::channel_status::empty, std::nullopt};
    result.status = take(result.value);
    return result;
  }

  template <class Rep, class Period>
  sync::recv_result<T> recv_for(const std::chrono::duration<Rep, Period>& d) {
    const auto deadline = clock::now() + std::chrono::ceil<clock::duration>(d);
    std::unique_lock hold(lock_);
    sync::recv_result<T> result{sync::channel_status::empty, std::nullopt};
    result.status = take(result.value);
    if (result.status == sync::channel_status::empty) {
      result.status = block_receiving(result.value, hold, deadline);
    }
    return result;
  }

  void close() {
    std::scoped_lock hold(lock_);
    state& s = state_.write();
    if (s.closed) throw sync::channel_closed("lockstep::locked::channel: close of closed channel");
    s.closed = true;
    // Every waiter is completed by close: receivers with nothing, senders with the order to
    // throw. A receiver can only be waiting when the buffer is empty, so no value is skipped.
    while (waiter* w = s.receivers.claim_first()) w->parker->complete(w->case_index, true);
    while (waiter* w = s.senders.claim_first()) w->parker->complete(w->case_index, true);
  }

  bool closed() const {
    std::scoped_lock hold(lock_);
    return state_.read().closed;
  }
  std::size_t capacity() const noexcept { return capacity_; }
  // Go's len(ch): the values in the buffer, between 0 and capacity(); a hint under concurrency,
  // exact when it was observed under the lock.
  std::size_t len() const {
    std::scoped_lock hold(lock_);
    return state_.read().count;
  }

  sync::receiving_iterator<channel> begin() { return sync::receiving_iterator<channel>(*this); }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  template <class... Cases>
  friend class select_over;

  // A blocked operation's entry in a channel's queue (Go's sudog). It lives on the waiting
  // thread's stack; it is linked only while that thread is blocked, and the links are touched
  // only under the channel's lock.
  struct waiter {
    detail::parker* parker;
    std::size_t case_index;
    T* source = nullptr;                // a sender's value, moved from only by the claimer
    std::optional<T>* into = nullptr;   // where a receiver wants its value
    waiter* prev = nullptr;
    waiter* next = nullptr;
    bool queued = false;
  };

  class waiter_queue {
   public:
    void push(waiter* w) noexcept {
      w->prev = last_;
      w->next = nullptr;
      (last_ ? last_->next : first_) = w;
      last_ = w;
      w->queued = true;
    }
    // Idempotent: a stale record may already have been dropped by a waker.
    void remove(waiter* w) noexcept {
      if (!w->queued) return;
      (w->prev ? w->prev->next : first_) = w->next;
      (w->next ? w->next->prev : last_) = w->prev;
      w->queued = false;
    }
    // The first waiter whose operation is still this queue's to complete, claimed and removed;
    // stale records on the way are dropped (Go's dequeue skipping sudogs of a finished select).
    waiter* claim_first() {
      while (waiter* w = first_) {
        remove(w);
        if (w->parker->claim()) return w;
      }
      return nullptr;
    }

   private:
    waiter* first_ = nullptr;
    waiter* last_ = nullptr;
  };

  struct state {
    explicit state(std::size_t capacity)
        : ring(capacity ? std::make_unique<std::optional<T>[]>(capacity) : nullptr) {}
    std::unique_ptr<std::optional<T>[]> ring;
    std::size_t head = 0;   // slot of the oldest buffered value
    std::size_t count = 0;  // buffered values
    bool closed = false;
    waiter_queue senders;
    waiter_queue receivers;
  };

  // The non-blocking half of a send, under the lock: hand off to a waiting receiver, or buffer.
  // On a closed channel it throws, as Go's send panics; the value is untouched unless ok.
  sync::channel_status offer(T& value) {
    state& s = state_.write();
    if (s.closed) throw sync::channel_closed("lockstep::locked::channel: send on closed channel");
    if (waiter* r = s.receivers.claim_first()) {
      r->into->emplace(std::move(value));
      r->parker->complete(r->case_index, false);
      return sync::channel_status::ok;
    }
    if (s.count == capacity_) return sync::channel_status::full;
    s.ring[(s.head + s.count) % capacity_].emplace(std::move(value));
    ++s.count;
    return sync::channel_status::ok;
  }

  // The non-blocking half of a receive, under the lock: ok with the value, closed when closed
  // and drained, empty otherwise.
  sync::channel_status take(std::optional<T>& into) {
    state& s = state_.write();
    if (s.count > 0) {
      std::optional<T>& oldest = s.ring[s.head];
      into.emplace(std::move(*oldest));
      oldest.reset();
      s.head = (s.head + 1) % capacity_;
      --s.count;
      // The buffer had been full if a sender waits: its value joins the tail, behind every
      // value buffered before it, so each sender's values stay in order.
      if (waiter* w = s.senders.claim_first()) {
        s.ring[(s.head + s.count) % capacity_].emplace(std::move(*w->source));
        ++s.count;
        w->parker->complete(w->case_index, false);
      }
      return sync::channel_status::ok;
    }
    if (waiter* w = s.senders.claim_first()) {
      into.emplace(std::move(*w->source));
      w->parker->complete(w->case_index, false);
      return sync::channel_status::ok;
    }
    if (s.closed) return sync::channel_status::closed;
    return sync::channel_status::empty;
  }

  sync::channel_status block_sending(T& value, std::unique_lock<futex_lock>& hold,
                                     std::optional<clock::time_point> deadline) {
    detail::parker parker;
    waiter self{&parker, 0, &value};
    const bool completed = park(self, state_.write().senders, hold, deadline);
    if (!completed) return sync::channel_status::timeout;
    if (parker.by_close()) {
      throw sync::channel_closed("lockstep::locked::channel: send on closed channel");
    }
    return sync::channel_status::ok;
  }

  sync::channel_status block_receiving(std::optional<T>& into, std::unique_lock<futex_lock>& hold,
                                       std::optional<clock::time_point> deadline) {
    detail::parker parker;
    waiter self{&parker, 0, nullptr, &into};
    if (!park(self, state_.write().receivers, hold, deadline)) return sync::channel_status::timeout;
    return parker.by_close() ? sync::channel_status::closed : sync::channel_status::ok;
  }

  // Queues the record, releases the lock and waits. False if the deadline passed first (the
  // record is then out of the queue and nothing was transferred).
  bool park(waiter& self, waiter_queue& queue, std::unique_lock<futex_lock>& hold,
            std::optional<clock::time_point> deadline) {
    queue.push(&self);
    hold.unlock();
    bool slept = false;
    const bool completed =
        deadline ? self.parker->await_until(*deadline, slept) : (slept = self.parker->await(), true);
    // A cancelled record may still be queued; an owner that slept must let its waker leave the
    // critical section in which it notified before the parker dies. Both need the lock.
    if (!completed || slept) {
      hold.lock();
      queue.remove(&self);
      hold.unlock();
    }
    return completed;
  }

  const std::size_t capacity_;
  mutable futex_lock lock_;
  sync::plain<state> state_;
};

using sync::on_recv;
using sync::on_send;

}  // namespace lockstep::locked
