// The alignment that keeps independently written atomics on separate cache lines.
//
// 64 bytes natively (x86-64 and most AArch64 cores; std::hardware_destructive_interference_size
// is not a stable ABI constant in g++ 12, which warns on its use). Under Relacy over-aligned
// objects bypass its allocator, hiding leaks (measured), and there are no cache lines to
// separate, so model builds use ordinary alignment.
#pragma once

#include <cstddef>

namespace lockstep::sync {

#ifdef LOCKSTEP_RELACY
inline constexpr std::size_t cache_line = alignof(std::max_align_t);
#else
inline constexpr std::size_t cache_line = 64;
#endif

}  // namespace lockstep::sync
