// The channels every channel suite runs against: the locked twin and the lock-free channel. One
// set of semantics (sync/channel.hpp), so one list; select_families are the channels whose
// family has a select.
#pragma once

#include <string>
#include <type_traits>

#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>

#include <gtest/gtest.h>

namespace lockstep::verify {

template <template <class> class Channel>
struct channel_family {
  template <class T>
  using type = Channel<T>;
};

using locked_channels = channel_family<locked::channel>;
using lockfree_channels = channel_family<lockfree::channel>;

using channel_families = ::testing::Types<locked_channels, lockfree_channels>;
using select_families = ::testing::Types<locked_channels, lockfree_channels>;

// The fixture of every typed channel suite: TestFixture::chan<T> is the family's channel of T.
template <class Family>
class channel_suite : public ::testing::Test {
 protected:
  template <class T>
  using chan = typename Family::template type<T>;
};

struct channel_family_names {
  template <class Family>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<Family, locked_channels>) return "locked_channel";
    if constexpr (std::is_same_v<Family, lockfree_channels>) return "lockfree_channel";
    return "?";
  }
};

}  // namespace lockstep::verify
