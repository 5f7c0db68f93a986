// Publish/subscribe with tasks, the Go original's return events (docs/patterns.md): a warehouse
// and a customer service subscribe to "return-created", one event is published, each prints
// what it was informed of, and closing the broker ends both. The broker is an active object:
// one task owns the subscriber table and selects over publish, subscribe and done. The
// original sleeps 3 s before closing; --fast skips it (a closed channel still delivers what it
// buffered, so nothing is lost).
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/sleep.hpp>
#include <lockstep/sched/wait_group.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sched = lockstep::sched;
template <class T>
using chan = lockstep::lockfree::channel<T>;

struct message {
  std::string topic;
  std::string content;
};

struct subscribe_req {
  std::string topic;
  std::shared_ptr<chan<message>> ch;  // shared: the broker sends and closes, the subscriber reads
};

class broker {
 public:
  broker() {  // in a task: the active object starts a single task to manage all internal state
    wg.add(1);
    sched::spawn(loop());
  }

  sched::task<std::shared_ptr<chan<message>>> subscribe(std::string topic) {
    subscribe_req req{std::move(topic), std::make_shared<chan<message>>(10)};  // buffered
    co_await subscribe_ch.async_send(req);
    co_return req.ch;
  }
  sched::task<void> publish(message msg) { co_await publish_ch.async_send(std::move(msg)); }
  sched::task<void> close() {
    done_ch.close();
    co_await wg.wait();
  }

 private:
  struct done {};  // Go's struct{}: only the channel's closing is ever communicated

  sched::task<void> loop() {
    for (;;) {
      std::optional<message> msg;
      std::optional<subscribe_req> req;
      std::optional<done> stop;
      switch (co_await async_select(on_recv(publish_ch, msg), on_recv(subscribe_ch, req),
                                    on_recv(done_ch, stop))) {
        case 0:
          for (const auto& ch : subscribers[msg->topic]) {
            if (ch->try_send(*msg) != lockstep::sync::channel_status::ok) {  // full: drop it
              std::printf("Warning: Dropping message for topic %s (consumer channel full/slow).\n",
                          msg->topic.c_str());
            }
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

  std::map<std::string, std::vector<std::shared_ptr<chan<message>>>> subscribers;
  chan<message> publish_ch{0};
  chan<subscribe_req> subscribe_ch{0};
  chan<done> done_ch{0};
  sched::wait_group wg;
};

sched::task<void> inform(const char* who, std::shared_ptr<chan<message>> input,
                         sched::wait_group& wg) {
  while (auto m = co_await input->async_recv())
    std::printf("Informed to %s %s\n", who, m->content.c_str());
  wg.done();
}

int main(int argc, char** argv) {
  const bool fast = argc > 1 && std::string_view(argv[1]) == "--fast";
  sched::scheduler s(2);
  s.run([&]() -> sched::task<void> {
    broker b;
    // Subscribe to topics
    auto warehouse_ch = co_await b.subscribe("return-created");
    auto customer_ch = co_await b.subscribe("return-created");
    sched::wait_group wg;
    // Subscriber workers
    wg.add(2);
    sched::spawn(inform("warehouse", warehouse_ch, wg));
    sched::spawn(inform("customer", customer_ch, wg));
    // Publish a message
    message msg{"return-created", R"({"orderID": "1", "itemID": "1:1"})"};
    co_await b.publish(msg);
    // In this example, we just wait 3 seconds to consume messages in the workers.
    if (!fast) co_await sched::sleep_for(std::chrono::seconds(3));
    // Shut down broker: closes all subscriber channels
    co_await b.close();
    co_await wg.wait();
  }());
}
