// sync::sites — every atomic access of a model-checked program, tallied at its site (the file and
// line of the call, as sync::location gives it), and one site's memory order weakened on request.
// verify/model_check.hpp prints the tally as coverage (which sites each check reached, how often
// a compare-exchange there succeeded and failed) and takes --weaken for the ordering sweep
// (scripts/sweep): the same check run with one order replaced by the next weaker one.
//
// Ordering: none of its own; it chooses the order sync::atomic passes to Relacy.
// Under Relacy only. The table is a fixed array in static storage: Relacy replaces the global
//   operator new, and an allocation inside a simulated execution would come from the
//   simulation's heap. Plain memory is exact here, because the simulated threads are fibers of
//   one OS thread, and it adds no scheduling points.
// More: docs/verification.md (coverage, the ordering sweep).
#pragma once

#ifndef LOCKSTEP_RELACY
#error "sync/sites.hpp is for model-check builds (LOCKSTEP_RELACY) only"
#endif

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lockstep::sync::sites {

enum class access : unsigned char { load, store, read_modify_write, fence };

inline const char* name(access a) noexcept {
  switch (a) {
    case access::load: return "load";
    case access::store: return "store";
    case access::read_modify_write: return "rmw";
    case access::fence: return "fence";
  }
  return "?";
}

// The next weaker order for this kind of access: seq_cst loses its single total order (a load
// keeps acquire, a store release, a read-modify-write or fence acq_rel), acq_rel loses one half
// (`keep_acquire` chooses which), acquire and release become relaxed.
inline std::memory_order weaker(std::memory_order order, access kind, bool keep_acquire) noexcept {
  switch (order) {
    case std::memory_order_seq_cst:
      if (kind == access::load) return std::memory_order_acquire;
      if (kind == access::store) return std::memory_order_release;
      return std::memory_order_acq_rel;
    case std::memory_order_acq_rel:
      return keep_acquire ? std::memory_order_acquire : std::memory_order_release;
    case std::memory_order_acquire:
    case std::memory_order_consume:
    case std::memory_order_release: return std::memory_order_relaxed;
    case std::memory_order_relaxed: return std::memory_order_relaxed;
  }
  return order;
}

struct site {
  const char* file = nullptr;  // null: a free slot
  unsigned line = 0;
  access kind = access::load;
  bool mixed = false;     // accesses of more than one kind on this line
  unsigned orders = 0;    // bit (1 << memory_order) for every order asked for here
  bool weakened = false;  // the site --weaken names
  unsigned long long hits = 0;
  unsigned long long succeeded = 0;  // compare-exchange outcomes
  unsigned long long failed = 0;
  bool reached_in_check = false;

  // The order to use for an access asked with `order`: weakened only at the chosen site.
  std::memory_order apply(std::memory_order order) noexcept;
  void outcome(bool exchanged) noexcept { ++(exchanged ? succeeded : failed); }
};

// The site --weaken names: a path suffix ("lockfree/scq.hpp") and a line.
struct weakening {
  char file[256] = {};
  unsigned line = 0;
  bool keep_acquire = true;
  bool active = false;
  unsigned long long applied = 0;  // accesses whose order was weakened
};

inline constexpr std::size_t capacity = 8192;  // a power of two, far above any program's sites

struct table {
  site slots[capacity];
  weakening target;
  bool full = false;  // a site was not recorded: the coverage report says so
};

inline table& registry() noexcept {
  static table t;
  return t;
}

inline bool ends_with_path(const char* file, const char* suffix) noexcept {
  const std::size_t n = std::strlen(file);
  const std::size_t m = std::strlen(suffix);
  if (m == 0 || m > n) return false;
  const char* tail = file + (n - m);
  return std::strcmp(tail, suffix) == 0 && (tail == file || tail[-1] == '/');
}

inline std::memory_order site::apply(std::memory_order order) noexcept {
  orders |= 1u << static_cast<unsigned>(order);
  if (!weakened) return order;
  weakening& w = registry().target;
  const std::memory_order weak = weaker(order, kind, w.keep_acquire);
  if (weak != order) ++w.applied;
  return weak;
}

// The slot of (file, line), created at its first access. The pointer identifies the file within
// one translation unit, which is a model check's whole program.
inline site* reach(access kind, const char* file, unsigned line) noexcept {
  table& t = registry();
  const std::uintptr_t key = reinterpret_cast<std::uintptr_t>(file) ^ (std::uintptr_t{line} * 2654435761u);
  for (std::size_t probe = 0; probe < capacity; ++probe) {
    site& s = t.slots[(key + probe) & (capacity - 1)];
    if (s.file == file && s.line == line) {
      if (s.kind != kind) s.mixed = true;
      ++s.hits;
      s.reached_in_check = true;
      return &s;
    }
    if (s.file == nullptr) {
      s.file = file;
      s.line = line;
      s.kind = kind;
      s.weakened = t.target.active && t.target.line == line && ends_with_path(file, t.target.file);
      s.hits = 1;
      s.reached_in_check = true;
      return &s;
    }
  }
  t.full = true;
  return nullptr;
}

// The order an access at (file, line) runs with, the access tallied.
inline std::memory_order order_at(access kind, std::memory_order order, const char* file,
                                  unsigned line) noexcept {
  site* s = reach(kind, file, line);
  return s ? s->apply(order) : order;
}

}  // namespace lockstep::sync::sites
