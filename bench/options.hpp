// The harness's knobs: what one thread does per team run, the thread counts and pinnings of each
// group's matrix, and the wall-time caps; their defaults, and the command-line flags that set
// them (the same in lockstep_bench and in every user's benchmark built on registry.hpp).
#pragma once

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string_view>
#include <system_error>
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

// The harness's own flags; every binary built on it (lockstep_bench, a user's) takes them.
inline constexpr const char* usage =
    "[google benchmark flags] [--ops=N] [--work=N] [--seam_ops=N]\n"
    "  [--roundtrips=N] [--probe_iterations=N] [--cap_ms=N]\n"
    "  [--threads=1,2,4,8] [--pin=none,compact,scatter] [--progress_total=N]\n"
    "  [--reclaim_threads=1,2,4] [--reclaim_pin=none,scatter]\n"
    "  [--queue_ops=N] [--queue_work=N] [--queue_cap_ms=N]\n"
    "  [--queue_threads=1,2,4,8] [--queue_pin=none,scatter]\n"
    "  [--channel_ops=N] [--channel_work=N] [--channel_roundtrips=N]\n"
    "  [--channel_cap_ms=N] [--channel_threads=1,2,4,8]\n"
    "  [--channel_caps=1,64,1024] [--channel_pattern_cap=N]\n";

// Takes lockstep's own flags out of argv; benchmark::Initialize has taken its own already.
inline bool parse_options(int& argc, char** argv, options& opt) {
  int kept = 1;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string_view> {
      if (arg.substr(0, flag.size()) == flag && arg.size() > flag.size() &&
          arg[flag.size()] == '=') {
        return arg.substr(flag.size() + 1);
      }
      return std::nullopt;
    };
    auto set = [&](auto& field, auto parsed) {
      if (parsed) {
        field = *parsed;
      } else {
        std::fprintf(stderr, "bad value: %s\n", argv[i]);
        ok = false;
      }
    };
    if (auto v = value("--ops")) {
      set(opt.ops, parse_number<std::size_t>(*v));
    } else if (auto v = value("--progress_total")) {
      set(opt.progress_total, parse_number<std::size_t>(*v));
    } else if (auto v = value("--work")) {
      set(opt.work, parse_number<std::size_t>(*v));
    } else if (auto v = value("--probe_iterations")) {
      set(opt.probe_iterations, parse_number<std::size_t>(*v));
    } else if (auto v = value("--seam_ops")) {
      set(opt.seam_ops, parse_number<std::size_t>(*v));
    } else if (auto v = value("--roundtrips")) {
      set(opt.roundtrips, parse_number<std::size_t>(*v));
    } else if (auto v = value("--cap_ms")) {
      const auto ms = parse_number<unsigned>(*v);
      set(opt.cap, ms ? std::optional(std::chrono::milliseconds(*ms)) : std::nullopt);
    } else if (auto v = value("--threads")) {
      set(opt.threads, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--pin")) {
      set(opt.pins, parse_list<pin_policy>(*v, parse_pin_policy));
    } else if (auto v = value("--reclaim_threads")) {
      set(opt.reclaim_threads, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--reclaim_pin")) {
      set(opt.reclaim_pins, parse_list<pin_policy>(*v, parse_pin_policy));
    } else if (auto v = value("--queue_ops")) {
      set(opt.queue_ops, parse_number<std::size_t>(*v));
    } else if (auto v = value("--queue_work")) {
      set(opt.queue_work, parse_number<std::size_t>(*v));
    } else if (auto v = value("--queue_cap_ms")) {
      const auto ms = parse_number<unsigned>(*v);
      set(opt.queue_cap, ms ? std::optional(std::chrono::milliseconds(*ms)) : std::nullopt);
    } else if (auto v = value("--queue_threads")) {
      set(opt.queue_threads, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--queue_pin")) {
      set(opt.queue_pins, parse_list<pin_policy>(*v, parse_pin_policy));
    } else if (auto v = value("--channel_ops")) {
      set(opt.channel_ops, parse_number<std::size_t>(*v));
    } else if (auto v = value("--channel_work")) {
      set(opt.channel_work, parse_number<std::size_t>(*v));
    } else if (auto v = value("--channel_roundtrips")) {
      set(opt.channel_roundtrips, parse_number<std::size_t>(*v));
    } else if (auto v = value("--channel_cap_ms")) {
      const auto ms = parse_number<unsigned>(*v);
      set(opt.channel_cap, ms ? std::optional(std::chrono::milliseconds(*ms)) : std::nullopt);
    } else if (auto v = value("--channel_threads")) {
      set(opt.channel_threads, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--channel_caps")) {
      set(opt.channel_caps, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--channel_pattern_cap")) {
      set(opt.channel_pattern_cap, parse_number<std::size_t>(*v));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return ok;
}

}  // namespace lockstep::bench
