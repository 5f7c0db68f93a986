// hazard::thread_registry<Record> — the per-thread records of a reclamation domain.
//
// Paper: M. M. Michael, "Hazard Pointers: Safe Memory Reclamation for Lock-Free Objects",
//   IEEE TPDS 15(6), 2004, section 3 (the push-only list of hazard-pointer records).
// Progress: local() is wait-free once the thread has its record, found in O(1) expected time
//   however many registries the thread uses; the first call claims one, which is lock-free and
//   may allocate. for_each and size are wait-free.
// Linearization: L1 a claim — O2, the exchange of `owned`; L2 a new record — O4, its push.
// Ordering: O1 release store of `owned = false` → O2 (the next owner's acquire exchange):
//   what the last owner wrote to the record happens-before the next owner's first access.
//   Not machine-checked (O1, O2): relaxed, the next owner's accesses to the record's owner-only
//   fields race with the last owner's; those fields (nesting, in_use, the retired lists) are
//   plain members, which Relacy does not see (relacy-limits.md, "Only the seam is seen").
//   O4 release CAS pushing an entry → O3 (acquire loads of the head in claim and for_each).
// Memory and ABA: records are never removed, so walks need no protection and no address
//   comes back. A thread claims a record on its first call and gives it back at exit, so the
//   records are the peak number of concurrent threads. Each thread caches its record in a
//   sync::per_thread; the cache keeps the record list alive by a shared reference, and prunes
//   dead registries when its entries have doubled since the last prune. A thread
//   whose cache is gone (its thread_local storage is being destroyed, or main's at exit) is
//   lent a record for as long as a handle or a hold on it lives.
// Exceptions: local() may throw std::bad_alloc, and then claims nothing; hold() throws
//   std::length_error once a thread past its storage holds records of too many registries.
// Policy: none; the domains (hazard_pointers.hpp, epoch.hpp, leaking.hpp) own one each.
// Deviations: records are claimed and given back per thread, not per use as in the paper.
// More: docs/algorithms/thread_registry.md (the exit path, lending, and the model).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include <lockstep/sync/per_thread.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::hazard {

namespace detail {

// The part of a registry entry that the thread-exit path touches, independent of Record.
struct owned_flag {
  sync::atomic<bool> owned{true};

  // O1 release: hands the record over; pairs with O2 (the next owner's acquire exchange).
  // Not machine-checked: see the card (Ordering).
  void release() { owned.store(false, sync::release); }
};

// What a thread's cache keeps alive: the list of entries, and whether its registry still lives.
// `alive` only lets caches prune dead registries: bookkeeping, outside the model.
struct registry_state_base {
  sync::bookkeeping_flag alive{true};
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
static_assert(std::is_trivially_destructible_v<lent_records>);

// A hold on a lent record (handle::hold()): the table it is noted in, and the record. Empty
// for a cached record, which needs no hold.
struct record_hold {
  lent_records* table = nullptr;
  owned_flag* flag = nullptr;
};

// A thread's records, one per registry it used. Natively one per thread for every registry, so
// a thread may know tens of thousands of registries (a domain per channel): find() is O(1)
// expected, a last-used entry first and then an open-addressing index; dead registries are
// pruned when the entries have doubled since the last prune, so add() is amortised O(1).
class thread_cache {
 public:
  thread_cache() = default;
  thread_cache(const thread_cache&) = delete;
  thread_cache& operator=(const thread_cache&) = delete;

  // At thread exit: hand every record back, to live registries and dead ones alike (the entry
  // memory is kept alive by the shared reference). Later calls of local() on this thread lend.
  ~thread_cache() {
    for (auto& e : entries_) e.flag->release();
  }

  owned_flag* find(const registry_state_base* state) noexcept {
    // A key names a state held by entries_, so its address is not reused while it is cached.
    if (state == last_state_) return last_flag_;
    if (index_.empty()) return nullptr;
    for (std::size_t i = slot_of(state);; i = (i + 1) & (index_.size() - 1)) {
      const std::size_t at = index_[i];
      if (at == 0) return nullptr;
      const entry& e = entries_[at - 1];
      if (e.state.get() == state) {
        last_state_ = state;
        last_flag_ = e.flag;
        return e.flag;
      }
    }
  }

  void add(std::shared_ptr<registry_state_base> state, owned_flag* flag) {
    if (entries_.size() >= prune_at_) prune();
    entries_.reserve(entries_.size() + 1);
    // Load factor at most 1/2, so probes stay short and an empty slot always ends them.
    if (2 * (entries_.size() + 1) > index_.size()) rebuild_index(2 * index_.size());
    entries_.push_back({std::move(state), flag});
    place(entries_.size() - 1);
    last_state_ = entries_.back().state.get();
    last_flag_ = flag;
  }

 private:
  static constexpr std::size_t first_prune = 8;
  static constexpr std::size_t first_index = 16;

  struct entry {
    std::shared_ptr<registry_state_base> state;
    owned_flag* flag;
  };

  // Fibonacci hashing: the high bits of the product mix the pointer's bits, alignment included.
  std::size_t slot_of(const registry_state_base* state) const noexcept {
    const auto key = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(state));
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - index_bits_));
  }

  void place(std::size_t at) noexcept {
    std::size_t i = slot_of(entries_[at].state.get());
    while (index_[i] != 0) i = (i + 1) & (index_.size() - 1);
    index_[i] = at + 1;
  }

  using index_vector = std::vector<std::size_t, sync::bookkeeping_allocator<std::size_t>>;

  // Drops the entries of dead registries (their records need no handing back: no thread will
  // claim from a dead registry); the next prune waits until the entries have doubled, which
  // pays for this one. Allocates nothing, so a throwing add() leaves the cache consistent.
  void prune() noexcept {
    std::erase_if(entries_, [](const entry& e) { return !e.state->alive.is_set(); });
    prune_at_ = std::max(first_prune, 2 * entries_.size());
    last_state_ = nullptr;
    last_flag_ = nullptr;
    std::fill(index_.begin(), index_.end(), std::size_t{0});
    for (std::size_t at = 0; at < entries_.size(); ++at) place(at);
  }

  void rebuild_index(std::size_t slots) {
    slots = std::max(slots, first_index);
    while (2 * (entries_.size() + 1) > slots) slots *= 2;
    index_vector index(slots, 0);
    index_.swap(index);
    index_bits_ = static_cast<unsigned>(std::countr_zero(slots));
    for (std::size_t at = 0; at < entries_.size(); ++at) place(at);
  }

  std::vector<entry, sync::bookkeeping_allocator<entry>> entries_;
  // Positions in entries_ plus one, 0 for an empty slot; linear probing, a power of two long.
  index_vector index_;
  unsigned index_bits_ = 0;
  std::size_t prune_at_ = first_prune;
  const registry_state_base* last_state_ = nullptr;  // the last found or added, or nullptr
  owned_flag* last_flag_ = nullptr;
};

// Constructs the main thread's cache during static initialisation (see the card).
inline const bool main_thread_cache_constructed =
    (sync::per_thread<thread_cache>::construct_now(), true);

}  // namespace detail

template <class Record>
class thread_registry {
  struct entry : detail::owned_flag {
    Record record;
    entry* next = nullptr;  // written before the entry is published, immutable after
  };

  // The entries, shared with the caches of the threads that used the registry.
  struct list : detail::registry_state_base {
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
      // O3 acquire: pairs with O4; the entries pushed before are visible with their fields.
      for (entry* e = head.load(sync::acquire); e != nullptr; e = e->next) {
        // O2 acquire: L1, the claim; pairs with O1 (the last owner's release).
        // Not machine-checked: see the card (Ordering).
        if (!e->owned.load(sync::relaxed) && !e->owned.exchange(true, sync::acquire)) return e;
      }
      entry* e = new entry();
      entry* top = head.load(sync::relaxed);
      do {
        e->next = top;
        // O4 release: L2, the push; publishes the entry's fields to O3 and to for_each's O3.
      } while (!head.compare_exchange_weak(top, e, sync::release, sync::relaxed));
      size.fetch_add(1, sync::relaxed);
      return e;
    }
  };

 public:
  thread_registry() = default;
  thread_registry(const thread_registry&) = delete;
  thread_registry& operator=(const thread_registry&) = delete;

  // No thread may use the registry concurrently with its destruction. Threads that used it may
  // still be alive: their caches release into the shared list, which they keep alive.
  ~thread_registry() { list_->alive.clear(); }

  // The calling thread's record, for as long as the handle lives: its own, acquired on the
  // thread's first call and cached, or one lent after the thread's cache is gone.
  class handle {
   public:
    handle(handle&& other) noexcept
        : entry_(other.entry_), lent_(std::exchange(other.lent_, nullptr)) {}
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    handle& operator=(handle&&) = delete;
    ~handle() {
      if (lent_ != nullptr) lent_->end_use(entry_);
    }

    Record& operator*() const noexcept { return entry_->record; }
    Record* operator->() const noexcept { return &entry_->record; }

    // Whether the record is lent: it goes back to the registry, possibly to another thread,
    // once the handle and every hold on it are gone.
    bool lent() const noexcept { return lent_ != nullptr; }

    // Keeps a lent record this thread's after the handle is gone, until unhold() is passed
    // what this returns (an empty hold for a cached record, which needs none). Throws
    // std::length_error if the thread already holds lent records of lent_records::capacity
    // registries.
    detail::record_hold hold() {
      if (lent_ == nullptr) return {};
      if (!lent_->noted(entry_)) {
        throw std::length_error(
            "lockstep::hazard::thread_registry: a thread whose thread_local storage is gone "
            "holds records of too many registries at once");
      }
      lent_->add_use(entry_);
      return {lent_, entry_};
    }

   private:
    friend class thread_registry;
    handle(entry* e, detail::lent_records* lent) noexcept : entry_(e), lent_(lent) {}

    entry* entry_;
    detail::lent_records* lent_;  // the thread's table if the record is lent, else nullptr
  };

  // Ends a hold taken by handle::hold() on this thread.
  static void unhold(detail::record_hold held) noexcept {
    if (held.table != nullptr) held.table->end_use(held.flag);
  }

  handle local() {
    if (sync::per_thread<detail::thread_cache>::destroyed()) return lend(lent_.local());
    detail::thread_cache& cache = caches_.local();
    if (auto* flag = cache.find(list_.get())) return handle(static_cast<entry*>(flag), nullptr);
    entry* e = list_->acquire();
    try {
      cache.add(list_, e);
    } catch (...) {
      e->release();
      throw;
    }
    return handle(e, nullptr);
  }

  // Calls f(record) for every record, owned or not. Records are never removed, so the walk
  // needs no protection; a record pushed after the walk started may be missed, which callers
  // account for (a new record holds no hazard older than the walk, and no retired node yet).
  template <class F>
  void for_each(F&& f) const {
    // O3 acquire: pairs with O4, so a record's fields are visible to the walk.
    for (entry* e = list_->head.load(sync::acquire); e != nullptr; e = e->next) f(e->record);
  }

  // How many records exist: the peak number of threads that used the registry at once.
  std::size_t size() const noexcept { return list_->size.load(sync::relaxed); }

 private:
  // The thread's cache is gone: this thread's record lent earlier and still in use, or a
  // record claimed now and noted in the thread's table (or, the table full, for one handle).
  handle lend(detail::lent_records& lent) {
    if (auto* flag = lent.reuse(list_.get())) return handle(static_cast<entry*>(flag), &lent);
    entry* e = list_->acquire();
    lent.note(list_.get(), e);
    return handle(e, &lent);
  }

  std::shared_ptr<list> list_ = std::allocate_shared<list>(sync::bookkeeping_allocator<list>());
  // After list_, so destroyed first: the caches release into the list before it may go.
  [[no_unique_address]] sync::per_thread<detail::thread_cache> caches_;
  [[no_unique_address]] sync::per_thread<detail::lent_records> lent_;
};

}  // namespace lockstep::hazard
