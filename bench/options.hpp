// The harness's knobs: what one thread does per team run, the thread counts and pinnings of each
// group's matrix, and the wall-time caps; their defaults, and the command-line flags that set
// them (the same in lockstep_bench and in every user's benchmark built on registry.hpp).
#pragma once

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "placement.hpp"

namespace lockstep::bench {

struct options {
  // Per thread per iteration (a push-pop pair, or one push or pop): enough that on an
  // oversubscribed machine each thread outlives several scheduler quanta and gets preempted
  // mid-run, as it would in a real program, instead of finishing inside its first slice.
  std::size_t ops = 1 << 17;
  // Stack operations per repetition, all threads together: 8 iterations of one thread, 1 of
  // eight (each thread doing `ops`).
  std::size_t work = 1 << 20;
  std::size_t seam_ops = 1 << 18;      // CAS increments per thread per iteration
  std::size_t roundtrips = 1 << 14;    // c2c round trips per iteration
  std::size_t probe_iterations = 20;   // iterations per repetition of c2c and seam
  std::size_t progress_total = 0;      // repetitions expected; > 0 turns on progress lines
  std::chrono::milliseconds cap{500};  // wall-time cap of one team run
  std::vector<std::size_t> threads{1, 2, 4, 8};
  std::vector<pin_policy> pins{all_pin_policies.begin(), all_pin_policies.end()};
  // The reclamation comparison is a second matrix, kept small: its question (what a policy
  // costs per operation) is answered without the oversubscribed and pinned corners.
  std::vector<std::size_t> reclaim_threads{1, 2, 4};
  std::vector<pin_policy> reclaim_pins{pin_policy::none, pin_policy::scatter};
  // The queue group has its own, smaller budget: it has three times the structures of the
  // stack group. 2^16 operations per thread still outlive several scheduler quanta with 8
  // threads on 2 cores; the cap stops a collapsed structure sooner than the stacks' cap, and it
  // still reports what it did by then.
  std::size_t queue_ops = 1 << 16;
  std::size_t queue_work = 1 << 19;
  std::chrono::milliseconds queue_cap{250};
  std::vector<std::size_t> queue_threads{1, 2, 4, 8};
  std::vector<pin_policy> queue_pins{pin_policy::none, pin_policy::scatter};
  // The channels (channel_workloads.hpp), with the same defaults as bench/go's flags, which
  // scripts/bench passes to both. Messages per iteration are all senders' together; the
  // unbuffered workload at 8 threads on 2 cores hands each message over through a sleeping
  // thread, so the cap is long enough for that and stops only a stuck run.
  std::size_t channel_ops = 1 << 15;
  std::size_t channel_work = 1 << 17;
  std::size_t channel_roundtrips = 1 << 12;
  std::chrono::milliseconds channel_cap{2000};
  std::vector<std::size_t> channel_threads{1, 2, 4, 8};
  std::vector<std::size_t> channel_caps{1, 64, 1024};
  std::size_t channel_pattern_cap = 64;
  // The work-stealing deques (deque_workloads.hpp): the owner's pushes per iteration (each
  // thread's in the owner workload), pinned scatter so that the owner and the first thief are
  // on different cores, as a scheduler's workers are.
  std::size_t deque_ops = 1 << 16;
  std::size_t deque_work = 1 << 19;
  std::chrono::milliseconds deque_cap{250};
  std::vector<std::size_t> deque_threads{1, 2, 4, 8};
  std::vector<pin_policy> deque_pins{pin_policy::scatter};
};

template <class T>
std::optional<T> parse_number(std::string_view s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

template <class T, class Parse>
std::optional<std::vector<T>> parse_list(std::string_view s, Parse parse) {
  std::vector<T> out;
  while (!s.empty()) {
    const std::size_t comma = s.find(',');
    const std::optional<T> v = parse(s.substr(0, comma));
    if (!v) return std::nullopt;
    out.push_back(*v);
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// A flag's value, parsed into the type of the field it sets.
inline std::optional<std::size_t> parse_field(std::string_view v, std::size_t*) {
  return parse_number<std::size_t>(v);
}
inline std::optional<std::chrono::milliseconds> parse_field(std::string_view v,
                                                            std::chrono::milliseconds*) {
  const std::optional<unsigned> ms = parse_number<unsigned>(v);
  if (!ms) return std::nullopt;
  return std::chrono::milliseconds(*ms);
}
inline std::optional<std::vector<std::size_t>> parse_field(std::string_view v,
                                                           std::vector<std::size_t>*) {
  return parse_list<std::size_t>(v, parse_number<std::size_t>);
}
inline std::optional<std::vector<pin_policy>> parse_field(std::string_view v,
                                                          std::vector<pin_policy>*) {
  return parse_list<pin_policy>(v, parse_pin_policy);
}

template <auto Field>
bool assign(options& opt, std::string_view v) {
  auto& field = opt.*Field;
  auto parsed = parse_field(v, &field);
  if (!parsed) return false;
  field = std::move(*parsed);
  return true;
}

// The harness's own flags; every binary built on it (lockstep_bench, a user's) takes them, and
// the usage text is made from this table.
struct flag {
  std::string_view name;  // without the value: "--ops" takes "--ops=N"
  std::string_view value;
  bool (*set)(options&, std::string_view);
};

inline constexpr flag flags[] = {
    {"--ops", "N", assign<&options::ops>},
    {"--work", "N", assign<&options::work>},
    {"--seam_ops", "N", assign<&options::seam_ops>},
    {"--roundtrips", "N", assign<&options::roundtrips>},
    {"--probe_iterations", "N", assign<&options::probe_iterations>},
    {"--cap_ms", "N", assign<&options::cap>},
    {"--threads", "1,2,4,8", assign<&options::threads>},
    {"--pin", "none,compact,scatter", assign<&options::pins>},
    {"--progress_total", "N", assign<&options::progress_total>},
    {"--reclaim_threads", "1,2,4", assign<&options::reclaim_threads>},
    {"--reclaim_pin", "none,scatter", assign<&options::reclaim_pins>},
    {"--queue_ops", "N", assign<&options::queue_ops>},
    {"--queue_work", "N", assign<&options::queue_work>},
    {"--queue_cap_ms", "N", assign<&options::queue_cap>},
    {"--queue_threads", "1,2,4,8", assign<&options::queue_threads>},
    {"--queue_pin", "none,scatter", assign<&options::queue_pins>},
    {"--channel_ops", "N", assign<&options::channel_ops>},
    {"--channel_work", "N", assign<&options::channel_work>},
    {"--channel_roundtrips", "N", assign<&options::channel_roundtrips>},
    {"--channel_cap_ms", "N", assign<&options::channel_cap>},
    {"--channel_threads", "1,2,4,8", assign<&options::channel_threads>},
    {"--channel_caps", "1,64,1024", assign<&options::channel_caps>},
    {"--channel_pattern_cap", "N", assign<&options::channel_pattern_cap>},
    {"--deque_ops", "N", assign<&options::deque_ops>},
    {"--deque_work", "N", assign<&options::deque_work>},
    {"--deque_cap_ms", "N", assign<&options::deque_cap>},
    {"--deque_threads", "1,2,4,8", assign<&options::deque_threads>},
    {"--deque_pin", "scatter", assign<&options::deque_pins>},
};

inline std::string usage() {
  std::string text = "[google benchmark flags]";
  std::size_t column = text.size();
  for (const flag& f : flags) {
    const std::size_t width = f.name.size() + f.value.size() + 4;  // " [" "=" "]"
    if (column + width > 78) {
      text += "\n ";
      column = 1;
    }
    ((text += " [") += f.name) += "=";
    (text += f.value) += "]";
    column += width;
  }
  return text + "\n";
}

// Takes lockstep's own flags out of argv; benchmark::Initialize has taken its own already.
inline bool parse_options(int& argc, char** argv, options& opt) {
  int kept = 1;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const std::size_t equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    const flag* match = nullptr;
    for (const flag& f : flags) {
      if (f.name == name) match = &f;
    }
    if (match == nullptr || equals == std::string_view::npos) {
      argv[kept++] = argv[i];
    } else if (!match->set(opt, arg.substr(equals + 1))) {
      std::fprintf(stderr, "bad value: %s\n", argv[i]);
      ok = false;
    }
  }
  argc = kept;
  return ok;
}

}  // namespace lockstep::bench
