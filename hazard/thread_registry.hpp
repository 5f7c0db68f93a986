// thread_registry<Record>: the per-thread records of a reclamation domain (hazard-pointer slots
// and retired lists, epoch announcements and limbo lists), found by the calling thread in O(1)
// on every operation and scanned by any thread that reclaims.
//
// Records live on a push-only lock-free list (Michael 2004, section 3: the list of hazard-
// pointer records). A thread acquires a record on its first use of the registry by claiming one
// that is not owned, or pushing a new one, and gives it back when it exits; the next thread to
// arrive reuses it, with whatever retired nodes it still holds. So the number of records is the
// largest number of threads that used the registry at the same time, not the number of threads
// that ever used it: thousands of short-lived threads do not grow a domain.
//
// Ownership hand-over: release() is a release store of `owned = false` and acquire() claims
// with an acquire exchange, so everything the last owner wrote to the record happens-before
// the next owner's first access. Records are deleted only with the registry.
//
// Finding this thread's record. Natively: a thread_local cache maps the registry to the record.
// The cache holds a shared reference to the registry's record list, so a thread that exits
// after the registry was destroyed still releases into live memory, and a registry's address
// cannot be reused while a cache still names it. Entries of dead registries are pruned when a
// thread meets a registry it has no entry for. Under Relacy, thread_local is shared by all
// simulated threads (they are fibers of one OS thread), so the registry keeps an array indexed
// by the simulated thread's index instead; simulated threads never exit before the test ends.
//
// After the thread's cache is gone. A thread's thread_local objects are destroyed before its
// end, and the main thread's before the objects with static storage duration
// ([basic.start.term]); a structure that is static, or thread_local and constructed before the
// cache, is therefore destroyed (and retires its nodes) by a thread whose cache no longer
// exists. The cache's destructor sets a flag in a trivially destructible thread_local, which
// stays readable until the thread's storage goes; from then on local() does not cache: it lends
// the thread a record, claimed like any other, for as long as the handle it returns (and the
// holds taken on it, hold()) lives, and gives it back after, with what it retired. A small
// trivially destructible table lets the thread's overlapping handles to one registry share the
// record. So records stay bounded, no memory is touched after it is freed, and whatever the
// thread retired stays in a record that the registry's owner frees or a later thread reuses.
// The main thread's cache is constructed during static initialisation, before any static
// declared after this header, so that it exists, and its end is seen, at exit even when main
// itself never used a registry (one constructed only during exit would never be destroyed).
#pragma once

#include <cstddef>

#ifndef LOCKSTEP_RELACY
#include <array>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>
#else
#include <array>
#include <cassert>
#endif

#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

namespace detail {

// The part of a registry entry that the thread-exit path touches, independent of Record.
struct owned_flag {
  sync::atomic<bool> owned{true};

  void release() { owned.store(false, sync::release); }
};

#ifndef LOCKSTEP_RELACY

// What a thread's cache keeps alive: the list of entries, and whether its registry still lives.
struct registry_state_base {
  sync::atomic<bool> alive{true};  // natively std::atomic
  virtual ~registry_state_base() = default;
};

// The records lent to a thread whose cache is gone, with how many handles and holds of the
// thread use each. A record is in the table only while it is lent, and no registry may be
// destroyed while a thread uses it, so the registry pointers are never stale.
class lent_records {
 public:
  static constexpr std::size_t capacity = 8;

  // The record this thread was lent by `state`, with one more use, or nullptr.
  owned_flag* reuse(const registry_state_base* state) noexcept {
    for (auto& l : table_) {
      if (l.state == state) {
        ++l.uses;
        return l.flag;
      }
    }
    return nullptr;
  }

  // Notes a record just claimed from `state`, with one use. If the table is full the record
  // is not noted: it serves one handle and cannot be held.
  void note(const registry_state_base* state, owned_flag* flag) noexcept {
    for (auto& l : table_) {
      if (l.state == nullptr) {
        l = {state, flag, 1};
        return;
      }
    }
  }

  bool noted(const owned_flag* flag) const noexcept {
    for (const auto& l : table_) {
      if (l.state != nullptr && l.flag == flag) return true;
    }
    return false;
  }

  void add_use(const owned_flag* flag) noexcept {
    for (auto& l : table_) {
      if (l.state != nullptr && l.flag == flag) ++l.uses;
    }
  }

  // Ends one use; the last gives the record back to its registry. A record that was never
  // noted had one use.
  void end_use(owned_flag* flag) noexcept {
    for (auto& l : table_) {
      if (l.state != nullptr && l.flag == flag) {
        if (--l.uses > 0) return;
        l = {};
        break;
      }
    }
    flag->release();
  }

 private:
  struct lent {
    const registry_state_base* state;
    owned_flag* flag;
    unsigned uses;
  };
  std::array<lent, capacity> table_;
};

// What survives a thread's thread_local destructors: nothing in it has a destructor.
struct thread_state {
  bool cache_destroyed;
  lent_records lent;
};
static_assert(std::is_trivially_destructible_v<thread_state>);

inline thread_state& this_thread_state() noexcept {
  // Zero-initialised, no destructor: readable for as long as the thread's storage exists.
  static thread_local thread_state state;
  return state;
}

class thread_cache {
 public:
  thread_cache() = default;
  thread_cache(const thread_cache&) = delete;
  thread_cache& operator=(const thread_cache&) = delete;

  // At thread exit: hand every record back, to live registries and dead ones alike (the entry
  // memory is kept alive by the shared reference). Later calls of local() on this thread lend.
  ~thread_cache() {
    this_thread_state().cache_destroyed = true;
    for (auto& e : entries_) e.flag->release();
  }

  owned_flag* find(const registry_state_base* state) const noexcept {
    for (const auto& e : entries_) {
      if (e.state.get() == state) return e.flag;
    }
    return nullptr;
  }

  void add(std::shared_ptr<registry_state_base> state, owned_flag* flag) {
    std::erase_if(entries_,
                  [](const entry& e) { return !e.state->alive.load(sync::relaxed); });
    entries_.push_back({std::move(state), flag});
  }

  static thread_cache& local() {
    thread_local thread_cache cache;
    return cache;
  }

 private:
  struct entry {
    std::shared_ptr<registry_state_base> state;
    owned_flag* flag;
  };
  std::vector<entry> entries_;
};

// Constructs the main thread's cache during static initialisation (see the header comment).
inline const bool main_thread_cache_constructed = (thread_cache::local(), true);

#endif

}  // namespace detail

template <class Record>
class thread_registry {
  struct entry : detail::owned_flag {
    Record record;
    entry* next = nullptr;  // written before the entry is published, immutable after
  };

  // The entries. Natively shared with the caches of the threads that used the registry.
  struct list
#ifndef LOCKSTEP_RELACY
      : detail::registry_state_base
#endif
  {
    sync::atomic<entry*> head{nullptr};
    sync::atomic<std::size_t> size{0};

    list() = default;
    list(const list&) = delete;
    list& operator=(const list&) = delete;

    ~list() {
      entry* e = head.load(sync::relaxed);
      while (e != nullptr) {
        entry* next = e->next;
        delete e;
        e = next;
      }
    }

    entry* acquire() {
      for (entry* e = head.load(sync::acquire); e != nullptr; e = e->next) {
        if (!e->owned.load(sync::relaxed) && !e->owned.exchange(true, sync::acquire)) return e;
      }
      entry* e = new entry();
      entry* top = head.load(sync::relaxed);
      do {
        e->next = top;
      } while (!head.compare_exchange_weak(top, e, sync::release, sync::relaxed));
      size.fetch_add(1, sync::relaxed);
      return e;
    }
  };

 public:
#ifdef LOCKSTEP_RELACY
  // Simulated threads per model check; the checks use at most four.
  static constexpr unsigned max_model_threads = 8;
#endif

  thread_registry() = default;
  thread_registry(const thread_registry&) = delete;
  thread_registry& operator=(const thread_registry&) = delete;

  // No thread may use the registry concurrently with its destruction. Threads that used it may
  // still be alive: their caches release into the shared list, which they keep alive.
#ifndef LOCKSTEP_RELACY
  ~thread_registry() { list_->alive.store(false, sync::relaxed); }
#endif

  // The calling thread's record, for as long as the handle lives: its own, acquired on the
  // thread's first call and cached, or one lent after the thread's cache is gone.
  class handle {
   public:
    handle(handle&& other) noexcept
        : entry_(other.entry_), lent_(std::exchange(other.lent_, false)) {}
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    handle& operator=(handle&&) = delete;
    ~handle() {
#ifndef LOCKSTEP_RELACY
      if (lent_) detail::this_thread_state().lent.end_use(entry_);
#endif
    }

    Record& operator*() const noexcept { return entry_->record; }
    Record* operator->() const noexcept { return &entry_->record; }

    // Whether the record is lent: it goes back to the registry, possibly to another thread,
    // once the handle and every hold on it are gone.
    bool lent() const noexcept { return lent_; }

    // Keeps a lent record this thread's after the handle is gone, until unhold() is passed
    // what this returns (nullptr for a cached record, which needs no hold). Throws
    // std::length_error if the thread already holds lent records of lent_records::capacity
    // registries.
    detail::owned_flag* hold() {
#ifndef LOCKSTEP_RELACY
      if (!lent_) return nullptr;
      auto& lent = detail::this_thread_state().lent;
      if (!lent.noted(entry_)) {
        throw std::length_error(
            "lockstep::hazard::thread_registry: a thread whose thread_local storage is gone "
            "holds records of too many registries at once");
      }
      lent.add_use(entry_);
      return entry_;
#else
      return nullptr;
#endif
    }

   private:
    friend class thread_registry;
    handle(entry* e, bool lent) noexcept : entry_(e), lent_(lent) {}

    entry* entry_;
    bool lent_;
  };

  // Ends a hold taken by handle::hold() on this thread.
  static void unhold(detail::owned_flag* held) noexcept {
#ifndef LOCKSTEP_RELACY
    if (held != nullptr) detail::this_thread_state().lent.end_use(held);
#else
    (void)held;
#endif
  }

  handle local() {
#ifndef LOCKSTEP_RELACY
    auto& mine = detail::this_thread_state();
    if (mine.cache_destroyed) return lend(mine.lent);
    auto& cache = detail::thread_cache::local();
    if (auto* flag = cache.find(list_.get())) return handle(static_cast<entry*>(flag), false);
    entry* e = list_->acquire();
    try {
      cache.add(list_, e);
    } catch (...) {
      e->release();
      throw;
    }
    return handle(e, false);
#else
    const unsigned index = sync::thread_index();
    assert(index < max_model_threads);
    if (by_thread_[index] == nullptr) by_thread_[index] = list_.acquire();
    return handle(by_thread_[index], false);
#endif
  }

  // Calls f(record) for every record, owned or not. Records are never removed, so the walk
  // needs no protection; a record pushed after the walk started may be missed, which callers
  // account for (a new record holds no hazard older than the walk, and no retired node yet).
  template <class F>
  void for_each(F&& f) const {
    for (entry* e = entries().head.load(sync::acquire); e != nullptr; e = e->next) f(e->record);
  }

  // How many records exist: the peak number of threads that used the registry at once.
  std::size_t size() const noexcept { return entries().size.load(sync::relaxed); }

 private:
#ifndef LOCKSTEP_RELACY
  // The thread's cache is gone: this thread's record lent earlier and still in use, or a
  // record claimed now and noted in the thread's table (or, the table full, for one handle).
  handle lend(detail::lent_records& lent) {
    if (auto* flag = lent.reuse(list_.get())) return handle(static_cast<entry*>(flag), true);
    entry* e = list_->acquire();
    lent.note(list_.get(), e);
    return handle(e, true);
  }
#endif

#ifndef LOCKSTEP_RELACY
  const list& entries() const noexcept { return *list_; }
  std::shared_ptr<list> list_ = std::make_shared<list>();
#else
  const list& entries() const noexcept { return list_; }
  list list_;
  std::array<entry*, max_model_threads> by_thread_{};
#endif
};

}  // namespace lockstep::hazard
