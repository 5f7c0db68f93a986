// std_mutex: the operating system's mutex as a lock policy of the lock-based twins.
//
// A thin Lockable wrapper over sync::mutex (std::mutex natively, Relacy's mutex under the model
// checker), so every twin can be instantiated with the lock most programs would use and
// compared against the spinlocks beside it. It follows no paper: it is the baseline.
//
// Progress: lock() is blocking and deadlock-free but not starvation-free (glibc's futex-based
// mutex is not FIFO: a running thread may barge past a sleeping one). try_lock() and unlock()
// return in a bounded number of steps, apart from the system call unlock() makes to wake a
// sleeper.
//
// Memory ordering: the mutex's own guarantee — an unlock() synchronises with the lock() or
// successful try_lock() that next acquires it, so everything written in one critical section
// happens before the next one.
//
// Oversubscription: this is where std_mutex shines against the spinlocks. A waiter spins
// briefly inside glibc and then sleeps in the kernel, so a descheduled holder is never
// competing with waiters for a core, and the kernel, not FIFO order, picks who runs next.
#pragma once

#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

class std_mutex {
 public:
  std_mutex() = default;
  std_mutex(const std_mutex&) = delete;
  std_mutex& operator=(const std_mutex&) = delete;

  void lock() { mutex_.lock(); }
  bool try_lock() { return mutex_.try_lock(); }
  void unlock() { mutex_.unlock(); }

 private:
  sync::mutex mutex_;
};

}  // namespace lockstep::locked
