// The Go original's return events on locked::channel: a warehouse and a customer service
// subscribe to "return-created", one event is published, each prints what it was informed of,
// and closing the broker ends both. The original sleeps 3 s before closing to let the
// subscribers consume; --fast skips it (the test runs it so), which loses nothing, since a closed
// channel still delivers what it buffered. The exit status says whether both were informed.
#include <lockstep/examples/pubsub_broker.hpp>
#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>
#include <lockstep/locked/wait_group.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

namespace {

using broker = lockstep::examples::broker<lockstep::locked::channel, std::string>;

// Go's warehouseFunc and customerFunc: print every message until the channel is closed. One
// printf per line, so the two subscribers' lines never interleave (Go's Println is one write).
auto informer(const char* who, broker::subscription input, std::atomic<int>& informed) {
  return [who, input = std::move(input), &informed] {
    for (const broker::message& m : *input) {
      std::printf("Informed to %s %s\n", who, m.content.c_str());
      informed.fetch_add(1, std::memory_order_relaxed);
    }
  };
}

}  // namespace

int main(int argc, char** argv) {
  const bool fast = argc == 2 && std::string_view(argv[1]) == "--fast";
  if (argc > 1 && !fast) {
    std::fprintf(stderr, "usage: %s [--fast]\n", argv[0]);
    return 2;
  }
  std::atomic<int> informed{0};
  lockstep::locked::wait_group workers;
  broker events([](const std::string& topic) {
    std::printf("Warning: Dropping message for topic %s (consumer channel full/slow).\n",
                topic.c_str());
  });

  broker::subscription warehouse = events.subscribe("return-created");
  broker::subscription customer = events.subscribe("return-created");
  workers.go(informer("warehouse", warehouse, informed));
  workers.go(informer("customer", customer, informed));

  events.publish({"return-created", R"({"orderID": "1", "itemID": "1:1"})"});

  if (!fast) std::this_thread::sleep_for(std::chrono::seconds(3));

  events.close();  // closes every subscriber channel
  workers.wait();
  return informed.load() == 2 ? 0 : 1;
}
