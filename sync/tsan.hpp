// sync::tsan_release, sync::tsan_acquire — a happens-before edge told to ThreadSanitizer where
// it cannot see it (a fence, inline asm); nothing in any other build.
//
// What: tsan_release(p) before the operation that publishes, tsan_acquire(p) after the one
//   that observes, both on the same address p: TSan then orders the two as a release store
//   and an acquire load of p would be. Used only where the C++ ordering argument (and its
//   Relacy check) already gives that edge; never to silence a report.
// Ordering: none of its own.
// Under Relacy: nothing (a model-check build is never a TSan build); Relacy sees the fences.
// More: docs/seam.md.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define LOCKSTEP_TSAN_ANNOTATIONS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LOCKSTEP_TSAN_ANNOTATIONS 1
#endif
#endif
#ifdef LOCKSTEP_TSAN_ANNOTATIONS
#include <sanitizer/tsan_interface.h>
#endif

namespace lockstep::sync {

inline void tsan_release([[maybe_unused]] const void* address) noexcept {
#ifdef LOCKSTEP_TSAN_ANNOTATIONS
  __tsan_release(const_cast<void*>(address));
#endif
}

inline void tsan_acquire([[maybe_unused]] const void* address) noexcept {
#ifdef LOCKSTEP_TSAN_ANNOTATIONS
  __tsan_acquire(const_cast<void*>(address));
#endif
}

}  // namespace lockstep::sync
