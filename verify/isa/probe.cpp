// The operations the LL/SC claim is about, each compiled into one function with a symbol of its
// own, so check.cmake can disassemble exactly that function. `flatten` inlines everything the
// operation calls into it (the CAS loops, the pool's free list), leaving only calls into libc
// and libstdc++ (operator new), which hold no atomics of lockstep's.
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/ms_queue.hpp>
#include <lockstep/lockfree/scq.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>

#include <cstdint>

using namespace lockstep;

extern "C" {

// The Treiber push: the head CAS on a 64-bit tagged pointer (tag in the high 16 bits).
[[gnu::flatten, gnu::noinline]] void lockstep_isa_treiber_push(lockfree::treiber_stack<long>& stack,
                                                               long value) {
  stack.push(value);
}

// The same push over the 128-bit tagged pointer: a double-width CAS.
[[gnu::flatten, gnu::noinline]] void lockstep_isa_treiber_wide_push(
    lockfree::treiber_stack<long, hazard::wide_tagged_pool>& stack, long value) {
  stack.push(value);
}

// The MS-queue enqueue: the CAS that links the node, the one that swings tail.
[[gnu::flatten, gnu::noinline]] void lockstep_isa_ms_queue_enqueue(lockfree::ms_queue<long>& queue,
                                                                   long value) {
  queue.push(value);
}

// The SCQ enqueue (Nikolaev's Figure 8): the fetch-and-add on Tail, the CAS on the entry.
[[gnu::flatten, gnu::noinline]] void lockstep_isa_scq_enqueue(lockfree::detail::scq_ring& ring,
                                                              std::uint64_t index) {
  ring.enqueue(index);
}

}  // extern "C"
