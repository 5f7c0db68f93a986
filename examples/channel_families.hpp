// The channel families the pattern tests run over. A family is a type wrapping the channel
// template, so GoogleTest can run a typed suite over several: adding a family (lockfree::channel)
// is one entry in channel_families, and its header above.
#pragma once

#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>

#include <gtest/gtest.h>

namespace lockstep::examples {

template <template <class> class Channel>
struct channel_family {
  template <class T>
  using type = Channel<T>;
};

using channel_families = ::testing::Types<channel_family<locked::channel>>;

}  // namespace lockstep::examples
