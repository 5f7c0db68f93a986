// Structures with static or thread storage duration are destroyed after the per-thread state of
// the destroying thread (hazard/thread_registry.hpp, "After the thread's cache is gone"): every
// node-based lock-free structure with every reclaimer it takes, holding values at exit, as
//   - a namespace-scope static used by the main thread,
//   - a function-local static used by the main thread,
//   - a function-local static constructed and used only by a worker thread (main, which used
//     a structure of its own before, destroys it),
//   - a thread_local of a worker thread, constructed before the worker's cache;
// each structure used (pushes, pops, so protection, sections and retires) from a worker's
// thread_local destructor after the worker's own per-thread state is gone; and objects retired
// into the default domains of hazard pointers and RCU by the destructor of a static constructed
// before those domains were first used. Each exit case runs in a child process that ends with
// std::exit(0), so the static destructors run there and a crash, a sanitizer report or a leak
// (LeakSanitizer runs at the child's exit) fails that case alone. The values are strings too
// long for the small-string buffer, so a value never destroyed is a leak.
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/elimination_stack.hpp>
#include <lockstep/lockfree/faa_queue.hpp>
#include <lockstep/lockfree/ms_queue.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

namespace {

namespace hazard = lockstep::hazard;
namespace lockfree = lockstep::lockfree;

using value = std::string;

value make_value(int i) {
  return "a value longer than the small-string buffer #" + std::to_string(i);
}

// Puts values in and takes a few out, so that the structure retires nodes while in use (which
// makes the thread use its reclaimer's per-thread record) and still holds values at exit.
template <class S>
void fill(S& s) {
  for (int i = 0; i < 9; ++i) s.push(make_value(i));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(s.try_pop().has_value());
}

// A buffered channel, with small segments so that several are retired and several remain.
template <class R>
struct buffered_channel : lockfree::channel<value, R, 4> {
  buffered_channel() : lockfree::channel<value, R, 4>(16) {}
};

template <class R>
void fill(buffered_channel<R>& c) {
  for (int i = 0; i < 9; ++i) {
    ASSERT_EQ(c.try_send(make_value(i)), lockstep::sync::channel_status::ok);
  }
  // Past the first segment, which is then retired.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.try_recv());
}

// How many values fill() leaves in the structure.
template <class S>
constexpr int kept_by_fill = 6;
template <class R>
constexpr int kept_by_fill<buffered_channel<R>> = 4;

template <class S>
int drain(S& s) {
  int n = 0;
  while (s.try_pop()) ++n;
  return n;
}

template <class R>
int drain(buffered_channel<R>& c) {
  int n = 0;
  while (c.try_recv()) ++n;
  return n;
}

// Uses a structure from the destructor of a thread_local constructed before the thread's
// reclamation state: every operation then runs after that state is gone.
template <class S>
struct uses_at_thread_exit {
  S* s = nullptr;
  ~uses_at_thread_exit() {
    if (s != nullptr) fill(*s);
  }
};

// Namespace-scope statics, one per structure type, constructed before main.
template <class S>
S namespace_scope;

template <class S>
S& function_local() {
  static S s;
  return s;
}

// A different function-local static for the worker-only case, so that no main-thread case
// constructs it first.
template <class S>
S& worker_function_local() {
  static S s;
  return s;
}

template <class S>
S& worker_thread_local() {
  thread_local S s;
  return s;
}

template <class S>
class static_destruction : public ::testing::Test {};

using structures = ::testing::Types<
    lockfree::ms_queue<value, hazard::tagged_pool>,
    lockfree::ms_queue<value, hazard::wide_tagged_pool>,
    lockfree::ms_queue<value, hazard::hazard_pointers>, lockfree::ms_queue<value, hazard::epochs>,
    lockfree::ms_queue<value, hazard::leaking>,
    lockfree::faa_queue<value, hazard::hazard_pointers, 2>,
    lockfree::faa_queue<value, hazard::epochs, 2>, lockfree::faa_queue<value, hazard::leaking, 2>,
    lockfree::treiber_stack<value, hazard::tagged_pool>,
    lockfree::treiber_stack<value, hazard::wide_tagged_pool>,
    lockfree::treiber_stack<value, hazard::hazard_pointers>,
    lockfree::treiber_stack<value, hazard::epochs>, lockfree::treiber_stack<value, hazard::leaking>,
    lockfree::elimination_stack<value, hazard::tagged_pool>,
    lockfree::elimination_stack<value, hazard::wide_tagged_pool>,
    lockfree::elimination_stack<value, hazard::hazard_pointers>,
    lockfree::elimination_stack<value, hazard::epochs>,
    lockfree::elimination_stack<value, hazard::leaking>, buffered_channel<hazard::epochs>,
    buffered_channel<hazard::leaking>>;

struct structure_names {
  template <class S>
  static std::string GetName(int index) {
    static const char* const names[] = {"ms_queue_tagged_pool",
                                        "ms_queue_wide_tagged_pool",
                                        "ms_queue_hazard_pointers",
                                        "ms_queue_epochs",
                                        "ms_queue_leaking",
                                        "faa_queue_hazard_pointers",
                                        "faa_queue_epochs",
                                        "faa_queue_leaking",
                                        "treiber_stack_tagged_pool",
                                        "treiber_stack_wide_tagged_pool",
                                        "treiber_stack_hazard_pointers",
                                        "treiber_stack_epochs",
                                        "treiber_stack_leaking",
                                        "elimination_stack_tagged_pool",
                                        "elimination_stack_wide_tagged_pool",
                                        "elimination_stack_hazard_pointers",
                                        "elimination_stack_epochs",
                                        "elimination_stack_leaking",
                                        "channel_epochs",
                                        "channel_leaking"};
    return names[index];
  }
};
TYPED_TEST_SUITE(static_destruction, structures, structure_names);

TYPED_TEST(static_destruction, namespace_scope_static) {
  EXPECT_EXIT(
      {
        fill(namespace_scope<TypeParam>);
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TYPED_TEST(static_destruction, function_local_static) {
  EXPECT_EXIT(
      {
        fill(function_local<TypeParam>());
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TYPED_TEST(static_destruction, static_used_only_by_a_worker) {
  EXPECT_EXIT(
      {
        // The main thread has used a structure of its own, as a program's main thread does,
        // so its per-thread state existed and is gone when main destroys the static.
        fill(*std::make_unique<TypeParam>());
        std::thread([] { fill(worker_function_local<TypeParam>()); }).join();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TYPED_TEST(static_destruction, thread_local_of_a_worker) {
  EXPECT_EXIT(
      {
        std::thread([] { fill(worker_thread_local<TypeParam>()); }).join();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// Not at exit, and in this process: a worker's thread_local destructor pushes and pops (so it
// protects, opens sections, holds hazard pointers and retires) after the worker's cache is gone.
TYPED_TEST(static_destruction, operations_after_the_threads_storage_is_gone) {
  TypeParam s;
  std::thread([&s] {
    thread_local uses_at_thread_exit<TypeParam> user;  // constructed before the worker's cache
    fill(s);
    user.s = &s;
  }).join();
  EXPECT_EQ(drain(s), 2 * kept_by_fill<TypeParam>);
}

// The default domains. An object whose destructor retires into a default domain, constructed
// before that domain is first used: with a domain that is an ordinary function-local static,
// the domain is destroyed first.
struct hp_object : hazard::hazard_pointer_obj_base<hp_object> {
  value v = make_value(0);
};

struct rcu_object : hazard::rcu_obj_base<rcu_object> {
  value v = make_value(0);
};

struct retires_at_exit {
  hp_object* hp = new hp_object();
  rcu_object* rcu = new rcu_object();
  ~retires_at_exit() {
    hp->retire();
    rcu->retire();
  }
};

retires_at_exit retired_by_a_static;

TEST(static_destruction_default_domains, a_static_retires_after_the_domains_were_first_used) {
  EXPECT_EXIT(
      {
        // First uses of both domains, after retired_by_a_static was constructed.
        (new hp_object())->retire();
        (new rcu_object())->retire();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
