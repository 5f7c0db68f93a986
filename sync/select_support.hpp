// sync select support — what both families' select needs besides channel.hpp's cases.
//
// What: for locked/select.hpp and lockfree/select.hpp, the order in which to poll the cases,
// and a call on the case at a runtime index of the tuple that holds them.
//
// Fairness, both families: among the cases ready together each fires with equal probability.
// A select polls its cases in random_case_order, and where none is ready it offers them to
// their channels (queues or registers them) in that same order, so a partner arriving later
// that could complete several of them (a receiver on an unbuffered channel that two send cases
// wait on) meets them in random order too, and completes the first.
//
// Send cases and their values (sync::send_case): a case built from an lvalue refers to it, and
// the select's send slot copies it when the select starts; a case built from an rvalue owns the
// value (send_case::owned), so it may be built before the select runs. The slot sends from the
// owned value in place: it is moved into the channel only if the case fires, and a case that
// did not fire (another case did, the select timed out, or the send threw channel_closed)
// still holds it.
//
// Ordering: none (no atomics; random_below is sync::random's).
// Under Relacy: the same code; the order comes from Relacy's random source (random.hpp).
// More: docs/algorithms/select.md, docs/algorithms/locked_channel.md ("Select")
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <tuple>
#include <type_traits>
#include <utility>

#include "random.hpp"

namespace lockstep::sync {

// The indices 0..N-1 in a uniformly random order (Fisher-Yates over sync::random_below): polling
// ready cases in it picks each with equal probability, Go's fairness.
template <std::size_t N>
std::array<std::size_t, N> random_case_order() {
  std::array<std::size_t, N> order;
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = N - 1; i > 0; --i) {
    std::swap(order[i], order[random_below(static_cast<std::uint32_t>(i + 1))]);
  }
  return order;
}

// f(std::get<i>(cases)) for a runtime i; f returns the same type for every element.
template <class Tuple, class F>
decltype(auto) visit_case(Tuple& cases, std::size_t i, F&& f) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) -> decltype(auto) {
    using result = decltype(f(std::get<0>(cases)));
    if constexpr (std::is_void_v<result>) {
      ((i == I ? f(std::get<I>(cases)) : void()), ...);
    } else {
      result r{};
      ((i == I ? (r = f(std::get<I>(cases)), void()) : void()), ...);
      return r;
    }
  }(std::make_index_sequence<std::tuple_size_v<Tuple>>());
}

}  // namespace lockstep::sync
