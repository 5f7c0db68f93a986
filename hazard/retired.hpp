// hazard::detail::retired_node and retired_list — the intrusive header of a retired object.
//
// Retiring allocates nothing (retire is noexcept in P2530 and must work when memory is
// short): `reclaim` destroys and frees the whole object through its deleter; `address` is the
// object's own address (a base subobject's may differ), which is what a hazard pointer holds;
// `epoch` is the global epoch at which an epoch domain retired it.
// Ordering: none; a list belongs to one record, and the domains order the hand-overs.
// Memory and ABA: a retired_list is FIFO, oldest first, so an epoch domain frees from the
//   front; take() detaches the whole list before deleters run, since a deleter may retire
//   further objects into the same record.
// Exceptions: none; every operation is noexcept.
// More: docs/reclamation.md.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lockstep::hazard::detail {

struct retired_node {
  retired_node* next = nullptr;
  void (*reclaim)(retired_node*) noexcept = nullptr;
  const void* address = nullptr;
  std::uint64_t epoch = 0;
};

// A FIFO list of retired nodes owned by one record: appended in retirement order, so the
// oldest (the first an epoch domain may free) are at the front.
class retired_list {
 public:
  retired_list() = default;
  retired_list(const retired_list&) = delete;
  retired_list& operator=(const retired_list&) = delete;

  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }
  retired_node* front() const noexcept { return head_; }

  void push_back(retired_node* n) noexcept {
    n->next = nullptr;
    if (tail_ == nullptr) {
      head_ = n;
    } else {
      tail_->next = n;
    }
    tail_ = n;
    ++size_;
  }

  retired_node* pop_front() noexcept {
    retired_node* n = head_;
    head_ = n->next;
    if (head_ == nullptr) tail_ = nullptr;
    --size_;
    return n;
  }

  // Moves every node out, leaving this list empty: reclaimers detach a list before running
  // deleters, because a deleter may retire further objects into the same record.
  retired_list take() noexcept {
    retired_list out;
    out.head_ = head_;
    out.tail_ = tail_;
    out.size_ = size_;
    head_ = tail_ = nullptr;
    size_ = 0;
    return out;
  }

  retired_list(retired_list&& other) noexcept
      : head_(other.head_), tail_(other.tail_), size_(other.size_) {
    other.head_ = other.tail_ = nullptr;
    other.size_ = 0;
  }

 private:
  retired_node* head_ = nullptr;
  retired_node* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace lockstep::hazard::detail
