// The channels every channel suite runs against: the locked twin and, where it is built, the
// lock-free channel. One set of semantics (sync/channel.hpp), so one list.
#pragma once

#include <string>

#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>

#include <gtest/gtest.h>

namespace lockstep::verify {

template <template <class> class Channel>
struct channel_family {
  template <class T>
  using type = Channel<T>;
};

using channel_families = ::testing::Types<channel_family<locked::channel>>;

struct channel_family_names {
  template <class Family>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<Family, channel_family<locked::channel>>) return "locked_channel";
    return "?";
  }
};

}  // namespace lockstep::verify
