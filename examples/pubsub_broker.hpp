// Publish/subscribe through a broker, the online store's return events of the Go original: a
// publisher hands a message with a topic to the broker, and the broker passes it to every
// channel subscribed to that topic.
//
//                        +--> subscriber 1
//   publisher --> broker +--> subscriber 2      (per topic)
//                        +--> subscriber 3
//
// The broker is an active object, as in Go: one thread owns the subscriber table and nothing
// else touches it, so the table needs no lock. Requests reach that thread through channels —
// publish, subscribe, done — and the thread selects over the three. A subscriber that is slow
// (its channel full) loses the message, with a warning through the on_drop hook and a count in
// dropped(); the broker never blocks on a subscriber, so one slow reader cannot stall the
// others or the publishers. Closing the broker closes the done channel; the thread then closes
// every subscriber channel (their readers' range loops end once they drain what is buffered)
// and exits, and close() returns when it has.
//
// Two departures from the Go original, both where Go would leak: a publish() or subscribe()
// after close() throws sync::channel_closed instead of blocking forever (the thread closes the
// publish and subscribe channels on its way out), and the destructor closes a broker that was
// not closed, so its thread is always joined. A second close() throws sync::channel_closed, as
// Go's close of a closed channel panics.
//
// select and the cases are found by argument-dependent lookup on the channel type: include the
// channel family's select header (locked/select.hpp, lockfree/select.hpp) before instantiating.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <lockstep/locked/wait_group.hpp>

namespace lockstep::examples {

template <template <class> class Channel, class T>
class broker {
 public:
  struct message {
    std::string topic;
    T content;
  };
  // A subscriber's channel, shared by the broker (which sends and, at the end, closes) and the
  // subscriber (which receives): Go's garbage collector keeps the channel alive for both. The
  // subscriber must only receive; Go's `<-chan Message` says so in its type.
  using subscription = std::shared_ptr<Channel<message>>;
  using drop_hook = std::function<void(const std::string& topic)>;

  // on_drop, if set, runs in the broker's thread for each message a full subscriber channel
  // could not take.
  explicit broker(drop_hook on_drop = {}) : on_drop_(std::move(on_drop)) {
    running_.go([this] { loop(); });
  }

  broker(const broker&) = delete;
  broker& operator=(const broker&) = delete;

  ~broker() {
    if (!done_.closed()) close();
  }

  // Go's Subscribe: a new channel with room for `capacity` messages (Go's is 10), registered
  // for the topic before subscribe() returns, so every later publish() reaches it.
  subscription subscribe(std::string topic, std::size_t capacity = 10) {
    auto channel = std::make_shared<Channel<message>>(capacity);
    subscribe_.send(subscribe_request{std::move(topic), channel});
    return channel;
  }

  // Go's Publish: returns once the broker's thread has taken the message (the publish channel
  // is unbuffered), so its delivery is ordered before any later publish, subscribe or close.
  void publish(message m) { publish_.send(std::move(m)); }

  // Go's Close: stops the broker's thread, which closes every subscriber channel first.
  void close() {
    done_.close();
    running_.wait();
  }

  // Messages dropped because a subscriber's channel was full; final once close() returned.
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct subscribe_request {
    std::string topic;
    subscription channel;
  };
  struct stop {};  // Go's chan struct{}: only its closing is ever communicated

  void loop() {
    for (;;) {
      std::optional<message> published;
      std::optional<subscribe_request> request;
      std::optional<stop> stopped;
      switch (select(on_recv(publish_, published), on_recv(subscribe_, request),
                     on_recv(done_, stopped))) {
        case 0:
          // Empty only if the publish channel were closed, which only this thread does, below.
          if (published) deliver(*published);
          break;
        case 1:
          if (request) subscribers_[request->topic].push_back(std::move(request->channel));
          break;
        default:
          shut_down();
          return;
      }
    }
  }

  // Go's inner `select { case ch <- msg: default: drop }`: a try_send per subscriber. The
  // table is this thread's own, so unlike the Go original it needs no copy to iterate.
  void deliver(const message& m) {
    const auto topic = subscribers_.find(m.topic);
    if (topic == subscribers_.end()) return;
    for (const subscription& channel : topic->second) {
      if (channel->try_send(m) != sync::channel_status::ok) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        if (on_drop_) on_drop_(m.topic);
      }
    }
  }

  void shut_down() {
    for (auto& [topic, channels] : subscribers_) {
      for (const subscription& channel : channels) channel->close();
    }
    subscribers_.clear();
    publish_.close();
    subscribe_.close();
  }

  Channel<message> publish_{0};
  Channel<subscribe_request> subscribe_{0};
  Channel<stop> done_{0};
  std::unordered_map<std::string, std::vector<subscription>> subscribers_;  // the thread's own
  std::atomic<std::uint64_t> dropped_{0};
  drop_hook on_drop_;
  locked::wait_group running_;  // last: the thread starts once everything it uses exists
};

struct pubsub_tally {
  std::uint64_t received = 0;  // messages taken by the subscribers
  std::uint64_t dropped = 0;   // messages the broker dropped for a full subscriber channel
};

// `subscribers` readers subscribe to one topic, each with a channel of the given capacity;
// `messages` are published, then the broker is closed and the readers drain their channels.
// Every message is either received or dropped once per subscriber, so
// received + dropped == messages * subscribers.
template <template <class> class Channel>
pubsub_tally pubsub_tallied(std::size_t messages, std::size_t subscribers, std::size_t capacity) {
  using broker_type = broker<Channel, std::uint64_t>;
  // Each reader counts locally and stores its total once, into its own slot (no false sharing
  // while counting); the slots are read after the readers are joined.
  std::vector<std::uint64_t> received(subscribers, 0);
  // Declared before the broker, so that if anything throws, the broker's destructor closes the
  // subscriber channels first and the readers' loops end before this joins them.
  locked::wait_group readers;
  broker_type b;
  for (std::size_t s = 0; s < subscribers; ++s) {
    typename broker_type::subscription channel = b.subscribe("bench", capacity);
    readers.go([channel, &total = received[s]] {
      std::uint64_t count = 0;
      for ([[maybe_unused]] const typename broker_type::message& m : *channel) ++count;
      total = count;
    });
  }
  for (std::uint64_t v = 1; v <= messages; ++v) b.publish({"bench", v});
  b.close();
  readers.wait();

  pubsub_tally tally;
  for (std::uint64_t count : received) tally.received += count;
  tally.dropped = b.dropped();
  return tally;
}

template <template <class> class Channel>
std::uint64_t pubsub(std::size_t messages, std::size_t subscribers, std::size_t capacity) {
  return pubsub_tallied<Channel>(messages, subscribers, capacity).received;
}

}  // namespace lockstep::examples
