// locked::flat_combining: flat combining over any sequential structure, after D. Hendler,
// I. Incze, N. Shavit and M. Tzafrir, "Flat Combining and the Synchronization-Parallelism
// Tradeoff", SPAA 2010; and its two instances fc_queue (FIFO over a std::deque) and fc_stack
// (LIFO over a std::deque), the flat-combining twins of the queue and stack families.
//
// The idea. A thread that wants an operation applied to the shared Sequential structure tries
// the lock once; if it gets it, it applies its operation directly. If the lock is held, it
// does not queue for it: it publishes the request in a publication record and waits. Whoever
// holds the lock is the combiner: after its own operation it scans every record, applies every
// pending request to the structure in turn, and hands each requester its result. One thread
// then does the work of many inside one critical section, with the structure hot in its cache,
// instead of the lock (and the structure's cache lines) travelling from core to core for each
// operation. Every critical section ends with such a scan, whichever way its thread got the
// lock. (The paper publishes first and then tries the lock; trying first spares an uncontended
// caller the record's round trip and changes nothing under contention, where the try fails.)
//
// What is generic, and how a request travels. flat_combining<Sequential, Lock>::apply(op)
// takes any callable `op(Sequential&)`. The request lives on the requester's stack — the
// callable, a slot for its result and one for an exception — and the publication record holds
// a type-erased pointer to it (a function pointer that knows the request's type, and the
// request's address). The combiner calls that function; the requester, once told its request
// is done, takes the result or rethrows the exception. An exception thrown by an operation is
// caught in the combiner, stored as a std::exception_ptr and rethrown in the requester: it
// never unwinds through the combiner, which goes on serving the other records. Operations must
// not call apply on the same instance (the combiner would wait for itself).
//
// Publication records: a fixed array, `records` of them (default_records unless the
// constructor says otherwise), each on its own cache line. Unlike the paper's per-thread
// records, a record is claimed per *operation*: a requester claims a free one (starting at
// thread_index() mod records, so threads mostly keep to their own record and the claim is one
// uncontended CAS), uses it for one request and frees it. Records therefore bound the number of
// requests waiting at once, not the number of threads, and nothing needs registering or aging
// out when a thread exits. When every record is claimed, the requester does not fail: it waits
// for the lock itself (blocking, as in a plain locked structure), applies its own operation and
// serves the pending requests. More threads than records only lose some of the combining.
//
// Record phases: vacant -> claimed (the requester's CAS) -> pending (the requester, after writing
// its task) -> done (the combiner, after running it) -> vacant (the requester, after reading the
// outcome). Only the requester moves its record out of vacant, claimed and done; only a
// combiner, holding the lock, moves it from pending to done. So a request runs exactly once.
//
// Waiting, and oversubscription. A requester waits for `done` spinning on its own record with
// exponential backoff (sync::backoff, its rounds doubling up to spin_cap pauses: a few microseconds
// in all), trying the lock after each round: if the lock is free nobody is combining, so it becomes
// the combiner itself. Past the cap every round yields the core (sched_yield natively). It never
// spins indefinitely: with more threads than cores (the benchmarks run 8 threads on 2 cores)
// the combiner may be descheduled, and waiters that kept spinning would burn the very time
// slices the combiner needs to finish their requests. Requesters do not park in the kernel: a
// parked requester would need the combiner to wake it (a system call per request served, the
// cost flat combining exists to avoid), and one whose request arrived after the combiner's
// scan would sleep with nobody left to serve it or to wake it.
//
// Progress: apply is blocking. A published request is served by the first critical section
// whose scan sees it pending, and while no critical section runs, its requester takes the lock
// itself (its try_lock after each backoff round), so it waits only for lock holders. Claiming
// is bounded (at most `records` CASes); the fallback when all records are claimed has the
// lock's guarantee. A combiner serves at most max_passes rounds of records, so it also returns
// in bounded time apart from the operations it runs.
// Linearization point: each operation at the moment a combiner (or the fallback) applies it to
// the Sequential structure, inside the critical section; the lock orders those moments.
//
// Memory ordering, the two edges and the lock:
// - the requester writes its task (and, on its stack, the operation's arguments) and then
//   stores `pending` with release; the combiner loads the state with acquire before it reads
//   the task and runs it, so it sees the request whole;
// - the combiner writes the outcome (result, exception) and then stores `done` with release;
//   the requester loads the state with acquire before it reads the outcome, and only then lets
//   the request go out of scope, so the combiner's last access to it happens first;
// - the requester vacates its record with a release store, and the next claimer's CAS is an
//   acquire: the combiner's reads of the old task happen before the new owner's writes;
// - the Sequential structure is touched only under the lock, which orders the combiners.
// Under the model checker the task, the outcome and the structure are sync::plain: a weakened
// edge is reported as a data race (verify/mutation/fc_relaxed_done.cpp weakens the second one).
//
// Exception safety: the operation's own guarantee. fc_queue and fc_stack are strong: push is
// std::deque's push_back (strong), and try_pop moves the front (or back) into the caller's
// return object and removes it only if that move succeeded. apply returns a result by moving it
// out of the request once more, so a result whose move throws has the basic guarantee there;
// fc_deque::try_pop avoids that move by writing into its own return object (named return value
// optimisation, which g++ and clang perform for that single named return).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <lockstep/locked/guarded_deque.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

template <class Sequential, class Lock = std_mutex>
class flat_combining {
 public:
  using sequential_type = Sequential;
  using lock_type = Lock;

  // Enough records that the benchmarks' 8 threads and the stress suites' 2x cores each keep a
  // record of their own most of the time; a combiner scans them all, so not many more.
  static constexpr std::size_t default_records = 16;
  // A combiner rescans once if its first round served other threads: requesters served early in
  // the round often publish again before it ends. Never more, so that a combiner's critical
  // section stays short and its own caller gets back to work.
  static constexpr unsigned max_passes = 2;
  // Backoff cap of a waiting requester, in pause instructions (sync::backoff), before it yields.
  static constexpr std::uint32_t spin_cap = 64;

  explicit flat_combining(std::size_t records = default_records)
      : count_(checked(records)), records_(std::make_unique<record[]>(count_)) {}

  flat_combining(const flat_combining&) = delete;
  flat_combining& operator=(const flat_combining&) = delete;

  // Applies operation(Sequential&) atomically with respect to every other apply on this
  // instance and returns its result; an exception it throws is rethrown here.
  template <class Operation>
  std::invoke_result_t<Operation&, Sequential&> apply(Operation&& operation) {
    using result_type = std::invoke_result_t<Operation&, Sequential&>;
    static_assert(!std::is_reference_v<result_type>,
                  "flat_combining::apply: an operation returns a value or void, not a reference "
                  "into the structure, which only the lock holder may touch");
    request<std::remove_reference_t<Operation>> mine{operation};
    const task work{&request<std::remove_reference_t<Operation>>::run, &mine};
    if (lock_.try_lock()) {
      // Nobody is combining: apply directly, then serve whoever published meanwhile.
      std::scoped_lock hold(std::adopt_lock, lock_);
      run_then_combine(work);
    } else if (record* slot = claim()) {
      publish_and_wait(*slot, work);
    } else {
      std::scoped_lock hold(lock_);
      run_then_combine(work);
    }
    if (std::exception_ptr error = mine.error.read()) std::rethrow_exception(std::move(error));
    if constexpr (!std::is_void_v<result_type>) return std::move(*mine.result.write());
  }

  std::size_t records() const noexcept { return count_; }

 private:
  enum phase : unsigned { vacant, claimed, pending, done };

  // A type-erased request: run(request, structure) applies it and stores its outcome.
  struct task {
    void (*run)(void*, Sequential&) noexcept = nullptr;
    void* request = nullptr;
  };

  struct alignas(sync::cache_line) record {
    sync::atomic<unsigned> state{vacant};
    sync::plain<task> work;
  };

  struct no_result {};

  // Lives on the requester's stack from publication until the requester has read `done`.
  template <class Operation>
  struct request {
    using result_type = std::invoke_result_t<Operation&, Sequential&>;
    using stored =
        std::conditional_t<std::is_void_v<result_type>, no_result, std::optional<result_type>>;

    explicit request(Operation& op) : operation(op) {}

    // Called by the lock holder, for its own request or a published one. Every outcome is written
    // to `error` (null on success), so the requester's read of it is ordered after the combiner's
    // run only through `done`.
    static void run(void* self, Sequential& structure) noexcept {
      request& r = *static_cast<request*>(self);
      std::exception_ptr failure;
      try {
        if constexpr (std::is_void_v<result_type>) {
          std::invoke(r.operation, structure);
        } else {
          r.result.write().emplace(std::invoke(r.operation, structure));
        }
      } catch (...) {
        failure = std::current_exception();
      }
      r.error.write() = std::move(failure);
    }

    Operation& operation;
    sync::plain<stored> result;
    sync::plain<std::exception_ptr> error;
  };

  static std::size_t checked(std::size_t records) {
    if (records == 0) {
      throw std::invalid_argument("lockstep::locked::flat_combining: 0 publication records");
    }
    return records;
  }

  // A vacant record, or nullptr when all are claimed. Strong CAS: this is not a retry loop, and
  // a spurious failure would send the requester on to another record for nothing. No relaxed
  // load before it: the first record tried is usually this thread's own and vacant, and a load
  // would only fetch its line shared before the CAS fetches it again exclusive.
  record* claim() {
    std::size_t i = sync::thread_index() % count_;
    for (std::size_t tried = 0; tried < count_; ++tried) {
      record& r = records_[i];
      unsigned expected = vacant;
      if (r.state.compare_exchange_strong(expected, claimed, sync::acquire, sync::relaxed)) {
        return &r;
      }
      if (++i == count_) i = 0;
    }
    return nullptr;
  }

  // noexcept: once published, the request (on this stack frame) must not be abandoned to a
  // combiner, so a Lock whose try_lock throws terminates the program here instead.
  void publish_and_wait(record& slot, task work) noexcept {
    slot.work.write() = work;
    slot.state.store(pending, sync::release);
    sync::backoff backoff(spin_cap);
    while (slot.state.load(sync::acquire) != done) {
      if (lock_.try_lock()) {
        combine(&slot);
        lock_.unlock();
      } else {
        backoff.pause();
      }
    }
    slot.state.store(vacant, sync::release);
  }

  // The lock is held by a thread that did not publish its request: its own operation first.
  void run_then_combine(task work) noexcept {
    work.run(work.request, structure_.write());
    combine(nullptr);
  }

  // The lock is held. Serves every pending record, `own` (the combiner's, if it published one)
  // included, in rounds: another round only while the last one served other threads.
  void combine(const record* own) noexcept {
    Sequential& structure = structure_.write();
    for (unsigned pass = 0; pass < max_passes; ++pass) {
      bool served_others = false;
      for (std::size_t i = 0; i < count_; ++i) {
        record& r = records_[i];
        if (r.state.load(sync::acquire) != pending) continue;
        const task work = r.work.read();
        work.run(work.request, structure);
        r.state.store(done, sync::release);
        served_others = served_others || &r != own;
      }
      if (!served_others) return;
    }
  }

  const std::size_t count_;
  const std::unique_ptr<record[]> records_;
  alignas(sync::cache_line) Lock lock_;
  sync::plain<Sequential> structure_;
};

// A std::deque applied to by the combiner, pushed at its back and popped at End: the
// flat-combining twins of locked::queue and locked::stack, with the same storage and so the same
// exception safety (strong: push_back relocates nothing; take_from pops only after the move
// into the caller's optional succeeded).
template <class T, class Lock, deque_end End>
class fc_deque {
 public:
  using value_type = T;
  using lock_type = Lock;

  explicit fc_deque(std::size_t records = flat_combining<std::deque<T>, Lock>::default_records)
      : combiner_(records) {}

  fc_deque(const fc_deque&) = delete;
  fc_deque& operator=(const fc_deque&) = delete;

  void push(const T& value) {
    combiner_.apply([&value](std::deque<T>& items) { items.push_back(value); });
  }
  void push(T&& value) {
    combiner_.apply([&value](std::deque<T>& items) { items.push_back(std::move(value)); });
  }

  std::optional<T> try_pop() {
    std::optional<T> out;
    combiner_.apply([&out](std::deque<T>& items) { take_from<End>(items, out); });
    return out;
  }

  // A hint: true if the structure was empty while the request was served. Combined like any
  // operation, so the combiner is mutable and empty() stays const.
  bool empty() const {
    return combiner_.apply([](std::deque<T>& items) { return items.empty(); });
  }

 private:
  mutable flat_combining<std::deque<T>, Lock> combiner_;
};

// The flat-combining FIFO queue, the queue family's twin.
template <class T, class Lock = std_mutex>
class fc_queue : public fc_deque<T, Lock, deque_end::front> {
 public:
  using fc_deque<T, Lock, deque_end::front>::fc_deque;
};

// The flat-combining LIFO stack, the stack family's twin.
template <class T, class Lock = std_mutex>
class fc_stack : public fc_deque<T, Lock, deque_end::back> {
 public:
  using fc_deque<T, Lock, deque_end::back>::fc_deque;
};

}  // namespace lockstep::locked
