// A value type that counts its live instances, so a test sees whether a structure destroyed
// what it held exactly once (and constructed nothing it did not hand back).
#pragma once

namespace lockstep::verify {

struct counted {
  static inline int live = 0;
  int value;
  explicit counted(int v) : value(v) { ++live; }
  counted(const counted& other) : value(other.value) { ++live; }
  counted(counted&& other) noexcept : value(other.value) { ++live; }
  counted& operator=(const counted&) = delete;
  ~counted() { --live; }
};

}  // namespace lockstep::verify
