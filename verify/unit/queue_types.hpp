// The queues every queue suite runs against: each lock-free queue (the node-based ones over each
// reclaimer) and each lock-based twin. One sequential specification, so one list; the SPSC ring
// has its own, since only one producer and one consumer may use it.
//
// A family makes its queue with make<T>(capacity): a bounded queue is built with that capacity,
// an unbounded one ignores it. Queues are neither copyable nor movable, hence the unique_ptr.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/locked/bounded_queue.hpp>
#include <lockstep/locked/flat_combining.hpp>
#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/queue.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/two_lock_queue.hpp>
#include <lockstep/lockfree/bounded_queue.hpp>
#include <lockstep/lockfree/faa_queue.hpp>
#include <lockstep/lockfree/ms_queue.hpp>
#include <lockstep/lockfree/scq.hpp>
#include <lockstep/lockfree/spsc_queue.hpp>
#include <lockstep/sync/containers.hpp>

#include <gtest/gtest.h>

namespace lockstep::verify {

template <template <class> class Queue>
struct queue_family {
  template <class T>
  using type = Queue<T>;

  template <class T>
  static std::unique_ptr<Queue<T>> make(std::size_t capacity) {
    if constexpr (sync::bounded_queue<Queue<T>>) {
      return std::make_unique<Queue<T>>(capacity);
    } else {
      return std::make_unique<Queue<T>>();
    }
  }

  static constexpr bool bounded = sync::bounded_queue<Queue<int>>;
};

template <class T>
using ms_tagged = lockfree::ms_queue<T, hazard::tagged_pool>;
template <class T>
using ms_wide_tagged = lockfree::ms_queue<T, hazard::wide_tagged_pool>;
template <class T>
using ms_hazard_pointers = lockfree::ms_queue<T, hazard::hazard_pointers>;
template <class T>
using ms_epochs = lockfree::ms_queue<T, hazard::epochs>;
template <class T>
using ms_leaking = lockfree::ms_queue<T, hazard::leaking>;
template <class T>
using faa_hazard_pointers = lockfree::faa_queue<T, hazard::hazard_pointers>;
template <class T>
using faa_epochs = lockfree::faa_queue<T, hazard::epochs>;
// Two-slot segments: appended and retired every other operation, the regime of segment bugs.
template <class T>
using faa_small_segments = lockfree::faa_queue<T, hazard::hazard_pointers, 2>;
template <class T>
using bounded = lockfree::bounded_queue<T>;
template <class T>
using scq = lockfree::scq<T>;
template <class T>
using spsc = lockfree::spsc_queue<T>;
template <class T>
using locked_queue = locked::queue<T, locked::std_mutex>;
template <class T>
using locked_queue_mcs = locked::queue<T, locked::mcs_lock>;
template <class T>
using locked_bounded = locked::bounded_queue<T, locked::std_mutex>;
template <class T>
using two_lock = locked::two_lock_queue<T, locked::std_mutex>;
template <class T>
using two_lock_tatas = locked::two_lock_queue<T, locked::tatas_lock>;
template <class T>
using fc_queue = locked::fc_queue<T, locked::std_mutex>;

// Every queue that any number of producers and consumers may share.
using queue_families =
    ::testing::Types<queue_family<ms_tagged>, queue_family<ms_wide_tagged>,
                     queue_family<ms_hazard_pointers>, queue_family<ms_epochs>,
                     queue_family<ms_leaking>, queue_family<faa_hazard_pointers>,
                     queue_family<faa_epochs>, queue_family<faa_small_segments>,
                     queue_family<bounded>, queue_family<scq>, queue_family<locked_queue>,
                     queue_family<locked_queue_mcs>, queue_family<locked_bounded>,
                     queue_family<two_lock>, queue_family<two_lock_tatas>,
                     queue_family<fc_queue>>;

struct queue_family_names {
  template <class Family>
  static std::string GetName(int index) {
    static const char* const names[] = {
        "ms_tagged",   "ms_wide_tagged", "ms_hazard_pointers", "ms_epochs",
        "ms_leaking",  "faa_hazard_pointers", "faa_epochs",   "faa_small_segments",
        "bounded",     "scq",            "locked_queue",       "locked_queue_mcs",
        "locked_bounded", "two_lock",    "two_lock_tatas",     "flat_combining"};
    return names[index];
  }
};

// Every queue, the single-producer single-consumer ring included: the suites that use one
// producer and one consumer run over this list.
using spsc_capable_families =
    ::testing::Types<queue_family<spsc>, queue_family<ms_hazard_pointers>, queue_family<bounded>,
                     queue_family<scq>, queue_family<faa_hazard_pointers>,
                     queue_family<locked_bounded>, queue_family<two_lock>,
                     queue_family<fc_queue>>;

struct spsc_capable_family_names {
  template <class Family>
  static std::string GetName(int index) {
    static const char* const names[] = {"spsc",           "ms_hazard_pointers", "bounded",
                                        "scq",            "faa_hazard_pointers", "locked_bounded",
                                        "two_lock",       "flat_combining"};
    return names[index];
  }
};

}  // namespace lockstep::verify
