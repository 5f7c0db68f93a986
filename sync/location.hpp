// sync::location — where a synchronising access was written, for Relacy's histories. Every
// sync/ operation takes a defaulted `location` as its last argument.
//
// Ordering: none; debugging information only.
// Under Relacy: the constructor's defaulted __builtin_FILE/FUNCTION/LINE arguments are
//   evaluated at the algorithm's call site, so histories point at the algorithm's own lines
//   without `($)` in its text. (std::source_location fails with clang 14 and libstdc++ 12;
//   the builtins work in both compilers.) Natively the type is empty and optimised away.
// More: docs/seam.md.
#pragma once

#ifdef LOCKSTEP_RELACY
#include "relacy.hpp"
#endif

namespace lockstep::sync {

#ifdef LOCKSTEP_RELACY
struct location {
  const char* function;
  const char* file;
  unsigned line;

  constexpr location(const char* fn = __builtin_FUNCTION(), const char* f = __builtin_FILE(),
                     unsigned l = __builtin_LINE()) noexcept
      : function(fn), file(f), line(l) {}

  operator rl::debug_info() const noexcept { return rl::debug_info(function, file, line); }
};
#else
struct location {};
#endif

}  // namespace lockstep::sync
