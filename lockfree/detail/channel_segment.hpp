// lockfree::detail::channel_segment — the segments of the channel's infinite array of cells.
//
// Paper: N. Koval, D. Alistarh and R. Elizarov, "Fast and Scalable Channels in Kotlin
//   Coroutines", PPoPP 2023 (section 3.2, the segment list and findSegment).
// Progress: find() is lock-free as far as the allocator is (it appends missing segments).
// Linearization: a segment exists once the CAS that links it (O2) succeeds.
// Ordering: O1 acquire load of next → sees the id written before O2;
//   O2 acq_rel CAS linking a fresh segment: releases its id; acquire when it fails (O1's role).
// Memory and ABA: segments come from the channel's Reclaimer (hazard/reclaimer.hpp) and are
//   reached by walking `next` links, which only a read-side section protects: see
//   section_reclaimer. A segment is linked once and retired once, from the front.
// Exceptions: find() may throw std::bad_alloc and then changes nothing.
// Policy: only reclaimers whose protection covers every node reached while it lasts.
// Deviations: none.
// More: docs/algorithms/channel.md ("Memory")
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree::detail {

// The reclaimers whose protection covers every node reached while it lasts, not only the one
// loaded: an epoch's read-side section, and leaking, which frees nothing.
template <class Reclaimer>
inline constexpr bool section_reclaimer = false;
template <std::size_t RetireThreshold>
inline constexpr bool section_reclaimer<hazard::basic_epochs<RetireThreshold>> = true;
template <>
inline constexpr bool section_reclaimer<hazard::leaking> = true;

template <class Cell, std::size_t SegmentSize>
struct channel_segment {
  std::uint64_t id = 0;  // written before the segment is published, read-only after
  // Cell indices of this segment whose holder has finished with it (2 * SegmentSize in all: a
  // sender and a receiver per cell).
  sync::atomic<std::uint64_t> handled{0};
  sync::atomic<channel_segment*> next{nullptr};
  std::array<Cell, SegmentSize> cells;
};

// Walks from `s` to the segment `id`, appending segments that do not exist yet. The caller's
// read-side section keeps every segment on the way alive.
template <class Domain, class Segment>
Segment* find_segment(Domain& domain, std::uint64_t id, Segment* s) {
  while (s->id < id) {
    // O1 acquire: pairs with O2, so the next segment's id is seen.
    Segment* next = s->next.load(sync::acquire);
    if (next == nullptr) {
      Segment* fresh = domain.allocate();
      fresh->id = s->id + 1;
      // O2 acq_rel: publishes fresh->id to O1; on failure, acquires the winner's segment.
      if (s->next.compare_exchange_strong(next, fresh, sync::acq_rel, sync::acquire)) {
        next = fresh;
      } else {
        domain.retire(fresh);  // never published
      }
    }
    s = next;
  }
  return s;
}

}  // namespace lockstep::lockfree::detail
