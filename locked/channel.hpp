// locked::channel<T> — Go channel for threads and coroutines: one lock, a ring buffer,
//   queues of waiters of two kinds (a parked thread, a suspended coroutine).
//
// Paper: none; the design of Go's runtime (runtime/chan.go: chansend, chanrecv, closechan).
// Progress: blocking (every operation takes the channel's futex_lock; send and recv park while
//   they cannot complete, async_send and async_recv suspend); try_send, try_recv never park.
// Linearization: L1 an operation — inside the critical section that completes it; L2 a
//   hand-off to a waiting owner — in the critical section of the waker that completes it;
//   a timed coroutine wait's timeout — the timer's O6.
// Ordering: the channel's state is under its lock. The parker (detail::basic_parker, a
//   sync::waiter user): O1 acq_rel claim CAS, waiting to claimed, against O4 and O6;
//   O2 release exchange to done → O3, publishing the outcome; O3 acquire loads of done;
//   O4 acquire CAS to cancelled by a timed-out thread; O5 acquire CAS setting the parked bit,
//   which fails if O2 stored done first; O6 acquire CAS to cancelled by a coroutine's timer
//   or its destroyed frame, against O1. A coroutine is continued by the suspension's E1
//   (sync/executor.hpp): complete() resumes it after O2, the timer after a won O6.
// Memory and ABA: a waiter record and its parker live on the waiting thread's stack or in
//   the awaitable (the coroutine's frame). A thread that slept passes through the waker's
//   lock before it returns: the notify follows O2. A coroutine need not: its waker's last
//   touch is suspension.resume(), and the coroutine runs only after both the waker and its
//   own suspend() have arrived (E1), so no waker is left inside the frame. The timer is
//   stopped before the frame goes; a frame destroyed while suspended withdraws (O6 and its
//   record off the queue) under the lock, so a waker never meets a dead record.
// Exceptions: send on a closed channel throws sync::channel_closed, value unmoved; send(const
//   T&) copies before any lock; T's move constructor may not throw. An async form awaited
//   outside an executor's worker throws std::logic_error.
// Policy: futex_lock, which spins before it sleeps, as Go's runtime lock does.
// Deviations: none from chan.go, apart from threads parking on a futex word (the parker),
//   and coroutines resumed through the executor's make_ready rather than goready.
// More: docs/algorithms/locked_channel.md (the full argument)
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include <lockstep/locked/futex_lock.hpp>
#include <lockstep/sync/executor.hpp>
#include <lockstep/sync/sync.hpp>
#include <lockstep/sync/waiter.hpp>

namespace lockstep::locked {

namespace detail {

// The parking spot of one blocked operation (a send, a receive, or a whole select): what Go
// keeps in the goroutine (g.param, g.selectDone) and its park/ready. Written against
// sync::waiter (sync/waiter.hpp): claim() and complete() are the waker's claim-then-complete,
// await() and await_until() the waiting side, on any Word that models it. A coroutine's parker
// holds its suspension: complete() resumes it, and its timer withdraws with O6.
template <sync::waiter Word>
class basic_parker {
 public:
  using clock = typename Word::clock;

  // A coroutine owner, before its record is published: a waker resumes `s` instead of
  // notifying the word.
  void wait_as(sync::suspension& s, sync::location loc = {}) { suspension_.write(loc) = &s; }

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
    // Read before O2: a thread owner that sees done may return and take the parker with it.
    sync::suspension* const coroutine = suspension_.read(loc);
    // O2 release: the outcome, to O3; the old word says whether the owner parked (O5).
    const std::uint32_t was = state_.exchange(done, sync::release, loc);
    if (coroutine != nullptr) {
      // E1: continues the coroutine if it has suspended; the waker's last touch of its frame.
      coroutine->resume();
      return;
    }
    if (was & parked) state_.notify_all(loc);
  }

  // A coroutine's withdrawal (its timer fired, or its frame goes while it waits): true if it
  // won, and then no claim can. False if a claim won first.
  bool withdraw(sync::location loc = {}) {
    std::uint32_t expected = waiting;
    // O6 acquire: cancels, against O1; on failure the claimer completes (under its lock).
    return state_.compare_exchange_strong(expected, cancelled, sync::acquire, loc);
  }

  // sync::timer::fire of a timed coroutine wait, on the executor's timer thread: what a
  // timed-out thread does (the cancel CAS), and the resumption only if the cancel won.
  static void expire(sync::timer& t) {
    basic_parker& p = *static_cast<basic_parker*>(t.context);
    // O6 at this call. Not machine-checked: stronger than this call needs: the executor orders
    // the fire after start_timer, and so after all the owner wrote; a won CAS reads only the
    // owner's `waiting`. Kept: withdraw() is one operation for the frame's withdrawal too.
    if (p.withdraw()) p.suspension_.read()->resume();
  }

  // A coroutine owner, once resumed: true if a waker completed the operation, false if it was
  // withdrawn (the state is then done or cancelled, never waiting or claimed).
  bool completed(sync::location loc = {}) const {
    // O3 acquire: pairs with O2.
    return state_.load(sync::acquire, loc) == done;
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
  sync::plain<sync::suspension*> suspension_{nullptr};  // null: the owner is a thread
};

using parker = basic_parker<sync::parking_word>;

// One wait of a coroutine, kept in its awaitable: the parker its records point to, the
// suspension that continues it, and the timer of a timed wait.
class coroutine_wait {
 public:
  using clock = detail::parker::clock;

  explicit coroutine_wait(std::optional<clock::time_point> deadline) noexcept
      : deadline_(deadline) {}
  coroutine_wait(const coroutine_wait&) = delete;
  coroutine_wait& operator=(const coroutine_wait&) = delete;

  // First in await_suspend, before any lock: throws std::logic_error outside a worker.
  void begin(std::coroutine_handle<> h, const char* what) {
    const sync::continuation k = sync::continuation_of(h, what);
    executor_ = k.on;
    suspension_.emplace(k);
    parker_.wait_as(*suspension_);
  }

  detail::parker& parker() noexcept { return parker_; }

  // After the records are published and the locks released: the timer (the fire may resume
  // at once, which suspend() then sees), then the last touch of the frame.
  bool suspend() {
    if (deadline_) {
      timer_.deadline = *deadline_;
      timer_.fire = &detail::parker::expire;
      timer_.context = &parker_;
      executor_->start_timer(timer_);
      timing_ = true;
    }
    return suspension_->suspend();
  }

  // In await_resume and before the frame goes: the fire is then neither running nor due.
  void stop_timer() {
    if (timing_) executor_->stop_timer(timer_);
    timing_ = false;
  }

 private:
  detail::parker parker_;
  std::optional<sync::suspension> suspension_;
  std::optional<clock::time_point> deadline_;
  sync::timer timer_;
  sync::executor* executor_ = nullptr;
  bool timing_ = false;
};

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

  // The coroutine forms (sync::awaitable_channel): the same operations, suspending instead of
  // parking. async_send(const T&) copies into the awaitable; async_send(T&&) refers to the
  // caller's object and moves from it only if the send happens.
  auto async_send(const T& value) { return send_awaitable<false>(*this, value, std::nullopt); }
  auto async_send(T&& value) { return send_awaitable<false>(*this, value, std::nullopt); }
  template <class Rep, class Period>
  auto async_send_for(const T& value, const std::chrono::duration<Rep, Period>& d) {
    return send_awaitable<true>(*this, value, deadline_after(d));
  }
  template <class Rep, class Period>
  auto async_send_for(T&& value, const std::chrono::duration<Rep, Period>& d) {
    return send_awaitable<true>(*this, value, deadline_after(d));
  }
  auto async_recv() { return recv_awaitable<false>(*this, std::nullopt); }
  template <class Rep, class Period>
  auto async_recv_for(const std::chrono::duration<Rep, Period>& d) {
    return recv_awaitable<true>(*this, deadline_after(d));
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
        // O1 at this call. Not machine-checked: stronger than needed; the outcome goes by O2 → O3,
        // and the record, with all its owner wrote before queuing it, reaches the waker through
        // the channel's lock; a losing claim or cancel takes nothing. Kept: the waiter protocol.
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

  template <class Rep, class Period>
  static clock::time_point deadline_after(const std::chrono::duration<Rep, Period>& d) {
    return clock::now() + std::chrono::ceil<clock::duration>(d);
  }

  // A coroutine's record leaves its queue without a waker: after its timer's withdrawal, or
  // when its frame goes while it waits (then it withdraws here; if a claim won, the waker has
  // completed it under this lock and the hand-off dies with the frame).
  void withdraw(detail::coroutine_wait& wait, waiter& self, bool sending, bool cancel) {
    wait.stop_timer();
    std::scoped_lock hold(lock_);
    if (cancel) wait.parker().withdraw();
    state& s = state_.write();
    (sending ? s.senders : s.receivers).remove(&self);
  }

  // await_suspend's shape, both awaitables: the continuation first (it throws outside a
  // worker), then the lock and the non-blocking half; only if that cannot complete, the
  // record is queued, and the timer started after the lock is released. The record is in
  // the frame, so the awaitable neither moves nor copies.
  template <bool Timed>
  class [[nodiscard]] send_awaitable {
   public:
    send_awaitable(channel& ch, const T& value, std::optional<clock::time_point> deadline)
        : ch_(ch), copy_(value), source_(&*copy_), wait_(deadline) {}
    send_awaitable(channel& ch, T& value, std::optional<clock::time_point> deadline)
        : ch_(ch), source_(&value), wait_(deadline) {}
    send_awaitable(const send_awaitable&) = delete;
    send_awaitable& operator=(const send_awaitable&) = delete;
    ~send_awaitable() {
      if (pending_) ch_.withdraw(wait_, self_, true, true);
    }

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      wait_.begin(h, "lockstep::locked::channel::async_send");
      std::unique_lock hold(ch_.lock_);
      if (ch_.offer(*source_) == sync::channel_status::ok) return false;
      self_ = waiter{&wait_.parker(), 0, source_};
      ch_.state_.write().senders.push(&self_);
      pending_ = true;
      hold.unlock();
      return wait_.suspend();
    }
    auto await_resume() {
      sync::channel_status status = sync::channel_status::ok;
      if (pending_) {
        pending_ = false;
        wait_.stop_timer();
        // O3 at this call. Not machine-checked: stronger than needed: the coroutine runs after
        // the suspension's arrivals and the executor's queue, which order the completion and
        // all before it. Kept: the parker's outcome does not rest on the executor.
        if (!wait_.parker().completed()) {
          ch_.withdraw(wait_, self_, true, false);
          status = sync::channel_status::timeout;
        } else if (wait_.parker().by_close()) {
          throw sync::channel_closed("lockstep::locked::channel: send on closed channel");
        }
      }
      if constexpr (Timed) {
        return status;
      }
    }

   private:
    channel& ch_;
    std::optional<T> copy_;
    T* source_;
    detail::coroutine_wait wait_;
    waiter self_{};
    bool pending_ = false;  // the record is queued and no await_resume has run
  };

  template <bool Timed>
  class [[nodiscard]] recv_awaitable {
   public:
    recv_awaitable(channel& ch, std::optional<clock::time_point> deadline)
        : ch_(ch), wait_(deadline) {}
    recv_awaitable(const recv_awaitable&) = delete;
    recv_awaitable& operator=(const recv_awaitable&) = delete;
    ~recv_awaitable() {
      if (pending_) ch_.withdraw(wait_, self_, false, true);
    }

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      wait_.begin(h, "lockstep::locked::channel::async_recv");
      std::unique_lock hold(ch_.lock_);
      status_ = ch_.take(value_);
      if (status_ != sync::channel_status::empty) return false;
      self_ = waiter{&wait_.parker(), 0, nullptr, &value_};
      ch_.state_.write().receivers.push(&self_);
      pending_ = true;
      hold.unlock();
      return wait_.suspend();
    }
    auto await_resume() {
      if (pending_) {
        pending_ = false;
        wait_.stop_timer();
        // O3 at this call. Not machine-checked: stronger than needed, as in async_send's.
        if (!wait_.parker().completed()) {
          ch_.withdraw(wait_, self_, false, false);
          status_ = sync::channel_status::timeout;
        } else {
          status_ = wait_.parker().by_close() ? sync::channel_status::closed
                                              : sync::channel_status::ok;
        }
      }
      if constexpr (Timed) {
        return sync::recv_result<T>{status_, std::move(value_)};
      } else {
        return std::move(value_);
      }
    }

   private:
    channel& ch_;
    std::optional<T> value_;
    sync::channel_status status_ = sync::channel_status::empty;
    detail::coroutine_wait wait_;
    waiter self_{};
    bool pending_ = false;  // the record is queued and no await_resume has run
  };

  const std::size_t capacity_;
  mutable futex_lock lock_;
  sync::plain<state> state_;
};

using sync::on_recv;
using sync::on_send;

}  // namespace lockstep::locked
