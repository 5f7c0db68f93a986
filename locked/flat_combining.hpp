// locked::flat_combining<Sequential, Lock> — flat combining over any sequential structure;
// and its instances fc_queue and fc_stack (FIFO and LIFO over a std::deque).
//
// Paper: D. Hendler, I. Incze, N. Shavit and M. Tzafrir, "Flat Combining and the
//   Synchronization-Parallelism Tradeoff", SPAA 2010.
// Progress: apply blocking. A published request is served by the first critical section whose
//   scan sees it; while none runs, its requester takes the lock itself. Claiming a record is
//   at most `records` CASes; a combiner serves at most max_passes rounds of records.
// Linearization: L1 each operation — where the lock holder applies it to the Sequential
//   structure (its own operation, or a published one in combine).
// Ordering: O2 release store of pending → O5, the combiner's acquire load: the task whole;
//   O6 release store of done → O3, the requester's acquire load: the outcome whole, and the
//   combiner's last access to the request before it leaves scope;
//   O4 release store of vacant → O1, the next claim's acquire CAS: the old task's reads
//   before the new owner's writes. The structure is touched only under the lock.
// Memory and ABA: a request lives on its requester's stack. Records are a fixed array, one
//   per cache line, claimed per operation: vacant → claimed → pending → done → vacant. Only
//   the requester leaves vacant, claimed and done; only a combiner, holding the lock, turns
//   pending into done. So a request runs exactly once.
// Exceptions: an operation's exception is caught in the combiner and rethrown in the
//   requester. fc_queue and fc_stack are strong; a result whose move throws is basic in
//   apply. Operations must not call apply on the same instance.
// Policy: default_records records; a waiter backs off up to spin_cap pauses, then yields.
//   Requesters never park: each wake-up would cost the combiner a system call.
// Deviations: a caller tries the lock before publishing (the paper publishes first). Records
//   are claimed per operation, not per thread, so nothing ages out; when all are claimed the
//   caller waits for the lock.
// More: docs/algorithms/flat_combining.md (the full argument).
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
      // O1 acquire: pairs with O4, the previous owner's vacating store.
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
    // O2 release: publishes the task (and the request it points to); pairs with O5.
    slot.state.store(pending, sync::release);
    sync::backoff backoff(spin_cap);
    // O3 acquire: pairs with O6, so the outcome is read only after the combiner wrote it.
    while (slot.state.load(sync::acquire) != done) {
      if (lock_.try_lock()) {
        combine(&slot);
        lock_.unlock();
      } else {
        backoff.pause();
      }
    }
    // O4 release: this thread's reads are done before the next claimer's O1.
    slot.state.store(vacant, sync::release);
  }

  // The lock is held by a thread that did not publish its request: its own operation first.
  void run_then_combine(task work) noexcept {
    // L1 for the lock holder's own operation.
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
        // O5 acquire: pairs with O2, so the task is read whole.
        if (r.state.load(sync::acquire) != pending) continue;
        const task work = r.work.read();
        work.run(work.request, structure);  // L1 for a published operation
        // O6 release: publishes the outcome and ends the combiner's use of the request; pairs
        // with O3.
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
