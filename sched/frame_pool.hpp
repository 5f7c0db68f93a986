// sched::detail::frame_pool — where coroutine frames come from: per-thread free lists in size
// classes, so spawning a task on a worker costs no trip into the allocator.
//
// Progress: wait-free (a list push or pop on the calling thread's cache; the allocator when
//   the cache has none of the class, or is full, or the frame is large).
// Ordering: none; a cache is touched by its thread only. A frame freed on another thread than
//   the one that made it joins the freeing thread's cache: every frame is one allocation of
//   its class size, so any cache, or the allocator, may take it.
// Memory and ABA: up to `cached_bytes` of each class stay cached per thread, given back when
//   the thread exits. Frames above the largest class go to the allocator directly.
// Exceptions: allocate throws std::bad_alloc as ::operator new does.
// Policy: classes of 64 bytes up to 1 KiB; 16 MiB per class and thread, so a burst of a
//   hundred thousand tasks is made again from the cache, not from pages the allocator gave
//   back to the kernel (which glibc does once a burst is freed, and every page then faults
//   anew). Under AddressSanitizer there is no cache, so every frame is checked for use after
//   free and for leaks.
// Deviations: none; it follows no paper.
// More: docs/algorithms/scheduler.md ("Frames").
#pragma once

#include <array>
#include <cstddef>
#include <new>
#include <utility>

#include <lockstep/sync/sync.hpp>

namespace lockstep::sched::detail {

class frame_pool {
 public:
  static constexpr std::size_t granule = 64;
  static constexpr std::size_t classes = 16;
  static constexpr std::size_t cached_bytes = std::size_t{16} << 20;

  static void* allocate(std::size_t bytes) {
    const std::size_t c = size_class(bytes);
    if (c < classes && !sync::per_thread<cache>::destroyed()) {
      cache& k = sync::per_thread<cache>{}.local();
      if (free_frame* f = k.head[c]) {
        k.head[c] = f->next;
        --k.count[c];
        return f;
      }
      return ::operator new((c + 1) * granule);
    }
    return ::operator new(bytes);
  }

  static void deallocate(void* p, std::size_t bytes) noexcept {
    const std::size_t c = size_class(bytes);
    if (c < classes && !sync::per_thread<cache>::destroyed()) {
      cache& k = sync::per_thread<cache>{}.local();
      if (k.count[c] < cached_bytes / ((c + 1) * granule)) {
        k.head[c] = ::new (p) free_frame{k.head[c]};
        ++k.count[c];
        return;
      }
    }
    ::operator delete(p);
  }

 private:
  struct free_frame {
    free_frame* next;
  };

  struct cache {
    std::array<free_frame*, classes> head{};
    std::array<std::size_t, classes> count{};

    cache() = default;
    cache(const cache&) = delete;
    cache& operator=(const cache&) = delete;
    ~cache() {
      for (free_frame* f : head) {
        while (f != nullptr) ::operator delete(std::exchange(f, f->next));
      }
    }
  };

  static constexpr std::size_t size_class(std::size_t bytes) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    (void)bytes;
    return classes;
#else
    return (bytes + granule - 1) / granule - 1;
#endif
  }
};

}  // namespace lockstep::sched::detail
