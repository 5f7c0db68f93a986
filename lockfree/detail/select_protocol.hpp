// lockfree::detail select protocol — the vocabulary a select and a channel share.
//
// Paper: N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in Kotlin
//   Coroutines", PPoPP 2023 (its select section; kotlinx.coroutines' SelectInstance).
// Progress: every member is wait-free; release() may free the instance.
// Linearization: none of its own (see lockfree/select.hpp).
// Ordering: O1 relaxed add_reference: the caller already holds a reference;
//   O2 acq_rel release(): the last one frees the instance after every holder's accesses.
// Memory and ABA: the instance is counted: the selecting thread holds one reference, and each
//   cell that names it one more, dropped by whoever moves that cell out of its select state.
// Exceptions: none; new selection may throw std::bad_alloc before anything is registered.
// Policy: none.
// Deviations: none.
// More: docs/algorithms/select.md
#pragma once

#include <cstddef>
#include <cstdint>

#include <lockstep/sync/executor.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree::detail {

// A select's shared instance, which each of its clauses registers in a cell: one state word
// decides which clause fires, and the selecting thread parks on it (a coroutine suspends).
struct selection {
  // registering | clause bits: the selecting thread is still registering, and alone decides;
  // a resumer that meets one of its cells then only asks for that clause to be registered again.
  static constexpr std::uint32_t registering = std::uint32_t{1} << 31;
  static constexpr std::uint32_t waiting = 0;
  static constexpr std::uint32_t claimed = std::uint32_t{1} << 30;  // a resumer is completing
  static constexpr std::uint32_t fired = std::uint32_t{1} << 29;    // | by_close | clause
  static constexpr std::uint32_t by_close = std::uint32_t{1} << 28;
  static constexpr std::uint32_t cancelled = std::uint32_t{1} << 27;  // select_for timed out
  static constexpr std::uint32_t clause_bits = cancelled - 1;
  static constexpr std::size_t max_clauses = 27;

  sync::parking_word state{registering};
  sync::atomic<std::uint32_t> references{1};
  // Set when one of the select's clauses met another of its clauses (a send and a receive on one
  // channel): "Meeting itself" in docs/algorithms/select.md. Only the selecting thread touches it.
  bool met_itself = false;
  // The selecting coroutine's wait (null for a thread): set before any clause is registered, so
  // each enroll's CAS (cell_protocol O7) publishes it to the claim's winner, which resumes it.
  sync::suspension* waker = nullptr;

  // O1 relaxed: the caller holds a reference, so the count cannot reach zero meanwhile.
  void add_reference() { references.fetch_add(1, sync::relaxed); }
  void release() {
    // O2 acq_rel: each holder's release, and the last one's acquire before it deletes.
    // Not machine-checked: O2 is needed both ways: a holder's accesses (complete()'s store
    // of fired, its read of waker) must happen before the delete. Relacy reports only an
    // access that runs after the delete, and waker and met_itself are not sync::plain.
    if (references.fetch_sub(1, sync::acq_rel) == 1) delete this;
  }
};

// A select's clause, as a channel registers it in a cell.
struct ticket {
  selection* selector;
  std::uint32_t clause;
};

// What a clause's registration did: fired at once (or on a closed channel), or registered.
enum class select_step { fired, closed, registered };

// A registered clause's cell, and the segment whose index it holds until the select is decided.
template <class Segment, class Cell>
struct registration {
  Segment* seg = nullptr;
  Cell* place = nullptr;
};

// A channel's three counters as try_select collects them (lockfree/select.hpp): S with its
// closed bit, R and B. Each only grows, so two collects that read the same values bracket an
// interval in which none of them moved.
struct channel_counters {
  std::uint64_t sends = 0;
  std::uint64_t receives = 0;
  std::uint64_t buffer_end = 0;
  bool operator==(const channel_counters&) const = default;
};

}  // namespace lockstep::lockfree::detail
