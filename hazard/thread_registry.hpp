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
#pragma once

#include <cstddef>

#ifndef LOCKSTEP_RELACY
#include <memory>
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

class thread_cache {
 public:
  thread_cache() = default;
  thread_cache(const thread_cache&) = delete;
  thread_cache& operator=(const thread_cache&) = delete;

  // At thread exit: hand every record back, to live registries and dead ones alike (the entry
  // memory is kept alive by the shared reference).
  ~thread_cache() {
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

  // The calling thread's record, acquired on the thread's first call.
  Record& local() {
#ifndef LOCKSTEP_RELACY
    auto& cache = detail::thread_cache::local();
    if (auto* flag = cache.find(list_.get())) return static_cast<entry*>(flag)->record;
    entry* e = list_->acquire();
    try {
      cache.add(list_, e);
    } catch (...) {
      e->release();
      throw;
    }
    return e->record;
#else
    const unsigned index = sync::thread_index();
    assert(index < max_model_threads);
    if (by_thread_[index] == nullptr) by_thread_[index] = list_.acquire();
    return by_thread_[index]->record;
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
  const list& entries() const noexcept { return *list_; }
  std::shared_ptr<list> list_ = std::make_shared<list>();
#else
  const list& entries() const noexcept { return list_; }
  list list_;
  std::array<entry*, max_model_threads> by_thread_{};
#endif
};

}  // namespace lockstep::hazard
