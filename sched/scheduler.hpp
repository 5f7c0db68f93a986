// sched::basic_scheduler<Deque> — an M:N scheduler of tasks (C++20 coroutines) on M worker
// threads: Go's runtime design on lockstep's own structures.
//
// Paper: Go's runtime/proc.go (schedule, findRunnable, runqput's runnext); work stealing after
//   R. D. Blumofe and C. E. Leiserson, "Scheduling Multithreaded Computations by Work
//   Stealing", JACM 1999.
// Progress: a worker looks in order at runnext, its deque (LIFO), the injection queue (and
//   once in 61 looks first at the injection queue, once at its deque's oldest task); then,
//   if admitted as a spinner, steals (FIFO) from random victims four rounds; then parks
//   through idle_workers. Spawning is the deque's push plus idle_workers::notify_work.
// Linearization: none; a scheduler is no object with a sequential specification. Each task
//   is resumed exactly once per suspension: a handle is in exactly one place at a time (a
//   runnext slot, a deque, the injection queue, a wait_group's list, a parent's frame).
// Ordering: the deques' and the injection queue's; a handle pushed there is published by the
//   push and taken by a pop or steal, which carries the task's writes to the next thread.
//   O1 seq_cst stop flag, stored by the destructor → loaded by every worker between tasks
//   (release/acquire would do: see O1 in loop()).
//   Lost wake-ups: idle_workers O1/O2 (every push is followed by notify_work, every park
//   re-checks every deque and the injection queue).
// Memory and ABA: detached tasks are registered (detail::scheduler_core) until they
//   complete; the destructor joins the workers and destroys the ones left, with their
//   children. Queued handles of destroyed frames are dropped unresumed.
// Exceptions: workers == 0 throws std::invalid_argument. run() on a worker thread throws
//   std::logic_error (it would block the worker; with one, forever). An exception escaping a
//   detached task goes to options::on_detached_exception, by default what() on stderr and
//   std::terminate (Go's policy for a panicking goroutine). Destroying the scheduler from
//   one of its workers prints why and calls std::terminate.
// Policy: Deque is any sync::work_stealing_deque of std::coroutine_handle<> with size();
//   scheduler uses lockfree::chase_lev_deque, locked_scheduler its locked twin. The injection
//   queue is lockfree::ms_queue. Pinning is the caller's, in options::on_worker_start.
// Deviations: from Go: runnext cannot be stolen, and there is no preemption; a task runs
//   until it suspends. Yield goes through the injection queue, as Go's Gosched does.
// Executor: the scheduler is the sync::executor of its workers (sync/executor.hpp): a channel
//   resumes a coroutine it completed through make_ready (runnext), and timed waits and
//   sched::sleep_for run on its timer queue (sched/timers.hpp), one thread per scheduler.
// More: docs/runtime.md (the guide), docs/algorithms/scheduler.md (the argument).
#pragma once

#include <algorithm>
#include <concepts>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <lockstep/locked/work_stealing_deque.hpp>
#include <lockstep/lockfree/chase_lev_deque.hpp>
#include <lockstep/lockfree/ms_queue.hpp>
#include <lockstep/sched/core.hpp>
#include <lockstep/sched/idle_workers.hpp>
#include <lockstep/sched/task.hpp>
#include <lockstep/sched/timers.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::sched {

struct options {
  std::size_t workers = std::max(1u, std::thread::hardware_concurrency());
  // Runs on worker i, with i, before it takes any task: where a benchmark pins its threads.
  std::function<void(std::size_t)> on_worker_start;
  // Gets every exception that escapes a detached task, on the worker that ran it. Empty:
  // the default, which prints what() to stderr and calls std::terminate.
  std::function<void(std::exception_ptr)> on_detached_exception;
};

namespace detail {

[[noreturn]] inline void terminate_on_detached_exception(std::exception_ptr error) noexcept {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lockstep::sched: an exception escaped a detached task: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "lockstep::sched: an exception escaped a detached task (not a "
                         "std::exception)\n");
  }
  std::terminate();
}

inline void spawn_on(scheduler_core& owner, task<void> t) {
  const std::coroutine_handle<promise<void>> h = task_access::release(t, "spawn");
  try {
    h.promise().detach(owner, h);
  } catch (...) {
    h.destroy();
    throw;
  }
  owner.make_spawned(h);
}

// go(): the callable and its arguments are parameters, so they live in this frame for as long
// as the task they return runs.
template <class F, class... A>
task<void> invoke_in_frame(F f, A... args) {
  co_await std::invoke(f, args...);
}

// run(): the result of the root task, and a signal the caller blocks on.
template <class T>
struct outcome {
  std::optional<T> value;
  std::exception_ptr error;
  T get() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <class T>
struct outcome<T&> {
  T* value = nullptr;
  std::exception_ptr error;
  T& get() {
    if (error) std::rethrow_exception(error);
    return *value;
  }
};

template <>
struct outcome<void> {
  std::exception_ptr error;
  void get() {
    if (error) std::rethrow_exception(error);
  }
};

class run_signal {
 public:
  // Notifies under the lock: the waiter cannot return (and free this) before the unlock.
  void set() {
    std::scoped_lock hold(lock_);
    done_ = true;
    ready_.notify_one();
  }
  void wait() {
    std::unique_lock hold(lock_);
    ready_.wait(hold, [this] { return done_; });
  }

 private:
  sync::mutex lock_;
  sync::condition_variable ready_;
  bool done_ = false;
};

// The frame run() starts: it signals the blocked caller only once it is suspended for good,
// so the caller may destroy it the moment it wakes.
class root_task {
 public:
  struct promise_type {
    run_signal* signal = nullptr;

    static void* operator new(std::size_t bytes) { return frame_pool::allocate(bytes); }
    static void operator delete(void* p, std::size_t bytes) noexcept {
      frame_pool::deallocate(p, bytes);
    }
    root_task get_return_object() noexcept {
      return root_task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    struct final_awaiter {
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<promise_type> h) const noexcept {
        h.promise().signal->set();
      }
      void await_resume() const noexcept {}
    };
    final_awaiter final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    // The body catches everything into its outcome.
    void unhandled_exception() const noexcept { std::terminate(); }
  };

  root_task(root_task&& other) noexcept : frame_(std::exchange(other.frame_, {})) {}
  root_task& operator=(root_task&&) = delete;
  ~root_task() {
    if (frame_) frame_.destroy();
  }

  std::coroutine_handle<> start(run_signal& signal) noexcept {
    frame_.promise().signal = &signal;
    return frame_;
  }

 private:
  explicit root_task(std::coroutine_handle<promise_type> frame) noexcept : frame_(frame) {}
  std::coroutine_handle<promise_type> frame_;
};

template <class T>
root_task run_root(task<T> t, outcome<T>& out) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await t;
    } else if constexpr (std::is_reference_v<T>) {
      out.value = &co_await t;
    } else {
      out.value.emplace(co_await t);
    }
  } catch (...) {
    out.error = std::current_exception();
  }
}

}  // namespace detail

template <class Deque>
  requires sync::work_stealing_deque<Deque> &&
           std::same_as<typename Deque::value_type, std::coroutine_handle<>>
class basic_scheduler final : private detail::scheduler_core {
 public:
  using deque_type = Deque;

  explicit basic_scheduler(std::size_t workers) : basic_scheduler(options{workers, {}, {}}) {}

  explicit basic_scheduler(options opts)
      : detail::scheduler_core(checked(opts.workers),
                               opts.on_detached_exception
                                   ? std::move(opts.on_detached_exception)
                                   : detail::terminate_on_detached_exception),
        on_worker_start_(std::move(opts.on_worker_start)),
        idle_(opts.workers) {
    workers_.reserve(opts.workers);
    for (std::size_t i = 0; i < opts.workers; ++i) {
      workers_.push_back(std::make_unique<worker>(*this, i));
    }
    threads_.reserve(opts.workers);
    try {
      for (std::size_t i = 0; i < opts.workers; ++i) {
        threads_.emplace_back([this, i] { workers_[i]->loop(); });
      }
    } catch (...) {
      shut_down();
      throw;
    }
  }

  basic_scheduler(const basic_scheduler&) = delete;
  basic_scheduler& operator=(const basic_scheduler&) = delete;

  // Stops the workers after the task each is running and destroys every detached task left,
  // queued or parked. Must not run concurrently with run() on another thread.
  ~basic_scheduler() {
    if (mine(detail::current_worker())) {
      std::fputs("lockstep::sched::basic_scheduler: destroyed from one of its own workers, "
                 "which would have to join itself; terminating\n",
                 stderr);
      std::terminate();
    }
    shut_down();
    destroy_detached();
  }

  // Fire and forget: the task runs on some worker and destroys itself when it completes.
  void spawn(task<void> t) { detail::spawn_on(*this, std::move(t)); }

  // spawn(f(args...)), with f and args kept in the task's frame: a lambda's captures stay
  // alive for as long as the task it returns runs.
  template <class F, class... A>
  void go(F f, A... args) {
    spawn(detail::invoke_in_frame(std::move(f), std::move(args)...));
  }

  // Runs t on the workers and blocks the calling (plain) thread until it completes; returns
  // its result or rethrows its exception.
  template <class T>
  T run(task<T> t) {
    if (detail::current_worker() != nullptr) {
      throw std::logic_error(
          "lockstep::sched::run: called on a worker thread, which it would block (with one "
          "worker, forever); co_await the task instead");
    }
    detail::outcome<T> out;
    detail::run_signal signal;
    detail::root_task root = detail::run_root(std::move(t), out);
    inject(root.start(signal));
    signal.wait();
    return out.get();
  }

  std::size_t workers() const noexcept { return workers_.size(); }

 private:
  class alignas(sync::cache_line) worker final : public detail::worker_core {
   public:
    worker(basic_scheduler& owner, std::size_t index)
        : detail::worker_core(owner, index), scheduler_(owner) {}

    void push(std::coroutine_handle<> h) override {
      deque_.push(h);
      scheduler_.idle_.notify_work();
    }

    std::coroutine_handle<> steal() {
      const std::optional<std::coroutine_handle<>> h = deque_.steal();
      return h ? *h : std::coroutine_handle<>{};
    }
    bool has_work() const { return deque_.size() != 0; }

    void loop() {
      detail::current_worker() = this;
      sync::current_executor() = &scheduler_;
      if (scheduler_.on_worker_start_) scheduler_.on_worker_start_(index());
      bool spinning = false;
      // O1 seq_cst: pairs with the destructor's store; read between tasks. Not machine-checked:
      // the scheduler is tested natively only. Stronger than needed: the flag carries no data and
      // no seq_cst access relies on its place in S; a worker that reads false too late parks,
      // and idle_workers::stop wakes it. Kept: one load per task, a plain load on x86-64.
      while (!scheduler_.stopping_.load(sync::seq_cst)) {
        std::coroutine_handle<> h = next();
        if (!h) {
          if (!spinning) spinning = scheduler_.idle_.try_spin();
          if (spinning) h = scheduler_.steal_for(index());
          if (!h) {
            scheduler_.collect(index());
            // Woken (true), the worker is a spinner again; false: stopped.
            if (!scheduler_.idle_.park(spinning, [this] { return scheduler_.has_work(); })) break;
            spinning = true;
            continue;
          }
        }
        if (spinning) {
          scheduler_.idle_.spinner_found_work();
          spinning = false;
        }
        h.resume();
      }
      detail::current_worker() = nullptr;
      sync::current_executor() = nullptr;
    }

   private:
    // Go's schedule(): a bounded transfer's target first (it is the running task going on),
    // then runnext, the deque, the injection queue. Two looks in every 61 start elsewhere, so
    // that no ready task waits forever: one at the injection queue (yielded tasks, against a
    // worker that keeps feeding its own deque), one at this deque's oldest task, its FIFO end
    // (against two tasks that keep waking each other through runnext while the LIFO end is
    // never reached).
    std::coroutine_handle<> next() {
      if (std::coroutine_handle<> h = take_hop()) return h;
      const std::uint32_t tick = ++ticks_ % 61;
      if (tick == 0) {
        scheduler_.collect(index());
        if (auto h = scheduler_.injection_.try_pop()) return *h;
      } else if (tick == 30) {
        if (auto h = deque_.steal()) return *h;
      }
      if (std::coroutine_handle<> h = take_runnext()) return h;
      if (auto h = deque_.pop()) return *h;
      if (auto h = scheduler_.injection_.try_pop()) return *h;
      return {};
    }

    basic_scheduler& scheduler_;
    Deque deque_;
    std::uint32_t ticks_ = 0;
  };

  static std::size_t checked(std::size_t workers) {
    if (workers == 0) {
      throw std::invalid_argument("lockstep::sched::basic_scheduler: 0 workers (it needs one)");
    }
    return workers;
  }

  bool mine(const detail::worker_core* w) const noexcept {
    return w != nullptr && &w->owner() == static_cast<const detail::scheduler_core*>(this);
  }

  void inject(std::coroutine_handle<> h) override {
    injection_.push(h);
    idle_.notify_work();
  }

  // The executor's timers (a channel's timed waits): fired on the timer thread, whose fire
  // makes the task ready through the injection queue.
  void start_timer(sync::timer& t) override { timers_.start(t); }
  void stop_timer(sync::timer& t) override { timers_.stop(t); }

  // A spinner's search: four rounds over the other workers from a random one, the
  // injection queue between rounds.
  std::coroutine_handle<> steal_for(std::size_t self) {
    const std::size_t n = workers_.size();
    for (int round = 0; round < 4; ++round) {
      const std::size_t start = sync::random_below(static_cast<std::uint32_t>(n));
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t victim = (start + i) % n;
        if (victim == self) continue;
        if (std::coroutine_handle<> h = workers_[victim]->steal()) return h;
      }
      if (auto h = injection_.try_pop()) return *h;
    }
    return {};
  }

  // idle_workers' re-check before a worker sleeps: every queue a task can be published to.
  bool has_work() const {
    if (!injection_.empty()) return true;
    return std::any_of(workers_.begin(), workers_.end(),
                       [](const std::unique_ptr<worker>& w) { return w->has_work(); });
  }

  void shut_down() noexcept {
    // O1 seq_cst: pairs with the workers' loads; idle_workers::stop wakes the parked ones.
    // Not machine-checked: the scheduler is tested natively only; stronger than needed, see O1
    // in loop(). Kept: once per scheduler.
    stopping_.store(true, sync::seq_cst);
    idle_.stop();
    for (sync::thread& t : threads_) t.join();
    threads_.clear();
  }

  std::function<void(std::size_t)> on_worker_start_;
  idle_workers idle_;
  lockfree::ms_queue<std::coroutine_handle<>> injection_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<sync::thread> threads_;
  sync::atomic<bool> stopping_{false};
  // Last, so destroyed first: its thread, which injects, stops before the injection queue
  // goes. Every timer has been stopped by then (destroy_detached destroyed the frames).
  detail::timer_queue timers_;
};

using scheduler = basic_scheduler<lockfree::chase_lev_deque<std::coroutine_handle<>>>;
using locked_scheduler = basic_scheduler<locked::work_stealing_deque<std::coroutine_handle<>>>;

// Inside a task, on a worker: spawns t on the same scheduler (it runs next on this worker
// unless another task is made ready first or a thief takes it).
inline void spawn(task<void> t) {
  detail::worker_core* const w = detail::current_worker();
  if (w == nullptr) {
    throw std::logic_error(
        "lockstep::sched::spawn: called outside a worker; use scheduler::spawn");
  }
  detail::spawn_on(w->owner(), std::move(t));
}

// co_await sched::yield(): lets other tasks run; this one goes to the back of the injection
// queue, as Go's runtime.Gosched puts the goroutine on the global run queue.
struct yield_awaiter {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    detail::worker_core* const w = detail::current_worker();
    if (w == nullptr) {
      throw std::logic_error("lockstep::sched::yield: awaited outside a scheduler's worker");
    }
    w->owner().inject(h);
  }
  void await_resume() const noexcept {}
};

[[nodiscard]] inline yield_awaiter yield() noexcept { return {}; }

// The same as s.run(std::move(t)).
template <class T, class S>
T sync_wait(S& s, task<T> t) {
  return s.run(std::move(t));
}

}  // namespace lockstep::sched
