// tagged_ptr<T>: a pointer and a 16-bit modification tag packed into one 64-bit word, so a
// single-width CAS compares both — the classic defence against ABA (IBM System/370's
// Principles of Operation, 1983; Treiber 1986; Boost.Lockfree's tagged_ptr on x86-64).
//
// Layout: the address in the low 48 bits, the tag in the high 16. x86-64 and AArch64 user
// space addresses fit in 48 bits under 4-level paging; 5-level paging or a pointer-tagging ABI
// could produce wider ones, so every construction checks and throws instead of corrupting a
// pointer. The tag is a modular counter: a CAS is fooled only if exactly 2^16 successful
// updates happen between a thread's load and its CAS. That bound is the price of single-width
// CAS; the 128-bit pointer + counter variant removes it.
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
  tagged_ptr successor(T* pointer) const { return tagged_ptr(pointer, static_cast<tag_type>(tag() + 1)); }

  friend bool operator==(tagged_ptr a, tagged_ptr b) noexcept { return a.bits_ == b.bits_; }

  // address#tag, for diagnostics and the model checker's execution histories. A template so
  // that this header does not pull in <ostream>.
  template <class Stream>
  friend Stream& operator<<(Stream& out, tagged_ptr p) {
    return out << static_cast<const void*>(p.get()) << '#' << p.tag();
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

}  // namespace lockstep::hazard
