// sync::cache_line — the alignment that keeps independently written atomics on separate
// cache lines: 64 bytes natively (x86-64 and most AArch64 cores). Not
// std::hardware_destructive_interference_size: g++ 12 warns that it is no stable ABI constant.
//
// Ordering: none; layout only.
// Under Relacy: ordinary alignment. Over-aligned objects bypass Relacy's allocator, which
//   hides leaks, and there are no cache lines to separate.
// More: docs/seam.md.
#pragma once

#include <cstddef>

namespace lockstep::sync {

#ifdef LOCKSTEP_RELACY
inline constexpr std::size_t cache_line = alignof(std::max_align_t);
#else
inline constexpr std::size_t cache_line = 64;
#endif

}  // namespace lockstep::sync
