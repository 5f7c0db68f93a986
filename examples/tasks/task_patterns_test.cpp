// The programs of examples/tasks/ at scale, over both channel families: fan-out/fan-in, the
// pipeline, the pub/sub broker, skynet over channels and the nil-channel merge, as tasks on one
// and two workers and at capacities 0 (unbuffered), 1 and 64. Each counts what arrives, so a
// message lost or delivered twice fails it. The shapes are the programs'; only the printing is
// replaced by counting, and the sizes are a test's. The merge runs for threads too, beside the
// three-branch state machine that disabled cases replace (docs/patterns.md).
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/wait_group.hpp>
#include <lockstep/sync/channel.hpp>

#include <lockstep/verify/unit/channel_types.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace lockstep;
using verify::select_families;

template <class Family>
class task_patterns : public ::testing::Test {};
TYPED_TEST_SUITE(task_patterns, select_families, verify::channel_family_names);

constexpr std::size_t capacities[] = {0, 1, 64};
constexpr std::size_t worker_counts[] = {1, 2};

// Each of 1..n once (and 0 never): what every pattern below must deliver.
std::vector<int> each_once(int n) {
  std::vector<int> once(static_cast<std::size_t>(n) + 1, 1);
  once[0] = 0;
  return once;
}

// --- fan-out/fan-in (examples/tasks/fan_in_fan_out.cpp) -----------------------------------------

template <class C>
sched::task<void> cook(C& input, C& output, sched::wait_group& wg) {
  while (std::optional<int> v = co_await input.async_recv()) co_await output.async_send(*v);
  wg.done();
}

// How many times each order 1..orders reached the aggregator.
template <class C>
std::vector<int> fan_in_fan_out(std::size_t workers, int orders, int cooks, std::size_t capacity) {
  C input(capacity), output(capacity);
  sched::wait_group wg;
  std::vector<int> delivered(static_cast<std::size_t>(orders) + 1, 0);
  sched::scheduler s(workers);
  for (int i = 0; i < cooks; ++i) {
    wg.add(1);
    s.spawn(cook(input, output, wg));
  }
  s.go([&]() -> sched::task<void> {
    for (int i = 1; i <= orders; ++i) co_await input.async_send(i);
    input.close();
  });
  s.go([&]() -> sched::task<void> {
    co_await wg.wait();
    output.close();
  });
  s.run([&]() -> sched::task<void> {
    while (std::optional<int> order = co_await output.async_recv()) ++delivered.at(*order);
  }());
  return delivered;
}

TYPED_TEST(task_patterns, fan_in_fan_out_delivers_every_order_once) {
  using chan = typename TypeParam::template type<int>;
  for (std::size_t workers : worker_counts) {
    for (std::size_t capacity : capacities) {
      for (int cooks : {1, 3, 8}) {
        for (int orders : {0, 1, 500}) {
          SCOPED_TRACE(testing::Message() << "workers " << workers << ", capacity " << capacity
                                          << ", cooks " << cooks << ", orders " << orders);
          EXPECT_EQ(fan_in_fan_out<chan>(workers, orders, cooks, capacity), each_once(orders));
        }
      }
    }
  }
}

// --- the pipeline (examples/tasks/pipeline.cpp) -------------------------------------------------

template <class C>
sched::task<void> stage(C& in, C& out, int add) {
  while (std::optional<int> v = co_await in.async_recv()) co_await out.async_send(*v + add);
  out.close();
}

// What leaves the last of `stages` stages, each adding one, in order.
template <class C>
std::vector<int> pipeline(std::size_t workers, int messages, int stages, std::size_t capacity) {
  std::vector<std::unique_ptr<C>> links;  // a channel is not movable
  for (int i = 0; i <= stages; ++i) links.push_back(std::make_unique<C>(capacity));
  std::vector<int> out;
  sched::scheduler s(workers);
  s.go([&]() -> sched::task<void> {
    for (int i = 1; i <= messages; ++i) co_await links.front()->async_send(i);
    links.front()->close();
  });
  for (int i = 0; i < stages; ++i) s.spawn(stage(*links[i], *links[i + 1], 1));
  s.run([&]() -> sched::task<void> {
    while (std::optional<int> v = co_await links.back()->async_recv()) out.push_back(*v);
  }());
  return out;
}

// Each stage is one task and channels are FIFO, so the values come out in the order they went
// in, each having passed every stage once.
TYPED_TEST(task_patterns, pipeline_passes_every_value_through_every_stage_once_in_order) {
  using chan = typename TypeParam::template type<int>;
  for (std::size_t workers : worker_counts) {
    for (std::size_t capacity : capacities) {
      for (int stages : {1, 2, 6}) {
        SCOPED_TRACE(testing::Message() << "workers " << workers << ", capacity " << capacity
                                        << ", stages " << stages);
        std::vector<int> expected;
        for (int v = 1; v <= 300; ++v) expected.push_back(v + stages);
        EXPECT_EQ(pipeline<chan>(workers, 300, stages, capacity), expected);
      }
    }
  }
}

// --- the pub/sub broker (examples/tasks/pubsub_broker.cpp) --------------------------------------

// The program's broker over a channel family, with int contents, counting the messages it
// drops where the program prints a warning.
template <class Family>
class broker {
  template <class T>
  using chan = typename Family::template type<T>;

 public:
  struct message {
    std::string topic;
    int content;
  };
  using subscription = std::shared_ptr<chan<message>>;

  broker() {
    wg.add(1);
    sched::spawn(loop());
  }

  sched::task<subscription> subscribe(std::string topic, std::size_t capacity) {
    subscribe_req req{std::move(topic), std::make_shared<chan<message>>(capacity)};
    subscription ch = req.ch;
    co_await subscribe_ch.async_send(std::move(req));
    co_return ch;
  }
  sched::task<void> publish(message msg) { co_await publish_ch.async_send(std::move(msg)); }
  sched::task<void> close() {
    done_ch.close();
    co_await wg.wait();
  }
  int dropped = 0;  // the loop's; read after close()

 private:
  struct subscribe_req {
    std::string topic;
    subscription ch;
  };
  struct done {};

  sched::task<void> loop() {
    for (;;) {
      std::optional<message> msg;
      std::optional<subscribe_req> req;
      std::optional<done> stop;
      switch (co_await async_select(on_recv(publish_ch, msg), on_recv(subscribe_ch, req),
                                    on_recv(done_ch, stop))) {
        case 0:
          for (const auto& ch : subscribers[msg->topic]) {
            if (ch->try_send(*msg) != sync::channel_status::ok) ++dropped;
          }
          break;
        case 1:
          subscribers[req->topic].push_back(req->ch);
          break;
        default:
          for (const auto& [topic, chans] : subscribers) {
            for (const auto& ch : chans) ch->close();
          }
          wg.done();
          co_return;
      }
    }
  }

  std::map<std::string, std::vector<subscription>> subscribers;
  chan<message> publish_ch{0};
  chan<subscribe_req> subscribe_ch{0};
  chan<done> done_ch{0};
  sched::wait_group wg;
};

struct pubsub_tally {
  std::vector<std::vector<int>> received;  // each subscriber's contents, in arrival order
  int dropped = 0;
};

// `subscribers` tasks subscribe to one topic with the given capacity, `messages` are published
// (and one on a topic nobody reads), then the broker is closed and the subscribers drain.
template <class Family>
pubsub_tally pubsub(std::size_t workers, int messages, int subscribers, std::size_t capacity) {
  using broker_type = broker<Family>;
  pubsub_tally tally;
  tally.received.resize(static_cast<std::size_t>(subscribers));
  sched::scheduler s(workers);
  s.run([&]() -> sched::task<void> {
    broker_type b;
    sched::wait_group wg;
    for (std::vector<int>& got : tally.received) {
      typename broker_type::subscription ch = co_await b.subscribe("t", capacity);
      wg.add(1);
      sched::spawn([](typename broker_type::subscription input, std::vector<int>& into,
                      sched::wait_group& g) -> sched::task<void> {
        while (auto m = co_await input->async_recv()) into.push_back(m->content);
        g.done();
      }(ch, got, wg));
    }
    for (int v = 1; v <= messages; ++v) {
      typename broker_type::message msg{"t", v};
      co_await b.publish(std::move(msg));
    }
    typename broker_type::message unread{"nobody", 0};
    co_await b.publish(std::move(unread));
    co_await b.close();
    co_await wg.wait();
    tally.dropped = b.dropped;
  }());
  return tally;
}

// With room for every message nothing is dropped: each subscriber gets each message once, in
// the order published.
TYPED_TEST(task_patterns, pubsub_delivers_every_message_once_to_every_subscriber) {
  for (std::size_t workers : worker_counts) {
    for (int subscribers : {1, 4}) {
      SCOPED_TRACE(testing::Message() << "workers " << workers << ", subscribers " << subscribers);
      const pubsub_tally tally = pubsub<TypeParam>(workers, 300, subscribers, 300);
      std::vector<int> all;
      for (int v = 1; v <= 300; ++v) all.push_back(v);
      for (const std::vector<int>& got : tally.received) EXPECT_EQ(got, all);
      EXPECT_EQ(tally.dropped, 0);
    }
  }
}

// A full subscriber loses messages, but each one is received or dropped once per subscriber,
// and what is received comes in order.
TYPED_TEST(task_patterns, pubsub_receives_or_drops_every_message_once) {
  for (std::size_t workers : worker_counts) {
    for (std::size_t capacity : {0, 1}) {
      SCOPED_TRACE(testing::Message() << "workers " << workers << ", capacity " << capacity);
      const pubsub_tally tally = pubsub<TypeParam>(workers, 300, 4, capacity);
      std::size_t received = 0;
      for (const std::vector<int>& got : tally.received) {
        for (std::size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1], got[i]);
        received += got.size();
      }
      EXPECT_EQ(received + static_cast<std::size_t>(tally.dropped), 300u * 4u);
    }
  }
}

// --- skynet over channels (examples/tasks/skynet.cpp) -------------------------------------------

template <class C>
sched::task<void> skynet(std::shared_ptr<C> c, long num, long size) {
  if (size == 1) {
    co_await c->async_send(num);
    co_return;
  }
  auto rc = std::make_shared<C>(0);
  long sum = 0;
  for (long i = 0; i < 10; ++i) sched::spawn(skynet(rc, num + i * (size / 10), size / 10));
  for (long i = 0; i < 10; ++i) sum += *co_await rc->async_recv();
  co_await c->async_send(sum);
}

TYPED_TEST(task_patterns, skynet_sums_every_leaf_once) {
  using chan = typename TypeParam::template type<long>;
  for (std::size_t workers : worker_counts) {
    for (long size : {1L, 10L, 10'000L}) {
      SCOPED_TRACE(testing::Message() << "workers " << workers << ", leaves " << size);
      auto c = std::make_shared<chan>(0);
      sched::scheduler s(workers);
      s.spawn(skynet(c, 0, size));
      EXPECT_EQ(s.run([&]() -> sched::task<long> { co_return *co_await c->async_recv(); }()),
                size * (size - 1) / 2);
    }
  }
}

// --- the nil-channel merge (examples/merge.cpp, examples/tasks/merge.cpp) -----------------------

template <class C>
sched::task<void> merge_task(C* a, C* b, C& out) {
  while (a != nullptr || b != nullptr) {
    std::optional<int> x, y;
    switch (co_await async_select(on_recv(a, x), on_recv(b, y))) {
      case 0:
        if (!x) {
          a = nullptr;
          continue;
        }
        co_await out.async_send(*x);
        break;
      case 1:
        if (!y) {
          b = nullptr;
          continue;
        }
        co_await out.async_send(*y);
        break;
    }
  }
  out.close();
}

template <class C>
void merge_thread(C* a, C* b, C& out) {
  while (a != nullptr || b != nullptr) {
    std::optional<int> x, y;
    switch (select(on_recv(a, x), on_recv(b, y))) {
      case 0:
        if (!x) {
          a = nullptr;
          continue;
        }
        out.send(*x);
        break;
      case 1:
        if (!y) {
          b = nullptr;
          continue;
        }
        out.send(*y);
        break;
    }
  }
  out.close();
}

// What a merge takes without disabled cases: one branch while both inputs are open, and one for
// each input left alone (selecting on a closed channel would fire at once, for ever).
template <class C>
void merge_three_branches(C& a, C& b, C& out) {
  bool a_open = true, b_open = true;
  while (a_open || b_open) {
    std::optional<int> x, y;
    if (a_open && b_open) {
      switch (select(on_recv(a, x), on_recv(b, y))) {
        case 0:
          a_open = x.has_value();
          break;
        case 1:
          b_open = y.has_value();
          break;
      }
    } else if (a_open) {
      x = a.recv();
      a_open = x.has_value();
    } else {
      y = b.recv();
      b_open = y.has_value();
    }
    if (x) out.send(*x);
    if (y) out.send(*y);
  }
  out.close();
}

// The merge's output from `a` sending the odd numbers below 2 * na and `b` the even ones up to
// 2 * nb: each once, and each input's values in the order it sent them.
void expect_merged(const std::vector<int>& got, int na, int nb) {
  std::vector<int> count(static_cast<std::size_t>(2 * std::max(na, nb)) + 1, 0);
  int last_odd = -1, last_even = 0;
  for (int v : got) {
    ASSERT_GT(v, 0);
    ASSERT_LT(static_cast<std::size_t>(v), count.size());
    ++count[static_cast<std::size_t>(v)];
    int& last = v % 2 == 1 ? last_odd : last_even;
    EXPECT_GT(v, last);
    last = v;
  }
  for (int v = 1; v < static_cast<int>(count.size()); ++v) {
    const bool sent = v % 2 == 1 ? v < 2 * na : v <= 2 * nb;
    EXPECT_EQ(count[static_cast<std::size_t>(v)], sent ? 1 : 0) << "value " << v;
  }
}

constexpr int merge_sizes[][2] = {{0, 0}, {0, 5}, {5, 0}, {1, 1}, {200, 200}, {200, 3}};

TYPED_TEST(task_patterns, merge_with_disabled_cases_takes_everything_until_both_close) {
  using chan = typename TypeParam::template type<int>;
  for (std::size_t workers : worker_counts) {
    for (std::size_t capacity : capacities) {
      for (const auto& [na, nb] : merge_sizes) {
        SCOPED_TRACE(testing::Message() << "workers " << workers << ", capacity " << capacity
                                        << ", sizes " << na << ", " << nb);
        chan a(capacity), b(capacity), out(capacity);
        std::vector<int> got;
        sched::scheduler s(workers);
        s.go([&, na = na]() -> sched::task<void> {
          for (int i = 0; i < na; ++i) co_await a.async_send(2 * i + 1);
          a.close();
        });
        s.go([&, nb = nb]() -> sched::task<void> {
          for (int i = 1; i <= nb; ++i) co_await b.async_send(2 * i);
          b.close();
        });
        s.spawn(merge_task(&a, &b, out));
        s.run([&]() -> sched::task<void> {
          while (std::optional<int> v = co_await out.async_recv()) got.push_back(*v);
        }());
        expect_merged(got, na, nb);
      }
    }
  }
}

// Threads send and receive; the merge between them is a task (a thread and a coroutine may be
// at the two ends of one channel).
TYPED_TEST(task_patterns, merge_task_between_threads) {
  using chan = typename TypeParam::template type<int>;
  for (std::size_t capacity : capacities) {
    SCOPED_TRACE(testing::Message() << "capacity " << capacity);
    chan a(capacity), b(capacity), out(capacity);
    std::vector<int> got;
    {
      sched::scheduler s(2);
      s.spawn(merge_task(&a, &b, out));
      std::jthread odd([&] {
        for (int i = 0; i < 200; ++i) a.send(2 * i + 1);
        a.close();
      });
      std::jthread even([&] {
        for (int i = 1; i <= 200; ++i) b.send(2 * i);
        b.close();
      });
      for (int v : out) got.push_back(v);
    }
    expect_merged(got, 200, 200);
  }
}

template <class C, class Merge>
std::vector<int> merge_threads(std::size_t capacity, int na, int nb, Merge merge) {
  C a(capacity), b(capacity), out(capacity);
  std::vector<int> got;
  std::jthread odd([&] {
    for (int i = 0; i < na; ++i) a.send(2 * i + 1);
    a.close();
  });
  std::jthread even([&] {
    for (int i = 1; i <= nb; ++i) b.send(2 * i);
    b.close();
  });
  std::jthread merger([&] { merge(a, b, out); });
  for (int v : out) got.push_back(v);
  return got;
}

TYPED_TEST(task_patterns, merge_of_threads_with_disabled_cases_and_with_three_branches) {
  using chan = typename TypeParam::template type<int>;
  for (std::size_t capacity : capacities) {
    for (const auto& [na, nb] : merge_sizes) {
      SCOPED_TRACE(testing::Message() << "capacity " << capacity << ", sizes " << na << ", " << nb);
      expect_merged(
          merge_threads<chan>(capacity, na, nb,
                              [](chan& a, chan& b, chan& out) { merge_thread(&a, &b, out); }),
          na, nb);
      expect_merged(
          merge_threads<chan>(capacity, na, nb,
                              [](chan& a, chan& b, chan& out) { merge_three_branches(a, b, out); }),
          na, nb);
    }
  }
}

}  // namespace
