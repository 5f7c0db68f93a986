// lockstep_stall: how many nodes each reclamation policy holds back while one thread stalls
// holding a protection.
//
// For each policy of reclaimers.hpp, on lockfree::treiber_stack, in two modes:
//   stalled  one thread takes pin_top() (a hazard pointer on the top node; for epochs, an open
//            read-side section) and sleeps with it through the stall phase, as a reader that
//            was preempted or blocked inside its section would. Meanwhile the workers push and
//            pop in pairs. Then the guard is dropped and the workers go on for the release
//            phase, which shows whether what was held back is freed once the stall ends.
//   control  the same run without the pinning thread: the policy's steady state.
// The main thread samples unreclaimed() (nodes retired and not yet freed or reusable), the
// resident set and the operations done every sample_ms. Hazard pointers must stay bounded
// (one pinned node plus what the scan thresholds let each thread keep); epochs cannot free
// anything retired after the stalled section began, so they grow with every pop. The stall
// phase therefore ends early once unreclaimed() passes cap_nodes, and the run says so.
//
// Each (policy, mode) runs in a child process, forked before it starts any thread: its resident
// set is its own, and one policy's heap (an epoch run leaves millions of freed nodes in malloc's
// free lists) does not flatter the next. The child sends its JSON object through a pipe.
//
// Every run checks conservation as lockstep_bench does: what was pushed, the prefill included,
// equals what was popped plus what was left (count, sum and sum of squares).
//
// Output, --out FILE (scripts/plot draws stall.png from it), schema "lockstep_stall/1":
//   { "schema": "lockstep_stall/1",
//     "context": { "build_type", "date", "num_cpus", "workers", "prefill", "duration_ms",
//                  "release_ms", "sample_ms", "cap_nodes", "page_bytes" },
//     "sample_fields": ["t_ms", "unreclaimed", "rss_bytes", "ops"],
//     "runs": [ { "policy", "mode": "stalled" | "control",
//                 "capped": unreclaimed reached cap_nodes, which ends the stall phase (a
//                           control run: the run; any run: at twice cap_nodes),
//                 "release_ms": when the guard was dropped (null in control runs),
//                 "end_ms", "ops": successful pushes + pops, "peak_unreclaimed",
//                 "rss_start_bytes": resident set after the prefill, "peak_rss_bytes",
//                 "error": null or what went wrong,
//                 "samples": [[t_ms, unreclaimed, rss_bytes, ops], ...] }, ... ] }
// Times are milliseconds from the workers' start; ops in a sample is cumulative.
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lockstep/lockfree/treiber_stack.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "reclaimers.hpp"

namespace lockstep::bench {
namespace {

enum class mode { stalled, control };

constexpr std::string_view name(mode m) noexcept {
  return m == mode::stalled ? "stalled" : "control";
}

struct options {
  std::chrono::milliseconds duration{2000};  // the stall phase (control: the same time)
  std::chrono::milliseconds release{300};    // workers go on after the guard is dropped
  std::chrono::milliseconds sample{10};
  std::size_t workers = 2;
  // Enough that pops rarely find the stack empty; the pinned top is popped within microseconds.
  std::size_t prefill = 1024;
  // About 250 MB of nodes with the reclaimers' headers (a node takes ~60 bytes of heap):
  // epochs reach it in well under a second, hazard pointers never should.
  std::size_t cap_nodes = std::size_t{1} << 22;
  std::vector<std::string> policies;  // empty: all
  std::vector<mode> modes{mode::stalled, mode::control};
  std::string out = "lockstep_stall.json";
};

// The resident set from /proc/self/statm (pages): a read of a few bytes, cheap at 100 Hz.
std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

struct sample {
  double t_ms;
  std::size_t unreclaimed;
  std::size_t rss;
  std::uint64_t ops;
};

// Written by its worker only; ops is also read by the sampler, hence atomic and a line apart.
struct alignas(64) worker_state {
  std::atomic<std::uint64_t> ops{0};
  tally pushed;
  tally popped;
};

struct run_result {
  bool capped = false;
  std::optional<double> release_ms;
  double end_ms = 0;
  std::uint64_t ops = 0;
  std::size_t peak_unreclaimed = 0;
  std::size_t rss_start = 0;
  std::size_t peak_rss = 0;
  std::optional<std::string> error;
  std::vector<sample> samples;
};

double ms_since(clock::time_point start, clock::time_point t) {
  return std::chrono::duration<double, std::milli>(t - start).count();
}

template <class Reclaimer>
run_result run(mode m, const options& opt) {
  run_result r;
  lockfree::treiber_stack<std::uint64_t, Reclaimer> s;
  tally prefilled;
  for (std::uint64_t v = 1; v <= opt.prefill; ++v) {
    s.push(v);
    prefilled.add(v);
  }

  // The pinning thread's state: 0 pinning, 1 holding the guard, 2 asked to drop it.
  std::atomic<int> pin_state{0};
  std::thread staller;
  if (m == mode::stalled) {
    staller = std::thread([&] {
      // Held, never read: its lifetime is the stall.
      [[maybe_unused]] const auto guard = s.pin_top();
      pin_state.store(1, std::memory_order_release);
      pin_state.notify_all();
      // Asleep, not spinning: a stalled reader costs the workers no CPU, only memory.
      pin_state.wait(1, std::memory_order_acquire);
    });
    pin_state.wait(0, std::memory_order_acquire);
  }

  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::vector<worker_state> states(opt.workers);
  std::vector<std::thread> workers;
  workers.reserve(opt.workers);
  for (std::size_t i = 0; i < opt.workers; ++i) {
    workers.emplace_back([&, i] {
      worker_state& w = states[i];
      // Distinct from each other and from the prefill, so the fingerprint sees duplicates.
      const std::uint64_t base = static_cast<std::uint64_t>(i + 1) << 40;
      std::uint64_t j = 0;
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      while (!stop.load(std::memory_order_relaxed)) {
        for (std::size_t k = 0; k < stop_check_period; ++k) {
          const std::uint64_t v = base + ++j;
          s.push(v);
          w.pushed.add(v);
          if (std::optional<std::uint64_t> x = s.try_pop()) w.popped.add(*x);
        }
        w.ops.store(w.pushed.count + w.popped.count, std::memory_order_relaxed);
      }
    });
  }

  r.rss_start = resident_bytes();
  const clock::time_point start = clock::now();
  go.store(true, std::memory_order_release);
  const clock::time_point stall_end = start + opt.duration;
  clock::time_point end = stall_end + opt.release;
  auto release = [&](clock::time_point t) {
    pin_state.store(2, std::memory_order_release);
    pin_state.notify_all();
    r.release_ms = ms_since(start, t);
  };
  auto take_sample = [&] {
    const clock::time_point t = clock::now();
    sample x{ms_since(start, t), s.unreclaimed(), resident_bytes(), 0};
    for (const worker_state& w : states) x.ops += w.ops.load(std::memory_order_relaxed);
    r.peak_unreclaimed = std::max(r.peak_unreclaimed, x.unreclaimed);
    r.peak_rss = std::max(r.peak_rss, x.rss);
    r.samples.push_back(x);
    return t;
  };
  // Sleeping to absolute deadlines, so the period does not drift with the sampling's own cost.
  for (clock::time_point next = start + opt.sample;; next += opt.sample) {
    std::this_thread::sleep_until(next);
    const clock::time_point t = take_sample();
    const std::size_t unreclaimed = r.samples.back().unreclaimed;
    r.capped = r.capped || unreclaimed >= opt.cap_nodes;
    if (m == mode::stalled && !r.release_ms && (t >= stall_end || r.capped)) {
      release(t);
      end = t + opt.release;
    }
    // A policy that frees nothing at all (leaking) keeps growing after the release too: twice
    // the cap ends any run, and the cap itself ends a control run, which has no stall to end.
    if (t >= end || unreclaimed >= 2 * opt.cap_nodes || (r.capped && m == mode::control)) break;
  }
  stop.store(true, std::memory_order_relaxed);
  for (std::thread& t : workers) t.join();
  if (staller.joinable()) {
    if (!r.release_ms) release(clock::now());
    staller.join();
  }
  r.end_ms = ms_since(start, take_sample());

  tally pushed = prefilled, popped, left;
  for (const worker_state& w : states) {
    pushed += w.pushed;
    popped += w.popped;
  }
  r.ops = pushed.count - prefilled.count + popped.count;
  while (std::optional<std::uint64_t> x = s.try_pop()) left.add(*x);
  popped += left;
  if (popped != pushed) {
    r.error = "popped+left != pushed: pushed " + std::to_string(pushed.count) + ", popped+left " +
              std::to_string(popped.count);
  }
  return r;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string to_json(std::string_view policy, mode m, const run_result& r) {
  std::string s = "{\"policy\": " + json_string(policy) + ", \"mode\": " + json_string(name(m)) +
                  ", \"capped\": " + (r.capped ? "true" : "false") +
                  ", \"release_ms\": " + (r.release_ms ? fixed(*r.release_ms) : "null") +
                  ", \"end_ms\": " + fixed(r.end_ms) + ", \"ops\": " + std::to_string(r.ops) +
                  ", \"peak_unreclaimed\": " + std::to_string(r.peak_unreclaimed) +
                  ", \"rss_start_bytes\": " + std::to_string(r.rss_start) +
                  ", \"peak_rss_bytes\": " + std::to_string(r.peak_rss) +
                  ", \"error\": " + (r.error ? json_string(*r.error) : "null") +
                  ",\n  \"samples\": [";
  for (std::size_t i = 0; i < r.samples.size(); ++i) {
    const sample& x = r.samples[i];
    s += (i == 0 ? "[" : ", [") + fixed(x.t_ms) + ", " + std::to_string(x.unreclaimed) + ", " +
         std::to_string(x.rss) + ", " + std::to_string(x.ops) + "]";
  }
  return s + "]}";
}

// What the parent keeps of a run for its table (the child's JSON goes to the file as it came).
struct run_line {
  std::string policy;
  mode m;
  std::string json;
  std::optional<std::string> error;
  std::size_t peak_unreclaimed = 0;
  bool capped = false;
  std::uint64_t ops = 0;
  double seconds = 0;
  std::size_t peak_rss = 0;
};

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Runs one (policy, mode) in a child process. The child writes one line with the table's
// figures and its error, if any, then its JSON object; it exits non-zero only if it could not
// report at all.
template <class Reclaimer>
run_line run_in_child(std::string_view policy, mode m, const options& opt) {
  run_line line{std::string(policy), m, {}, {}, 0, false, 0, 0, 0};
  int fds[2];
  if (pipe(fds) != 0) {
    line.error = "pipe failed";
    return line;
  }
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    line.error = "fork failed";
    return line;
  }
  if (pid == 0) {
    close(fds[0]);
    run_result r;
    try {
      r = run<Reclaimer>(m, opt);
    } catch (const std::exception& e) {
      r = run_result{};
      r.error = std::string("exception: ") + e.what();
    }
    char header[160];
    std::snprintf(header, sizeof header, "%zu %d %llu %.6f %zu ", r.peak_unreclaimed,
                  r.capped ? 1 : 0, static_cast<unsigned long long>(r.ops), r.end_ms / 1e3,
                  r.peak_rss);
    std::string error = r.error.value_or("");
    std::replace(error.begin(), error.end(), '\n', ' ');
    const bool sent = write_all(fds[1], header + error + "\n" + to_json(policy, m, r));
    close(fds[1]);
    // _exit: the parent's stdio buffers and atexit handlers are not the child's to run.
    _exit(sent ? 0 : 1);
  }
  close(fds[1]);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::size_t eol = data.find('\n');
  if (eol != std::string::npos) {
    int capped = 0;
    unsigned long long ops = 0;
    int figures_end = 0;
    if (std::sscanf(data.c_str(), "%zu %d %llu %lf %zu %n", &line.peak_unreclaimed, &capped, &ops,
                    &line.seconds, &line.peak_rss, &figures_end) >= 5) {
      line.capped = capped != 0;
      line.ops = ops;
      const auto at = static_cast<std::size_t>(figures_end);
      if (at < eol) line.error = data.substr(at, eol - at);
      line.json = data.substr(eol + 1);
    }
  }
  if (WIFSIGNALED(status)) {
    line.error = "child killed by signal " + std::to_string(WTERMSIG(status));
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || line.json.empty()) {
    line.error = "child failed to report (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
  }
  if (line.json.empty()) {
    run_result failed;
    failed.error = line.error;
    line.json = to_json(policy, m, failed);
  }
  return line;
}

std::optional<std::size_t> parse_count(std::string_view s) {
  std::size_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const std::size_t comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  return out;
}

constexpr const char* usage =
    "lockstep_stall [--duration_ms=2000] [--release_ms=300] [--sample_ms=10] [--workers=2]\n"
    "               [--prefill=1024] [--cap_nodes=4194304] [--policies=a,b]\n"
    "               [--modes=stalled,control] [--out=lockstep_stall.json]\n";

bool parse_options(int argc, char** argv, options& opt) {
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const std::size_t eq = arg.find('=');
    const std::string_view key = arg.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : arg.substr(eq + 1);
    const std::optional<std::size_t> n = parse_count(value);
    auto ms = [&](std::chrono::milliseconds& field) {
      if (n) field = std::chrono::milliseconds(*n);
      return n.has_value();
    };
    auto count = [&](std::size_t& field) {
      if (n) field = *n;
      return n.has_value();
    };
    bool good = false;
    if (key == "--duration_ms") {
      good = ms(opt.duration);
    } else if (key == "--release_ms") {
      good = ms(opt.release);
    } else if (key == "--sample_ms") {
      good = ms(opt.sample);
    } else if (key == "--workers") {
      good = count(opt.workers);
    } else if (key == "--prefill") {
      good = count(opt.prefill);
    } else if (key == "--cap_nodes") {
      good = count(opt.cap_nodes);
    } else if (key == "--policies") {
      opt.policies = split(value);
      good = !opt.policies.empty();
    } else if (key == "--modes") {
      opt.modes.clear();
      good = true;
      for (const std::string& m : split(value)) {
        if (m == "stalled" || m == "control") {
          opt.modes.push_back(m == "stalled" ? mode::stalled : mode::control);
        } else {
          good = false;
        }
      }
      good = good && !opt.modes.empty();
    } else if (key == "--out") {
      opt.out = value;
      good = !value.empty();
    }
    if (!good) {
      std::fprintf(stderr, "bad argument: %s\n", argv[i]);
      ok = false;
    }
  }
  return ok;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string context_json(const options& opt) {
  auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()); };
  return std::string("{\"build_type\": ") + json_string(LOCKSTEP_BENCH_BUILD_TYPE) +
         ", \"date\": " + json_string(utc_now()) +
         ", \"num_cpus\": " + std::to_string(std::thread::hardware_concurrency()) +
         ", \"workers\": " + std::to_string(opt.workers) +
         ", \"prefill\": " + std::to_string(opt.prefill) +
         ", \"duration_ms\": " + ms(opt.duration) + ", \"release_ms\": " + ms(opt.release) +
         ", \"sample_ms\": " + ms(opt.sample) +
         ", \"cap_nodes\": " + std::to_string(opt.cap_nodes) +
         ", \"page_bytes\": " + std::to_string(sysconf(_SC_PAGESIZE)) + "}";
}

int stall_main(int argc, char** argv) {
  options opt;
  if (!parse_options(argc, argv, opt)) {
    std::fputs(usage, stderr);
    return 2;
  }
  std::vector<std::string> known;
  for_each_reclaimer([&](auto tag) { known.emplace_back(tag.name); });
  for (const std::string& p : opt.policies) {
    if (std::find(known.begin(), known.end(), p) == known.end()) {
      std::fprintf(stderr, "unknown policy %s; known:", p.c_str());
      for (const std::string& k : known) std::fprintf(stderr, " %s", k.c_str());
      std::fputc('\n', stderr);
      return 2;
    }
  }

  std::vector<run_line> lines;
  for_each_reclaimer([&](auto tag) {
    using reclaimer = typename decltype(tag)::type;
    const std::string policy(tag.name);
    if (!opt.policies.empty() &&
        std::find(opt.policies.begin(), opt.policies.end(), policy) == opt.policies.end()) {
      return;
    }
    for (mode m : opt.modes) {
      std::fprintf(stderr, "stall: %s, %s ...\n", policy.c_str(), std::string(name(m)).c_str());
      lines.push_back(run_in_child<reclaimer>(policy, m, opt));
    }
  });

  std::string doc = "{\"schema\": \"lockstep_stall/1\",\n\"context\": " + context_json(opt) +
                    ",\n\"sample_fields\": [\"t_ms\", \"unreclaimed\", \"rss_bytes\", \"ops\"],\n"
                    "\"runs\": [\n";
  for (std::size_t i = 0; i < lines.size(); ++i) doc += (i == 0 ? "" : ",\n") + lines[i].json;
  doc += "\n]}\n";
  std::FILE* f = std::fopen(opt.out.c_str(), "w");
  if (f == nullptr || std::fwrite(doc.data(), 1, doc.size(), f) != doc.size() ||
      std::fclose(f) != 0) {
    std::fprintf(stderr, "cannot write %s\n", opt.out.c_str());
    return 1;
  }

  int rc = 0;
  std::printf("%-18s %-8s %17s %7s %10s %9s %12s\n", "policy", "mode", "peak unreclaimed", "capped",
              "ops (M)", "M ops/s", "peak RSS MB");
  for (const run_line& l : lines) {
    std::printf("%-18s %-8s %17zu %7s %10.1f %9.1f %12.1f\n", l.policy.c_str(),
                std::string(name(l.m)).c_str(), l.peak_unreclaimed, l.capped ? "yes" : "no",
                static_cast<double>(l.ops) / 1e6,
                l.seconds > 0 ? static_cast<double>(l.ops) / l.seconds / 1e6 : 0.0,
                static_cast<double>(l.peak_rss) / (1 << 20));
    if (l.error) {
      std::printf("  error: %s\n", l.error->c_str());
      rc = 1;
    }
  }
  std::printf("wrote %s\n", opt.out.c_str());
  return rc;
}

}  // namespace
}  // namespace lockstep::bench

int main(int argc, char** argv) { return lockstep::bench::stall_main(argc, argv); }
