// locked::two_lock_queue: the two-lock concurrent queue of M. M. Michael and M. L. Scott,
// "Simple, Fast, and Practical Non-Blocking and Blocking Concurrent Queue Algorithms",
// PODC 1996 (figure 2) — the lock-based twin of their non-blocking queue, lockfree::ms_queue.
//
// A singly linked list that always starts with a dummy node: head points at the dummy, tail at
// the last node, and the values are in the nodes after the dummy. Enqueuers serialise on a
// tail lock and append; dequeuers serialise on a head lock, take the value out of the node
// after the dummy, and make that node the new dummy. The dummy keeps the two ends apart — an
// enqueuer touches only the tail node, a dequeuer only the dummy and its successor — so one
// enqueuer and one dequeuer proceed in parallel, even on an empty queue. The Lock policy is any
// Lockable (std_mutex by default, tatas_lock, ticket_lock, mcs_lock); both locks are of it.
//
// Progress: push and try_pop each take one lock once, so they inherit its guarantee
// (blocking; starvation-free with ticket_lock and mcs_lock). push allocates its node and
// constructs the value before taking the lock, and try_pop frees the old dummy after releasing
// it, so neither the allocator nor T's constructor runs inside a critical section.
// Linearization points: push at its store to the tail node's `next`; a successful try_pop at
// its store to head (inside the head lock); an empty try_pop at its load of the dummy's `next`
// that reads null.
//
// Memory ordering — where C++ departs from the paper. The two locks order enqueuers among
// themselves and dequeuers among themselves, and nothing else: an enqueuer and a dequeuer hold
// different locks. They meet at one word, the dummy's `next`, when the queue is empty or holds
// one value: the enqueuer writes it (linking its node to the tail, which is then the dummy)
// while the dequeuer reads it to decide whether the queue is empty. In the paper that is a
// plain write and a plain read, correct on the sequentially consistent machines it assumed. In
// C++ two unordered conflicting plain accesses are a data race (undefined behaviour), and on a
// weakly ordered machine (Arm, POWER) the dequeuer could see the pointer before the node's
// contents. So `next` is a sync::atomic<node*>: the enqueuer constructs the value and then
// stores `next` with release; the dequeuer loads it with acquire, so a non-null `next` carries
// the value's construction with it. That release/acquire pair is the only edge between the two
// sides, and the value is a sync::plain: under the model checker a weakened pair is reported as
// a data race on the value (verify/mutation/two_lock_relaxed_link.cpp).
//
// Freeing the old dummy is safe without reclamation machinery: a dequeuer frees a node only
// after reading its `next` non-null, and the only access any enqueuer makes to a node after
// linking it is that very store — an enqueuer that still holds the old tail pointer in `tail`
// writes `tail`, never the node. The dequeuer's acquire load reads that store, so the free
// happens after every access to the node.
//
// Exception safety: strong for push and try_pop. push constructs its node (allocation and T's
// constructor) before it links anything; try_pop moves the value into the returned optional
// and advances head only after that move succeeded. push takes a reference, never T by value,
// so a throwing move leaves the caller's value with the caller.
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
    node* first = dummy->next.load(sync::acquire);
    if (first == nullptr) return std::nullopt;
    const advance_on_success advance{head_, dummy, first, hold};
    return std::optional<T>(std::move(*first->value.write()));
  }

  // Whether the queue holds no value. Takes the head lock once (its progress). Linearizable at
  // the load of the dummy's next, like an empty try_pop: null there means no value was linked,
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
      head.dummy.write() = first;
      hold.unlock();
      delete dummy;
    }
  };

  // Appends a fully constructed node (still owned by `fresh` until it is linked, so a lock that
  // throws cannot leak it). The release store publishes the node's value (and its null `next`)
  // to the dequeuer that will load this `next` with acquire.
  void link(std::unique_ptr<node> fresh) {
    std::scoped_lock hold(tail_.lock);
    node* last = tail_.last.read();
    last->next.store(fresh.get(), sync::release);
    tail_.last.write() = fresh.release();
  }

  // Mutable: empty(), logically const, takes the head lock.
  mutable head_end head_;
  tail_end tail_;
};

}  // namespace lockstep::locked
