// locked::two_lock_queue<T, Lock> — unbounded MPMC FIFO queue with a head lock and a tail
// lock; the lock-based twin of lockfree::ms_queue.
//
// Paper: M. M. Michael and M. L. Scott, "Simple, Fast, and Practical Non-Blocking and
//   Blocking Concurrent Queue Algorithms", PODC 1996, figure 2.
// Progress: push and try_pop each take one lock once and have its guarantee (blocking;
//   starvation-free with ticket_lock and mcs_lock). The allocator and T's constructor run
//   outside the locks. One enqueuer and one dequeuer proceed in parallel, even when empty.
// Linearization: L1 push — its store to the tail node's next (O2); L2 successful try_pop —
//   its store to head, inside the head lock; L3 empty try_pop and empty() — the load of the
//   dummy's next that reads null.
// Ordering: O2 release store of next in link → O1, try_pop's acquire load of next: the
//   node's value is constructed before it is moved out. That pair is the only edge between
//   enqueuers and dequeuers; each lock orders its own side.
// Memory and ABA: a dummy node keeps the ends apart. A dequeuer frees the old dummy only
//   after reading its next non-null (O1), and an enqueuer's last access to a linked node is
//   O2, so the free happens after every access: no reclamation scheme is needed.
// Exceptions: strong for push and try_pop. push builds its node before linking it; try_pop
//   advances head only after the move out succeeded. push takes a reference, never T.
// Policy: Lock is any Lockable: std_mutex (default), tatas_lock, ticket_lock, mcs_lock; both
//   ends use it, each on its own cache line.
// Deviations: next is an atomic, released and acquired, where the paper writes and reads it
//   plainly (correct only on a sequentially consistent machine).
// More: docs/algorithms/two_lock_queue.md (the full argument).
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

template <class T, class Lock = std_mutex>
class two_lock_queue {
 public:
  using value_type = T;
  using lock_type = Lock;

  two_lock_queue() : head_(new node()), tail_(head_.dummy.read()) {}

  two_lock_queue(const two_lock_queue&) = delete;
  two_lock_queue& operator=(const two_lock_queue&) = delete;

  // Destroys the values left in the queue. No operation may run concurrently.
  ~two_lock_queue() {
    node* n = head_.dummy.read();
    while (n != nullptr) {
      node* next = n->next.load(sync::relaxed);
      delete n;
      n = next;
    }
  }

  void push(const T& value) { link(std::make_unique<node>(std::in_place, value)); }
  void push(T&& value) { link(std::make_unique<node>(std::in_place, std::move(value))); }

  // The value is moved straight into the returned optional (a prvalue, so no further move);
  // only then does the successor become the dummy, so a throwing move changes nothing.
  std::optional<T> try_pop() {
    std::unique_lock hold(head_.lock);
    node* dummy = head_.dummy.read();
    // O1 acquire: pairs with O2, so the value is whole before it is moved out; L3 on null.
    node* first = dummy->next.load(sync::acquire);
    if (first == nullptr) return std::nullopt;
    const advance_on_success advance{head_, dummy, first, hold};
    return std::optional<T>(std::move(*first->value.write()));
  }

  // Whether the queue holds no value. Takes the head lock once (its progress). L3 at the load
  // of the dummy's next, like an empty try_pop: null there means no value was linked,
  // non-null that one was. The answer may be stale by the time the caller acts on it. (No
  // size(): the two ends keep no common count.)
  bool empty() const {
    std::scoped_lock hold(head_.lock);
    // Relaxed: an answer only; the value it announces is read by try_pop's own acquire load.
    return head_.dummy.read()->next.load(sync::relaxed) == nullptr;
  }

 private:
  struct node {
    node() = default;
    template <class... Args>
    explicit node(std::in_place_t, Args&&... args)
        : value(std::in_place, std::forward<Args>(args)...) {}

    sync::atomic<node*> next{nullptr};
    sync::plain<std::optional<T>> value;  // empty in the dummy
  };

  // Each end on its own cache line, with its lock, so enqueuers and dequeuers do not slow each
  // other down through false sharing.
  struct alignas(sync::cache_line) head_end {
    explicit head_end(node* first) : dummy(first) {}
    Lock lock;
    sync::plain<node*> dummy;
  };
  struct alignas(sync::cache_line) tail_end {
    explicit tail_end(node* last) : last(last) {}
    Lock lock;
    sync::plain<node*> last;
  };

  // Runs after the return value is constructed. On success the taken node becomes the dummy
  // (its moved-from value destroyed now, inside the lock, since the next dequeuer will free
  // the node), the lock is released, and only then the old dummy is freed.
  struct advance_on_success {
    head_end& head;
    node* dummy;
    node* first;
    std::unique_lock<Lock>& hold;
    int exceptions = std::uncaught_exceptions();
    ~advance_on_success() {
      if (std::uncaught_exceptions() != exceptions) return;
      first->value.write().reset();
      head.dummy.write() = first;  // L2
      hold.unlock();
      delete dummy;
    }
  };

  // Appends a fully constructed node (still owned by `fresh` until it is linked, so a lock that
  // throws cannot leak it).
  void link(std::unique_ptr<node> fresh) {
    std::scoped_lock hold(tail_.lock);
    node* last = tail_.last.read();
    // O2 release, L1: publishes the node's value (and its null next) to the dequeuer whose
    // O1 reads this pointer.
    last->next.store(fresh.get(), sync::release);
    tail_.last.write() = fresh.release();
  }

  // Mutable: empty(), logically const, takes the head lock.
  mutable head_end head_;
  tail_end tail_;
};

}  // namespace lockstep::locked
