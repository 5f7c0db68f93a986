// locked::std_mutex — the operating system's mutex as a lock policy of the lock-based twins.
//
// A thin Lockable wrapper over sync::mutex: std::mutex natively, Relacy's mutex under the
// model checker. It is the baseline the spinlocks beside it are compared against.
// Progress: lock blocking, deadlock-free, not starvation-free (glibc's mutex is not FIFO: a
//   running thread may barge past a sleeping one). try_lock and unlock bounded, apart from
//   the system call unlock makes to wake a sleeper.
// Linearization: L1 lock, L2 try_lock — where the mutex is acquired; L3 unlock — its release.
// Ordering: the mutex's own: an unlock synchronises with the lock or successful try_lock that
//   next acquires it, so each critical section happens before the next.
// Exceptions: lock may throw std::system_error, as std::mutex::lock may.
// Policy: waiters spin briefly inside glibc, then sleep in the kernel. A descheduled holder
//   never competes with spinning waiters, so this lock suits more threads than cores.
// Deviations: none.
// More: docs/locks.md (the lock policies side by side).
#pragma once

#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

class std_mutex {
 public:
  std_mutex() = default;
  std_mutex(const std_mutex&) = delete;
  std_mutex& operator=(const std_mutex&) = delete;

  // L1, L2, L3; the mutex's acquire and release (no atomic access of lockstep's own).
  void lock() { mutex_.lock(); }
  bool try_lock() { return mutex_.try_lock(); }
  void unlock() { mutex_.unlock(); }

 private:
  sync::mutex mutex_;
};

}  // namespace lockstep::locked
