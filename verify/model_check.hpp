// The driver every Relacy model check and mutation test runs through, lockstep's own and a
// user's.
//
// A user's check is a struct and one line of main (docs/model-check-your-own.md):
//
//   struct peterson_check {            // constructed afresh for every explored execution
//     peterson lock;
//     lockstep::sync::plain<int> counter{0};
//     void thread(unsigned id) { lock.lock(id); counter.store(counter.load() + 1); lock.unlock(id); }
//     void after() { LOCKSTEP_ASSERT(counter.load() == 2); }   // optional, as is invariant()
//   };
//   int main(int argc, char** argv) { return lockstep::verify::model<2, peterson_check>(argc, argv); }
//
// A struct rather than loom's closure because the state must be built anew for each of the
// thousands of executions, inside the simulation (its atomics' initial stores are part of
// every execution's history); a struct's default constructor is exactly that.
//
// A check names the search it ran (random schedules, context-bounded, or full), its bound and
// the iterations it took, so a pass says exactly what was checked. Every executable takes
//   --profile quick|deep   the budgets (CI, research runs)
//   --search full | bounded:K | random:N   one search for every check, instead of the profile's
//   --expect "<verdict>"   Relacy's report text ("DATA RACE", "USER ASSERT FAILED", "DEADLOCK",
//                          "ACCESS TO FREED MEMORY", ...): every check that must otherwise pass
//                          passes only if Relacy reports exactly that (a buggy twin)
//   --history              print Relacy's execution history of every check
// and, for the ordering sweep (scripts/sweep; docs/verification.md):
//   --weaken FILE:LINE     run the access at that site (a path suffix such as lockfree/scq.hpp)
//                          with the next weaker memory order (sync/sites.hpp); an acq_rel
//                          keeps its acquire half, or its release half with --keep release
//   --only I,J,...         run only those checks (1 is the first the executable runs)
//   --stop-at-failure      exit at the first check that fails
//   --sites FILE           write, per check, every site it reached (also: LOCKSTEP_SITES=FILE)
// After its checks, every executable prints its coverage: each site of the library's headers
// (and of the user's, outside verify/) that its checks reached, how often, and for each
// compare-exchange how often it succeeded and failed.
// An unexpected failure is re-run deterministically and its history printed.
//
// Before any check, the driver runs a canary: a use-after-free and a data race that a sound
// build reports. A build whose flags silently disable the checker (sync/relacy.hpp lists them)
// is refused with what to change, also under --expect, so no misconfiguration reads as a pass.
#pragma once

// Before Relacy's header, which must come after every standard header (sync/relacy.hpp).
#include <cxxabi.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <typeinfo>
#include <vector>

#include <lockstep/sync/relacy.hpp>
#include <lockstep/sync/sync.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>

// An assertion checked in every explored execution; a failure is reported as Relacy's
// "USER ASSERT FAILED" with the history that led to it.
#define LOCKSTEP_ASSERT(condition) RL_ASSERT(condition)

namespace lockstep::verify {

struct search {
  rl::scheduler_type_e scheduler;
  unsigned context_bound;
  rl::iteration_t iterations;  // random scheduler only; bounded and full searches run to the end

  static search random(rl::iteration_t iterations) { return {rl::sched_random, 0, iterations}; }
  static search bounded(unsigned bound) { return {rl::sched_bound, bound, 0}; }
  static search full() { return {rl::sched_full, 0, 0}; }

  // "full", "bounded:K" or "random:N", as --search takes it; false if it is none of these.
  static bool parse(std::string_view text, search& out) {
    const auto number = [&](std::string_view prefix, unsigned long long& n) {
      if (text.substr(0, prefix.size()) != prefix || text.size() == prefix.size()) return false;
      n = 0;
      for (const char c : text.substr(prefix.size())) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<unsigned>(c - '0');
      }
      return n > 0;
    };
    unsigned long long n = 0;
    if (text == "full") out = full();
    else if (number("bounded:", n)) out = bounded(static_cast<unsigned>(n));
    else if (number("random:", n)) out = random(static_cast<rl::iteration_t>(n));
    else return false;
    return true;
  }

  std::string describe() const {
#ifdef LOCKSTEP_RELACY_STRONG_CAS
    const std::string cas = " (weak CAS made strong)";
#else
    const std::string cas = "";
#endif
    switch (scheduler) {
      case rl::sched_random: return "random schedules" + cas;
      case rl::sched_bound: return "context-bounded search, bound " + std::to_string(context_bound) + cas;
      default: return "full search" + cas;
    }
  }
};

// The readable name of a type: Relacy names a test by typeid(...).name(), which g++ and clang
// mangle ("N12_GLOBAL__N_114peterson_checkE").
inline std::string type_name(const char* mangled) {
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> readable(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && readable ? std::string(readable.get()) : std::string(mangled);
}

namespace detail {

// Relacy's report, forwarded to stdout without its first line: Relacy starts every report with
// the test's mangled type name, which the driver prints demangled instead. Unbuffered, so that
// nothing it writes allocates: inside a simulated execution, Relacy's global operator new
// allocates from the simulation's heap.
class relacy_report final : public std::streambuf {
 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (in_name_) {
      in_name_ = traits_type::to_char_type(c) != '\n';
    } else {
      std::fputc(traits_type::to_char_type(c), stdout);
    }
    return c;
  }
  std::streamsize xsputn(const char* text, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) overflow(traits_type::to_int_type(text[i]));
    return n;
  }
  int sync() override { return std::fflush(stdout); }

 private:
  bool in_name_ = true;
};

// The canary's nodes: one atomic and one plain field, as a user's heap node has them.
struct canary_node {
  sync::atomic<int> counter{1};
  sync::plain<int> payload{7};
};

// A node freed by one thread while the other still reads it. A build that drops the stores
// marking freed memory (lifetime dead-store elimination) reports nothing here.
template <bool ReadPlain>
struct canary_use_after_free : rl::test_suite<canary_use_after_free<ReadPlain>, 2> {
  sync::atomic<canary_node*> shared{nullptr};

  void before() { shared.store(new canary_node, sync::relaxed); }  // relaxed: before the threads start
  void thread(unsigned index) {
    if (index == 0) {
      canary_node* n = shared.load(sync::acquire);  // acquire: pairs with the exchange below
      if (n == nullptr) return;
      if constexpr (ReadPlain) {
        (void)n->payload.load();
      } else {
        (void)n->counter.load(sync::relaxed);  // relaxed: the read itself is what is checked
      }
    } else {
      delete shared.exchange(nullptr, sync::acq_rel);  // acq_rel: an unlink, as a user writes it
    }
  }
};

// Two unordered writes of a plain field.
struct canary_data_race : rl::test_suite<canary_data_race, 2> {
  sync::plain<int> shared{0};
  void thread(unsigned index) { shared.store(static_cast<int>(index)); }
};

// Runs Test's full search with its output discarded. Through rl::run_test with the one
// scheduler it needs: rl::simulate dispatches on the search type and would instantiate
// Relacy's context for all three schedulers, for each canary, in every model-check object.
template <class Test>
rl::test_result_e quietly() {
  std::ostream discard(nullptr);
  rl::test_params params;
  params.search_type = rl::sched_full;
  params.output_stream = &discard;
  params.progress_stream = &discard;
  rl::ostringstream state;
  return rl::run_test<Test, rl::full_search_scheduler<Test::params::thread_count>>(params, state,
                                                                                   false);
}

// The parameters of one search of `s`; the caller sets the streams.
inline rl::test_params search_params(const search& s) {
  rl::test_params params;
  params.search_type = s.scheduler;
  params.context_bound = s.context_bound;
  params.iteration_count = s.iterations ? s.iterations : 1;
  return params;
}

// Repeats a search of Test that failed, deterministically, to print the failing execution's
// history (Relacy's report, without its first line: relacy_report).
template <class Test>
void print_history(const search& s) {
  std::ostream discard(nullptr);
  relacy_report report_buffer;
  std::ostream report(&report_buffer);
  rl::test_params again = search_params(s);
  again.output_stream = &report;
  again.progress_stream = &discard;
  rl::simulate<Test>(again);
}

// A site's file as the coverage report names it: the path with "." and ".." resolved, from the
// library's own root (lockfree/scq.hpp) when it is one of lockstep's headers; empty for the
// driver's and lockstep's own scenarios (verify/), which are not the code under check.
inline std::string reported_file(const char* file) {
  std::vector<std::string> parts;
  std::string part;
  const std::string path = file;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      part.clear();
    } else {
      part += path[i];
    }
  }
  std::size_t from = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "lockstep") from = i + 1;
  }
  for (std::size_t i = from; i < parts.size(); ++i) {
    if (parts[i] == "verify") return {};
  }
  std::string out = path.starts_with('/') && from == 0 ? "/" : "";
  for (std::size_t i = from; i < parts.size(); ++i) out += (i > from ? "/" : "") + parts[i];
  return out;
}

inline std::string order_names(unsigned orders) {
  static constexpr const char* names[] = {"relaxed", "consume", "acquire",
                                          "release", "acq_rel", "seq_cst"};
  std::string out;
  for (unsigned o = 0; o < 6; ++o) {
    if (orders & (1u << o)) out += (out.empty() ? "" : "+") + std::string(names[o]);
  }
  return out.empty() ? "-" : out;
}

// One reached site of the coverage report.
struct covered_site {
  std::string file;
  unsigned line;
  const sync::sites::site* tally;
  bool operator<(const covered_site& other) const {
    return file != other.file ? file < other.file : line < other.line;
  }
};

// The reached sites of reported files, sorted; with `in_check`, only those the last check reached.
inline std::vector<covered_site> covered(bool in_check) {
  std::vector<covered_site> out;
  for (const sync::sites::site& s : sync::sites::registry().slots) {
    if (s.file == nullptr || (in_check && !s.reached_in_check)) continue;
    std::string file = reported_file(s.file);
    if (!file.empty()) out.push_back({std::move(file), s.line, &s});
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace detail

class model_checks {
 public:
  // An executable's own arguments beside the driver's (lin::model_check's --seed, ...): given an
  // argument and the one after it (nullptr after the last), how many of them it took, 0 when the
  // argument is not its own (the driver then rejects it as unknown).
  using own_arguments = std::function<int(std::string_view argument, const char* next)>;

  model_checks(int argc, char** argv, const own_arguments& own = {}) {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      const bool has_value = i + 1 < argc;
      if (const int taken = own ? own(arg, has_value ? argv[i + 1] : nullptr) : 0; taken > 0) {
        i += taken - 1;
      } else if (arg == "--profile" && has_value) {
        const std::string_view profile = argv[++i];
        if (profile != "quick" && profile != "deep") usage(argv[0], "unknown profile");
        deep_ = profile == "deep";
      } else if (arg == "--deep") {
        deep_ = true;
      } else if (arg == "--history") {
        history_ = true;
      } else if (arg == "--search" && has_value) {
        search s{};
        if (!search::parse(argv[++i], s)) usage(argv[0], "unknown search");
        search_ = s;
      } else if (arg == "--expect" && has_value) {
        if (!verdict(argv[++i], expected_)) usage(argv[0], "unknown verdict");
      } else if (arg == "--weaken" && has_value) {
        if (!weaken(argv[++i])) usage(argv[0], "--weaken takes FILE:LINE");
      } else if (arg == "--keep" && has_value) {
        const std::string_view half = argv[++i];
        if (half != "acquire" && half != "release") usage(argv[0], "--keep takes acquire or release");
        sync::sites::registry().target.keep_acquire = half == "acquire";
      } else if (arg == "--only" && has_value) {
        if (!select(argv[++i])) usage(argv[0], "--only takes check numbers: 1,3,4");
      } else if (arg == "--stop-at-failure") {
        stop_at_failure_ = true;
      } else if (arg == "--sites" && has_value) {
        sites_.open(argv[++i]);
        if (!sites_) usage(argv[0], "cannot write the --sites file");
      } else {
        usage(argv[0], "unknown argument");
      }
    }
    if (const char* file = std::getenv("LOCKSTEP_SITES"); file != nullptr && !sites_.is_open()) {
      sites_.open(file);
      if (!sites_) usage(argv[0], "cannot write the LOCKSTEP_SITES file");
    }
    refuse_unsound_build();
  }

  bool deep() const { return deep_; }
  // --expect's verdict, success without it: what every pass() check must report.
  rl::test_result_e expected() const { return expected_; }
  // --history: print Relacy's execution history of every check.
  bool history() const { return history_; }
  // --search's search, which replaces every check's own; none without it.
  std::optional<search> searched() const { return search_; }

  // Random-schedule budget: `quick` iterations in CI, `deep` in research runs.
  search random(rl::iteration_t quick, rl::iteration_t deep) const {
    return search::random(deep_ ? deep : quick);
  }

  // Context bound: `quick` in CI, `deep` in research runs.
  search bounded(unsigned quick, unsigned deep) const {
    return search::bounded(deep_ ? deep : quick);
  }

  // The algorithm must pass: no race, no leak, no deadlock, no failed contract assertion; or,
  // under --expect, must be reported with that verdict.
  template <class Test>
  void pass(std::string_view name, search s) {
    run<Test>(name, s, expected_);
  }

  // A seeded bug: Relacy must report `expected`.
  template <class Test>
  void catches(std::string_view name, search s, rl::test_result_e expected) {
    run<Test>(name, s, expected);
  }

  // A fact about the searches themselves, such as "the exchange path was explored": a check
  // that passes without reaching the code it is about proves nothing.
  void require(bool ok, std::string_view what) {
    std::printf("%s %.*s\n", ok ? "PASS" : "FAIL", static_cast<int>(what.size()), what.data());
    std::fflush(stdout);
    (ok ? passed_ : failed_) += 1;
  }

  int result() {
    print_coverage();
    if (sites_) {
      // The binary's totals: how often each site ran, and each compare-exchange's outcomes.
      for (const detail::covered_site& c : detail::covered(false)) {
        const sync::sites::site& t = *c.tally;
        sites_ << "total " << c.file << ':' << c.line << ' ' << sync::sites::name(t.kind) << ' '
               << detail::order_names(t.orders) << ' ' << t.hits << ' ' << t.succeeded << ' '
               << t.failed << '\n';
      }
      sites_.flush();
    }
    const sync::sites::weakening& w = sync::sites::registry().target;
    if (w.active) {
      std::printf("weakened %s:%u: %llu accesses ran with the weaker order\n", w.file, w.line,
                  w.applied);
    }
    std::printf("%d passed, %d failed\n", passed_, failed_);
    return failed_ == 0 ? 0 : 1;
  }

 private:
  // Relacy's verdict named by its report text; every verdict Relacy can print has one.
  static bool verdict(std::string_view text, rl::test_result_e& out) {
    for (int r = rl::test_result_success; r < rl::test_result_thread_signal; ++r) {
      if (text == rl::test_result_str(static_cast<rl::test_result_e>(r))) {
        out = static_cast<rl::test_result_e>(r);
        return true;
      }
    }
    return false;
  }

  // Every site the checks reached, by file and line: how often, with which orders asked, and
  // each compare-exchange's outcomes. A site of the code under check that is missing here was
  // never executed by any of these checks; scripts/coverage lists those against the headers.
  static void print_coverage() {
    const std::vector<detail::covered_site> sites = detail::covered(false);
    if (sync::sites::registry().full) std::printf("coverage: the site table overflowed\n");
    std::string file;
    for (const detail::covered_site& c : sites) {
      if (c.file != file) {
        file = c.file;
        std::printf("coverage %s:\n", file.c_str());
      }
      const sync::sites::site& s = *c.tally;
      std::printf("  line %u %s %s: %llu", c.line, s.mixed ? "mixed" : sync::sites::name(s.kind),
                  detail::order_names(s.orders).c_str(), s.hits);
      if (s.succeeded + s.failed > 0) {
        std::printf(" (exchanged %llu, failed %llu)", s.succeeded, s.failed);
      }
      std::printf("\n");
    }
  }

  // --weaken FILE:LINE
  static bool weaken(std::string_view text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
    sync::sites::weakening& w = sync::sites::registry().target;
    const std::string_view file = text.substr(0, colon);
    if (file.size() >= sizeof w.file) return false;
    unsigned line = 0;
    for (const char c : text.substr(colon + 1)) {
      if (c < '0' || c > '9') return false;
      line = line * 10 + static_cast<unsigned>(c - '0');
    }
    file.copy(w.file, file.size());
    w.line = line;
    w.active = true;
    return true;
  }

  // --only I,J,...
  bool select(std::string_view text) {
    unsigned number = 0;
    bool digits = false;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == ',') {
        if (!digits) return false;
        only_.insert(number);
        number = 0;
        digits = false;
      } else if (text[i] >= '0' && text[i] <= '9') {
        number = number * 10 + static_cast<unsigned>(text[i] - '0');
        digits = true;
      } else {
        return false;
      }
    }
    return true;
  }

  [[noreturn]] static void usage(const char* program, const char* problem) {
    std::fprintf(stderr,
                 "%s: %s\nusage: %s [--profile quick|deep] [--search full|bounded:K|random:N]\n"
                 "       [--expect \"<verdict>\"] [--history] [--weaken FILE:LINE]\n"
                 "       [--keep acquire|release] [--only I,J,...] [--stop-at-failure]\n"
                 "       [--sites FILE]\nverdicts:",
                 program, problem, program);
    for (int r = rl::test_result_success; r < rl::test_result_thread_signal; ++r) {
      std::fprintf(stderr, " \"%s\"", rl::test_result_str(static_cast<rl::test_result_e>(r)));
    }
    std::fprintf(stderr, "\n");
    std::exit(2);
  }

  // The canary: if this build cannot see a use-after-free or a data race that a sound build
  // reports, every verdict it gives is worthless, "expected" ones included.
  static void refuse_unsound_build() {
    const rl::test_result_e atomic_field =
        detail::quietly<detail::canary_use_after_free<false>>();
    const rl::test_result_e plain_field =
        detail::quietly<detail::canary_use_after_free<true>>();
    const rl::test_result_e race = detail::quietly<detail::canary_data_race>();
    if (atomic_field == rl::test_result_access_to_freed_memory &&
        plain_field == rl::test_result_access_to_freed_memory &&
        race == rl::test_result_data_race) {
      return;
    }
    std::fprintf(stderr,
                 "lockstep: this model-check build is unsound; refusing to run any check.\n"
                 "  canary: a node freed while another thread reads it gave %s (atomic field) and "
                 "%s (plain field), a sound build gives ACCESS TO FREED MEMORY;\n"
                 "  canary: two unordered writes gave %s, a sound build gives DATA RACE.\n"
                 "  The compiler removed the stores that mark freed memory. Compile with\n"
                 "    -fno-lifetime-dse -fno-sized-deallocation -U_FORTIFY_SOURCE\n"
                 "  and define LOCKSTEP_RELACY_NO_LIFETIME_DSE only where -fno-lifetime-dse is on;\n"
                 "  in CMake, link lockstep::relacy or use lockstep_add_model_check(), which do.\n",
                 rl::test_result_str(atomic_field), rl::test_result_str(plain_field),
                 rl::test_result_str(race));
    std::exit(3);
  }

  template <class Test>
  void run(std::string_view name, search s, rl::test_result_e expected) {
    const unsigned number = ++checks_;
    if (!only_.empty() && !only_.contains(number)) return;
    if (search_) s = *search_;
    for (sync::sites::site& site : sync::sites::registry().slots) site.reached_in_check = false;
    rl::test_params params = detail::search_params(s);
    // Relacy's own report is printed only when it is the diagnosis: an unexpected failure
    // (the search is repeated, deterministically, to print its history) or --history. Not into a
    // string stream: Relacy replaces the global operator new, and a buffer growing inside a
    // simulated execution would allocate from the simulation's heap.
    std::ostream discard(nullptr);
    detail::relacy_report report_buffer;
    std::ostream report(&report_buffer);
    if (history_) announce<Test>(name);
    params.output_stream = history_ ? &report : &discard;
    params.progress_stream = &discard;
    rl::simulate<Test>(params);
    if (params.test_result != expected && params.test_result != rl::test_result_success &&
        !history_) {
      announce<Test>(name);
      detail::print_history<Test>(s);
    }

    const bool ok = params.test_result == expected;
    std::printf("%s %.*s: %s, %llu iterations: %s%s%s\n", ok ? "PASS" : "FAIL",
                static_cast<int>(name.size()), name.data(), s.describe().c_str(),
                static_cast<unsigned long long>(params.stop_iteration),
                rl::test_result_str(params.test_result),
                expected != rl::test_result_success ? " (expected " : "",
                expected != rl::test_result_success
                    ? (std::string(rl::test_result_str(expected)) + ")").c_str()
                    : "");
    std::fflush(stdout);
    (ok ? passed_ : failed_) += 1;
    if (sites_) {
      sites_ << "check " << number << ' ' << name << '\n';
      for (const detail::covered_site& c : detail::covered(true)) {
        sites_ << "site " << c.file << ':' << c.line << ' ' << sync::sites::name(c.tally->kind)
               << ' ' << detail::order_names(c.tally->orders) << '\n';
      }
      sites_.flush();
    }
    if (!ok && stop_at_failure_) std::exit(result());
  }

  // The heading of a printed history: the check's name and, where the name is not already
  // the type's (model() names a check by its type), the test type, demangled.
  template <class Test>
  static void announce(std::string_view name) {
    const std::string type = type_name(typeid(Test).name());
    if (type.find(name) == std::string::npos) {
      std::printf("history of %.*s (%s):\n", static_cast<int>(name.size()), name.data(),
                  type.c_str());
    } else {
      std::printf("history of %.*s:\n", static_cast<int>(name.size()), name.data());
    }
    std::fflush(stdout);
  }

  bool deep_ = false;
  bool history_ = false;
  std::optional<search> search_;
  rl::test_result_e expected_ = rl::test_result_success;
  std::set<unsigned> only_;
  bool stop_at_failure_ = false;
  std::ofstream sites_;
  unsigned checks_ = 0;
  int passed_ = 0;
  int failed_ = 0;
};

namespace detail {

// A user's check as a Relacy test: Relacy constructs the test (so the check) for every
// execution, runs thread(i) on each of its Threads simulated threads, then after(), and
// invariant() at every scheduling point.
template <unsigned Threads, class Check>
struct model_test : rl::test_suite<model_test<Threads, Check>, Threads> {
  Check check;

  void thread(unsigned index) { check.thread(index); }
  void after() {
    if constexpr (requires { check.after(); }) check.after();
  }
  void invariant() {
    if constexpr (requires { check.invariant(); }) check.invariant();
  }
};

}  // namespace detail

// Model-checks Check on Threads threads. Unless --search says otherwise: a context-bounded
// search to completion, bound 2 under the quick profile and 3 under the deep one. A bounded
// search covers every schedule with at most that many preemptions, so a pass is a statement
// about all of them; most concurrency bugs need two or three preemptions (Musuvathi & Qadeer,
// PLDI 2007). Returns main's exit status.
template <unsigned Threads, class Check>
int model(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.pass<detail::model_test<Threads, Check>>(type_name(typeid(Check).name()),
                                                   checks.bounded(2, 3));
  return checks.result();
}

// Scenarios construct their structure by default: this passes it its one constructor argument
// (a bounded queue's capacity, a flat-combining structure's number of publication records).
template <class Structure, std::size_t Argument>
struct constructed_with : Structure {
  constructed_with() : Structure(Argument) {}
};

// The executions of one check in which a reclaimer really freed memory before the structure was
// destroyed. A check in which nothing is ever freed during the run could not find a
// use-after-free, so the checks require this count to be non-zero for the reclaimers that free.
// Check is the scenario type, so that each check keeps its own count.
template <class Check>
struct freed_tally {
  static inline unsigned long long executions = 0;
  static inline unsigned long long freed_during_run = 0;

  static void record(bool freed) {
    ++executions;
    if (freed) ++freed_during_run;
  }

  static std::string report() {
    return std::to_string(freed_during_run) + " of " + std::to_string(executions) +
           " executions of the previous check";
  }
};

}  // namespace lockstep::verify
