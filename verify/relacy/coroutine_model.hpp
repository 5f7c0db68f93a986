// A model executor and a minimal coroutine type, for model checks of the coroutine waiter
// (sync/executor.hpp): C++20 coroutines inside a Relacy check.
//
// Relacy's simulated threads are fibers of one OS thread, so a coroutine frame resumed on a
// simulated thread runs on that thread's stack, and its operations are scheduling points like
// the thread's own. A model check starts each coroutine on a model thread, which runs it to its
// first suspension; a waker's make_ready(h) queues h, and every model thread, once its own work
// is done, resumes what is queued (run_ready) until nothing is — so a coroutine made ready by a
// thread runs next on that thread, as on lockstep's scheduler (runnext), or on another thread
// that finds it first. The queue is under a sync::mutex: the waker's writes reach the resumed
// coroutine through the push and the pop, as through the scheduler's queues.
//
// Timers: start_timer records the timer, and a model thread of its own (fire_timers) calls
// t.fire(t) at a point of Relacy's choosing after that, unless stop_timer came first. The
// deadline is not consulted: Relacy has no clock, and a fire at any point is every timing a
// deadline could give. A fire runs under the executor's timer lock, which stop_timer takes, so
// stop_timer returns only when the fire is neither running nor due (the contract a timer in a
// coroutine frame needs). One timed wait per execution.
//
// What is checked, as each execution runs and in check_all_resumed() after it: every co_await
// of a model coroutine goes through await_transform, which notes when the awaitable's
// await_suspend begins and whether it suspended; make_ready must name a coroutine inside such an
// await_suspend (or suspended by it) and not already queued — a second make_ready for one
// suspension, one for a coroutine that continued at once (its await_suspend returned false), or
// one for a coroutine that has finished is a USER ASSERT FAILED at once. After the execution
// every coroutine must have finished: a coroutine left suspended is a lost resume. Frames come
// from the global operator new, which Relacy replaces, so a frame never freed is also a leak.
// The bookkeeping is plain memory, invisible to Relacy: exact, since only one fiber runs at a
// time, and it adds no scheduling points.
#pragma once

#include <lockstep/verify/model_check.hpp>

#include <array>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <lockstep/sync/executor.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::verify {

class model_executor final : public sync::executor {
 public:
  static constexpr unsigned max_coroutines = 4;
  static constexpr unsigned max_ready = 8;

  // `workers`: the model threads that call leave(); the timer thread is not one of them.
  explicit model_executor(unsigned workers) : workers_(workers) {}

  // A model thread's first call: its coroutines find this executor through current_executor().
  void enter() { sync::current_executor() = this; }

  // A model thread's last call: resumes what is ready, then tells the timer thread that one
  // fewer thread could still start a timer.
  void leave() {
    run_ready();
    timer_lock_.lock();
    ++finished_workers_;
    signal_timer_thread();
    timer_lock_.unlock();
  }

  void make_ready(std::coroutine_handle<> h) override {
    record& r = record_of(h.address());
    RL_ASSERT(!r.done);     // resumed after it finished: a resume too many
    RL_ASSERT(r.awaiting);  // resumed while running, or after it continued at once
    RL_ASSERT(!r.queued);   // made ready twice for one suspension
    r.queued = true;
    ++r.resumptions;
    ready_lock_.lock();
    RL_ASSERT(ready_count_ < max_ready);
    ready_[(ready_head_ + ready_count_++) % max_ready] = h;
    ready_lock_.unlock();
  }

  void start_timer(sync::timer& t) override {
    timer_lock_.lock();
    RL_ASSERT(timer_ == nullptr);  // one timed wait per execution
    timer_ = &t;
    timer_state_ = armed;
    signal_timer_thread();
    timer_lock_.unlock();
  }

  void stop_timer(sync::timer& t) override {
    timer_lock_.lock();
    if (timer_ == &t && timer_state_ == armed) timer_state_ = stopped;
    timer_lock_.unlock();
  }

  // The timer thread's body: waits for a timer (or for every worker to leave without one), and
  // fires it unless it was stopped first; then resumes what the fire made ready.
  void fire_timers() {
    enter();
    for (;;) {
      timer_lock_.lock();
      if (timer_state_ == armed) {
        timer_state_ = fired;
        ++timers_fired_;
        timer_->fire(*timer_);
        timer_lock_.unlock();
        run_ready();
        return;
      }
      const bool over = timer_state_ != none || finished_workers_ == workers_;
      const std::uint32_t seen = events_.load(sync::relaxed);
      timer_lock_.unlock();
      if (over) return;
      // Acquire: the event's writes under the timer lock; the lock is taken again anyway.
      events_.wait(seen, sync::acquire);
    }
  }

  // Resumes queued coroutines until none is queued.
  void run_ready() {
    for (;;) {
      ready_lock_.lock();
      if (ready_count_ == 0) {
        ready_lock_.unlock();
        return;
      }
      const std::coroutine_handle<> h = ready_[ready_head_];
      ready_head_ = (ready_head_ + 1) % max_ready;
      --ready_count_;
      ready_lock_.unlock();
      record_of(h.address()).queued = false;
      h.resume();
    }
  }

  // After the execution: every coroutine finished, none left queued or suspended (a lost
  // resume), every resume matched by a suspension.
  void check_all_resumed() const {
    RL_ASSERT(ready_count_ == 0);
    for (unsigned i = 0; i < enrolled_; ++i) {
      RL_ASSERT(records_[i].done);
      RL_ASSERT(!records_[i].awaiting && !records_[i].queued);
      RL_ASSERT(records_[i].resumptions == records_[i].suspensions);
    }
  }

  unsigned timers_fired() const { return timers_fired_; }

  // The coroutine type's side of the bookkeeping.
  unsigned enroll(void* frame) {
    RL_ASSERT(enrolled_ < max_coroutines);
    records_[enrolled_].frame = frame;
    return enrolled_++;
  }
  void awaiting(unsigned id) {
    RL_ASSERT(!records_[id].awaiting);
    records_[id].awaiting = true;
  }
  // Its await_suspend returned: `suspended` false means the coroutine continues at once, and
  // then no waker may have made it ready (the suspension's second arrival continues it, once).
  void returned(unsigned id, bool suspended) {
    record& r = records_[id];
    if (suspended) {
      ++r.suspensions;
    } else {
      RL_ASSERT(!r.queued);
      r.awaiting = false;
    }
  }
  void resumed(unsigned id) { records_[id].awaiting = false; }
  void finished(unsigned id) { records_[id].done = true; }

 private:
  struct record {
    void* frame = nullptr;
    bool awaiting = false;  // from await_suspend's start until the coroutine runs again
    bool queued = false;    // made ready, not yet resumed
    bool done = false;
    unsigned suspensions = 0;
    unsigned resumptions = 0;
  };
  enum timer_state { none, armed, stopped, fired };

  // The record of a frame: a live coroutine's if any has that frame (a finished one's frame
  // may have been reused), else the finished one's.
  record& record_of(void* frame) {
    record* finished_one = nullptr;
    for (unsigned i = 0; i < enrolled_; ++i) {
      if (records_[i].frame != frame) continue;
      if (!records_[i].done) return records_[i];
      finished_one = &records_[i];
    }
    RL_ASSERT(finished_one != nullptr);  // a handle of no model coroutine
    return *finished_one;
  }

  // Under the timer lock.
  void signal_timer_thread() {
    // Release: the timer thread re-reads the state under the lock; the word only wakes it.
    events_.store(events_.load(sync::relaxed) + 1, sync::release);
    events_.notify_all();
  }

  const unsigned workers_;
  std::array<record, max_coroutines> records_{};
  unsigned enrolled_ = 0;

  sync::mutex ready_lock_;
  std::array<std::coroutine_handle<>, max_ready> ready_{};
  unsigned ready_head_ = 0;
  unsigned ready_count_ = 0;

  sync::mutex timer_lock_;
  sync::parking_word events_{0};
  sync::timer* timer_ = nullptr;
  timer_state timer_state_ = none;
  unsigned finished_workers_ = 0;
  unsigned timers_fired_ = 0;
};

// A coroutine that a model thread starts and that frees its own frame when it finishes. Its
// first parameter is the model executor, whose records it joins; every co_await in its body is
// watched (model_executor's bookkeeping). An exception escaping it fails the check.
class model_coroutine {
 public:
  struct promise_type;
  using handle = std::coroutine_handle<promise_type>;

  template <class Awaitable>
  class watched {
   public:
    watched(Awaitable& inner, model_executor& e, unsigned id) : inner_(inner), e_(&e), id_(id) {}

    bool await_ready() { return inner_.await_ready(); }

    template <class Promise>
    auto await_suspend(std::coroutine_handle<Promise> h) {
      // Locals: once the awaitable has suspended, another thread may run (and free) the frame
      // this awaiter lives in.
      model_executor& e = *e_;
      const unsigned id = id_;
      e.awaiting(id);
      using result = decltype(inner_.await_suspend(h));
      if constexpr (std::is_void_v<result>) {
        inner_.await_suspend(h);
        e.returned(id, true);
      } else if constexpr (std::is_same_v<result, bool>) {
        const bool suspended = inner_.await_suspend(h);
        e.returned(id, suspended);
        return suspended;
      } else {
        const std::coroutine_handle<> next = inner_.await_suspend(h);
        e.returned(id, next != h);
        return next;
      }
    }

    decltype(auto) await_resume() {
      e_->resumed(id_);
      return inner_.await_resume();
    }

   private:
    Awaitable& inner_;
    model_executor* e_;
    unsigned id_;
  };

  struct promise_type {
    template <class... Rest>
    explicit promise_type(model_executor& e, Rest&...)
        : executor(&e), id(e.enroll(handle::from_promise(*this).address())) {}

    model_coroutine get_return_object() noexcept { return model_coroutine(handle::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept {
      executor->finished(id);
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { RL_ASSERT(!"an exception escaped a model coroutine"); }

    // The temporary awaitable lives until the end of the full co_await expression, so the
    // watcher refers to it.
    template <class Awaitable>
    watched<std::remove_reference_t<Awaitable>> await_transform(Awaitable&& a) noexcept {
      return {a, *executor, id};
    }

    model_executor* executor;
    unsigned id;
  };

  // Runs the coroutine on the calling model thread until it first suspends (or finishes). The
  // frame is the coroutine's from then on: nothing touches it through this object again.
  void start() && { std::exchange(h_, nullptr).resume(); }

 private:
  explicit model_coroutine(handle h) : h_(h) {}
  handle h_;
};

}  // namespace lockstep::verify
