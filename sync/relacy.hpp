// sync/relacy.hpp — the one place lockstep includes the Relacy Race Detector. Everything else
// reaches Relacy only through the sync/ names, so an algorithm's text is the same natively and
// under the checker.
//
// Ordering: none of its own.
// Under Relacy: order matters (libstdc++ 12). Every standard header lockstep uses is included
//   before relacy.hpp, which #defines new, delete, malloc, free and memory_order_*, and several
//   libstdc++ headers break after that. The macros are undone at the end. Relacy's global
//   operator new/delete stays, so leaks and double frees are still tracked (only the
//   allocating line is lost). A build with a flag that makes the check unsound stops here.
// More: docs/seam.md.
#pragma once

#ifndef LOCKSTEP_RELACY
#error "sync/relacy.hpp is for model-check builds (LOCKSTEP_RELACY) only"
#endif

// A build with any of these flags does not check what it claims, so it stops here. In CMake,
// linking lockstep::relacy (or lockstep_add_model_check) sets every flag a sound build needs.
// Relacy replaces the global operator new/delete; a sized delete bypasses the replacement and
// hands Relacy's memory to the C library's free(), which aborts ("free(): invalid pointer").
#ifdef __cpp_sized_deallocation
#error "lockstep model check: sized deallocation is on; compile with -fno-sized-deallocation (the lockstep::relacy CMake target sets it)"
#endif
// glibc's fortified longjmp rejects the jumps between Relacy's simulated threads, which run on
// stacks of their own ("longjmp causes uninitialized stack frame").
#if defined(_FORTIFY_SOURCE) && _FORTIFY_SOURCE > 0
#error "lockstep model check: _FORTIFY_SOURCE is on (your distribution may default to it with -O1 and above); add -U_FORTIFY_SOURCE after it (the lockstep::relacy CMake target does)"
#endif
// Relacy reports a use-after-free by finding the mark an object's destructor stores; g++'s
// lifetime dead-store elimination deletes that store when optimising, and the use-after-free
// passes silently. No macro tells whether -fno-lifetime-dse is on, so the build attests it by
// defining LOCKSTEP_RELACY_NO_LIFETIME_DSE; the driver's canary (verify/model_check.hpp) then
// checks that the attestation is true.
#if defined(__OPTIMIZE__) && !defined(LOCKSTEP_RELACY_NO_LIFETIME_DSE)
#error "lockstep model check: optimising without -fno-lifetime-dse lets use-after-free pass silently; compile with -fno-lifetime-dse and define LOCKSTEP_RELACY_NO_LIFETIME_DSE to say so (the lockstep::relacy CMake target does both)"
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <relacy/relacy.hpp>

#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef memory_order_relaxed
#undef memory_order_consume
#undef memory_order_acquire
#undef memory_order_release
#undef memory_order_acq_rel
#undef memory_order_seq_cst
#undef assert
#undef errno
#include <cassert>
#include <cerrno>
