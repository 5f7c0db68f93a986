// hazard::tagged_ptr<T> and tagged_ptr128<T> — a pointer and a tag that one CAS compares.
//
// The classic defence against ABA (IBM System/370 Principles of Operation, 1983; Treiber 1986;
// Boost.Lockfree's tagged_ptr). Both have one interface (tag_type, a (pointer, tag)
// constructor, get(), tag(), successor(), ==, <<), so a structure or a pool takes either as a
// template template parameter.
// Ordering: none; these are values, held in a sync::atomic by their users.
// Memory and ABA:
//   tagged_ptr     one 64-bit word for a single-width CAS: the address in the low 48 bits,
//                  the tag in the high 16. A CAS is fooled only if exactly 2^16 updates happen
//                  between a thread's load and its CAS: the price of single-width CAS.
//   tagged_ptr128  the whole pointer and a 64-bit counter, 16 bytes aligned to 16, for a
//                  double-width CAS (sync::atomic selects sync/double_width_atomic.hpp: never
//                  libatomic's lock). Fooling it takes 2^64 updates between a load and a CAS.
// Exceptions: tagged_ptr throws std::invalid_argument for an address wider than 48 bits
//   (5-level paging, a pointer-tagging ABI) instead of corrupting it; tagged_ptr128 never throws.
// More: docs/reclamation.md.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace lockstep::hazard {

template <class T>
class tagged_ptr {
 public:
  using tag_type = std::uint16_t;
  static constexpr unsigned address_bits = 48;
  static constexpr std::uint64_t address_mask = (std::uint64_t{1} << address_bits) - 1;

  constexpr tagged_ptr() noexcept = default;

  tagged_ptr(T* pointer, tag_type tag) : bits_(pack(pointer, tag)) {}

  T* get() const noexcept { return reinterpret_cast<T*>(bits_ & address_mask); }
  tag_type tag() const noexcept { return static_cast<tag_type>(bits_ >> address_bits); }

  // The value a successful update installs in place of this one: a new pointer and the next
  // tag, so that any thread still holding this value fails its CAS.
  tagged_ptr successor(T* pointer) const {
    return tagged_ptr(pointer, static_cast<tag_type>(tag() + 1));
  }

  friend bool operator==(tagged_ptr a, tagged_ptr b) noexcept { return a.bits_ == b.bits_; }

  // address#tag, for diagnostics and the model checker's execution histories. A template so
  // that this header does not pull in <ostream>; it returns `out` itself rather than what the
  // chained << returns (a std::ostream&), which would not bind to a derived Stream&.
  template <class Stream>
  friend Stream& operator<<(Stream& out, tagged_ptr p) {
    out << static_cast<const void*>(p.get()) << '#' << p.tag();
    return out;
  }

 private:
  static std::uint64_t pack(T* pointer, tag_type tag) {
    const auto address = reinterpret_cast<std::uintptr_t>(pointer);
    if ((address & ~address_mask) != 0) {
      throw std::invalid_argument(
          "lockstep::hazard::tagged_ptr: address does not fit in 48 bits; "
          "use the 128-bit pointer + counter instead");
    }
    return static_cast<std::uint64_t>(address) | (static_cast<std::uint64_t>(tag) << address_bits);
  }

  std::uint64_t bits_ = 0;
};

// 16-byte alignment is what cmpxchg16b, ldxp/stxp and casp require of their operand (each
// faults otherwise). The two members leave no padding, so comparing the bytes, as the hardware
// CAS does, is comparing the values, as operator== does.
template <class T>
class alignas(16) tagged_ptr128 {
 public:
  using tag_type = std::uint64_t;

  constexpr tagged_ptr128() noexcept = default;

  tagged_ptr128(T* pointer, tag_type tag) noexcept : pointer_(pointer), tag_(tag) {}

  T* get() const noexcept { return pointer_; }
  tag_type tag() const noexcept { return tag_; }

  // As tagged_ptr::successor: a new pointer and the next counter value.
  tagged_ptr128 successor(T* pointer) const noexcept { return tagged_ptr128(pointer, tag_ + 1); }

  friend bool operator==(tagged_ptr128 a, tagged_ptr128 b) noexcept {
    return a.pointer_ == b.pointer_ && a.tag_ == b.tag_;
  }

  template <class Stream>
  friend Stream& operator<<(Stream& out, tagged_ptr128 p) {
    out << static_cast<const void*>(p.get()) << '#' << p.tag();
    return out;
  }

 private:
  T* pointer_ = nullptr;
  std::uint64_t tag_ = 0;
};

}  // namespace lockstep::hazard
