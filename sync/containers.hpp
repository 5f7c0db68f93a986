// sync::unbounded_queue, sync::bounded_queue, sync::stack, sync::work_stealing_deque — the
// abstract types every pair implements, as concepts, and sync::ring_capacity, the one capacity rule of the bounded ones.
// A twin and its lock-free peer satisfy the same concept; verify/ is written against it.
//
//   unbounded_queue   push(T) always succeeds (it may allocate); try_pop() -> std::optional<T>
//   bounded_queue     try_push(T) -> bool, false when full (the caller's value is untouched);
//                     try_pop() -> std::optional<T>; capacity() is fixed at construction
//   stack             push(T); try_pop() -> std::optional<T>
//   work_stealing_deque
//                     push(T) and pop() -> std::optional<T> at the owner's end (LIFO), by the
//                     owner only; steal() -> std::optional<T> at the other end (FIFO), by any
//                     thread; a steal may also come back empty when it lost a race for the
//                     last elements (someone else took them)
//
// An empty optional from try_pop means the structure was empty at the operation's
// linearization point; a false from try_push means it was full there. Each header's card says
// where that point is, and where an algorithm answers "full" or "empty" more often.
//
// Ordering: none; interfaces only.
// Under Relacy: the same.
// More: docs/queues.md, docs/stacks.md.
#pragma once

#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace lockstep::sync {

template <class Q>
concept pops = requires(Q& q) {
  typename Q::value_type;
  { q.try_pop() } -> std::same_as<std::optional<typename Q::value_type>>;
};

template <class Q>
concept unbounded_queue =
    pops<Q> && requires(Q& q, const typename Q::value_type& v, typename Q::value_type&& m) {
      q.push(v);
      q.push(std::move(m));
    };

template <class Q>
concept bounded_queue = pops<Q> && requires(Q& q, const Q& cq, const typename Q::value_type& v,
                                            typename Q::value_type&& m) {
  { q.try_push(v) } -> std::same_as<bool>;
  { q.try_push(std::move(m)) } -> std::same_as<bool>;
  { cq.capacity() } -> std::same_as<std::size_t>;
};

template <class Q>
concept queue = unbounded_queue<Q> || bounded_queue<Q>;

template <class S>
concept stack = pops<S> && requires(S& s, const typename S::value_type& v) { s.push(v); };

template <class D>
concept work_stealing_deque = requires(D& d, const typename D::value_type& v) {
  typename D::value_type;
  d.push(v);
  { d.pop() } -> std::same_as<std::optional<typename D::value_type>>;
  { d.steal() } -> std::same_as<std::optional<typename D::value_type>>;
};

// The capacity of a ring: `requested` rounded up to a power of two (so an index maps to a slot
// with a mask, not a division). 0 is std::invalid_argument; a request whose rounding would pass
// `largest` (itself a power of two, chosen by the structure so that its index arithmetic cannot
// overflow) is std::length_error. Either way at construction, never undefined behaviour later.
inline std::size_t ring_capacity(std::size_t requested, std::size_t largest, const char* what) {
  if (requested == 0) {
    throw std::invalid_argument(std::string(what) + ": capacity 0 (a ring needs at least one slot)");
  }
  if (requested > largest) {
    throw std::length_error(std::string(what) + ": capacity " + std::to_string(requested) +
                            " exceeds the largest supported, " + std::to_string(largest));
  }
  std::size_t capacity = 1;
  while (capacity < requested) capacity <<= 1;
  return capacity;
}

}  // namespace lockstep::sync
