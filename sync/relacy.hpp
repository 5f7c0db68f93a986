// The one place lockstep includes the Relacy Race Detector. Everything else reaches Relacy only
// through the sync/ names, so an algorithm's text is the same natively and under the checker.
//
// Order matters (libstdc++ 12): every standard header lockstep uses must be included before
// relacy.hpp, because relacy.hpp #defines new, delete, malloc, free and memory_order_* and
// several libstdc++ headers break after that. The macros are undone at the end; Relacy's
// replacement of the global operator new/delete stays, so leaks and double frees are still
// tracked (only the allocating line is lost from the report).
#pragma once

#ifndef LOCKSTEP_RELACY
#error "sync/relacy.hpp is for model-check builds (LOCKSTEP_RELACY) only"
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
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
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
