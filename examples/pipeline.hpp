// A pipeline of stages, the car factory's assembly line of the Go original: a producer sends
// 1..n into the first channel, each stage is a thread that receives from one channel, applies
// its step and sends the result to the next, and the calling thread is the sink that reads the
// last channel.
//
//   producer --> stage 1 --> stage 2 --> ... --> stage k --> sink
//
// Shutdown is Go's: the producer closes the first channel when it is done (`defer close(ch)`),
// and each stage closes its output when its range loop over the input ends, which is only once
// the input is closed and drained. So closing the source drains and closes every stage in turn,
// and the sink's loop ends after the last value, with nothing lost on the way.
//
// Templated over the channel family, with no sleeps and a fixed number of messages, so the same
// function is a test and a benchmark workload; the general form takes the stages' steps (the Go
// original's v * 2 and v * 5) and a sink callback (its printing). A step runs in its stage's
// thread, so a step that throws ends the program, as a panic in a goroutine does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include <lockstep/locked/wait_group.hpp>

namespace lockstep::examples {

using pipeline_step = std::function<std::uint64_t(std::uint64_t)>;

// Sends 1..messages through one thread per step, every channel with the given capacity (0:
// unbuffered, as in the Go original). `sink`, if set, sees each value that leaves the last
// stage, in the calling thread. Returns the sum of those values.
template <template <class> class Channel>
std::uint64_t pipeline(std::size_t messages, const std::vector<pipeline_step>& steps,
                       std::size_t capacity, const std::function<void(std::uint64_t)>& sink) {
  if (steps.empty()) throw std::invalid_argument("pipeline: at least one stage is needed");
  // links[i] feeds stage i, and links[i + 1] is its output. Channels are not movable, so they
  // are held by pointer; Go's stage functions return the channel they make instead.
  std::vector<std::unique_ptr<Channel<std::uint64_t>>> links;
  links.reserve(steps.size() + 1);
  for (std::size_t i = 0; i <= steps.size(); ++i) {
    links.push_back(std::make_unique<Channel<std::uint64_t>>(capacity));
  }

  // Declared after the channels, so that its destructor joins the threads before they go.
  locked::wait_group line;
  // The producer starts last (Go starts it first): until it runs no value is in flight, and
  // closing the first channel unwinds every stage that did start. So if a thread cannot be
  // started (std::system_error), each running stage closes its output in turn and ends, and
  // every thread that exists can be joined.
  try {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      line.go([&, i] {
        Channel<std::uint64_t>& in = *links[i];
        Channel<std::uint64_t>& out = *links[i + 1];
        for (std::uint64_t v : in) out.send(steps[i](v));
        out.close();
      });
    }
    line.go([&] {
      for (std::uint64_t v = 1; v <= messages; ++v) links.front()->send(v);
      links.front()->close();
    });
  } catch (...) {
    links.front()->close();
    throw;
  }

  std::uint64_t total = 0;
  try {
    for (std::uint64_t v : *links.back()) {
      if (sink) sink(v);
      total += v;
    }
  } catch (...) {
    // The stages block on their outputs until someone receives: drain the last one, so they
    // finish and can be joined, instead of deadlocking the unwinding.
    for ([[maybe_unused]] std::uint64_t v : *links.back()) {
    }
    throw;
  }
  line.wait();
  return total;
}

// The benchmark form: each of `stages` stages adds one, so the result is
// messages * (messages + 1) / 2 + messages * stages exactly when every value passed every stage
// once.
template <template <class> class Channel>
std::uint64_t pipeline(std::size_t messages, std::size_t stages, std::size_t capacity) {
  if (stages == 0) throw std::invalid_argument("pipeline: at least one stage is needed");
  const std::vector<pipeline_step> steps(stages, [](std::uint64_t v) { return v + 1; });
  return pipeline<Channel>(messages, steps, capacity, {});
}

}  // namespace lockstep::examples
