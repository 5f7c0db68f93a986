// The sequential specification of a channel (sync/channel.hpp), buffered and unbuffered, and
// the workload that drives channels through the random scenarios of scenario.hpp. One model,
// which locked::channel and lockfree::channel must both agree with.
//
// Operations and their answers (values are the driver's unique integers):
//   send_for(v)  -> ok | timeout       a send that parks, bounded by a short timeout so that a
//   try_send(v)  -> ok | full          scenario with no receiver still ends
//   recv_for()   -> v | timeout
//   try_recv()   -> v | empty
//
// Buffered (capacity n > 0): a FIFO queue of at most n values. send_for answers timeout and
// try_send full exactly when the buffer is full; recv_for answers timeout and try_recv empty
// exactly when it is empty. (A send that parks and is then completed by a receiver linearizes
// when that receiver takes the buffer's oldest value and moves the sender's into the tail —
// the same state change as a send into a buffer with room.)
//
// Unbuffered (capacity 0): a rendezvous, specified as dual operations (Scherer & Scott, "Nonblocking
// Concurrent Objects with Condition Synchronization", DISC 2004). A send that completes
// linearizes immediately before the receive that took its value: after it, the only step the
// specification allows is that receive. Adjacent linearization points alone would still accept
// a send that returned before its receiver was called — a buffer, not a rendezvous — so the
// driver marks each completed send and receive whose partner's call did not overlap its own
// (annotate()), and the specification refuses those. A timed-out or refused send or receive
// changes nothing; it is accepted in any state, because "no partner was waiting" is a fact about
// parked threads, which a sequential state does not hold.
//
// A try_send answering full, or a try_recv answering empty, while its call overlapped a call of
// another thread is accepted in any state and changes nothing: sync/channel.hpp allows a try
// that races another operation to give up (lockfree::channel's does when a racing receiver
// poisons its cell). The driver marks those overlaps (annotate()); a try that ran alone is held
// to the exact answer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <lockstep/sync/channel.hpp>

#include "history.hpp"
#include "specs.hpp"

namespace lockstep::verify::lin {

enum class channel_verb : std::uint8_t { send_for, try_send, recv_for, try_recv };

struct channel_op {
  channel_verb what;
  std::int64_t value = 0;  // the value sent; unused by receives
  // Set by the driver (unbuffered only): the call completed, but its partner's call did not
  // overlap it in time.
  bool partner_apart = false;
  // Set by the driver: the call overlapped a call of another thread.
  bool beside_call = false;
  friend bool operator==(const channel_op&, const channel_op&) = default;
};

struct channel_answer {
  enum class kind : std::uint8_t { ok, full, timeout, empty, received };
  kind what;
  std::int64_t value = 0;  // the value received; unused otherwise
  friend bool operator==(const channel_answer&, const channel_answer&) = default;
};

class channel_spec {
 public:
  using operation = channel_op;
  using result = channel_answer;

  channel_spec() = default;
  explicit channel_spec(std::size_t capacity) : capacity_(capacity) {}

  bool step(const channel_op& op, const channel_answer& observed) {
    using kind = channel_answer::kind;
    const bool sends = op.what == channel_verb::send_for || op.what == channel_verb::try_send;
    if (handing_over_) {
      // Only the receive that takes the value just sent may come next.
      if (sends || observed.what != kind::received || observed.value != handed_over_) return false;
      handing_over_ = false;
      return !op.partner_apart;
    }
    const kind refused = op.what == channel_verb::send_for   ? kind::timeout
                         : op.what == channel_verb::try_send ? kind::full
                         : op.what == channel_verb::recv_for ? kind::timeout
                                                             : kind::empty;
    const bool is_try = op.what == channel_verb::try_send || op.what == channel_verb::try_recv;
    if (is_try && observed.what == refused && op.beside_call) return true;
    if (capacity_ == 0) {
      if (observed.what == refused) return true;
      if (!sends || observed.what != kind::ok || op.partner_apart) return false;
      handing_over_ = true;
      handed_over_ = op.value;
      return true;
    }
    if (sends) {
      const bool full = buffer_.size() == capacity_;
      if (observed.what == refused) return full;
      if (observed.what != kind::ok || full) return false;
      buffer_.push_back(op.value);
      return true;
    }
    if (observed.what == refused) return buffer_.empty();
    if (observed.what != kind::received || buffer_.empty() || buffer_.front() != observed.value) {
      return false;
    }
    buffer_.pop_front();
    return true;
  }

  std::size_t hash() const {
    return detail::hash_items(buffer_, capacity_ * 31 + (handing_over_ ? 17 : 0) +
                                           static_cast<std::size_t>(handed_over_));
  }

  std::string describe() const {
    return "capacity " + std::to_string(capacity_) + ", buffer " + detail::describe_items(buffer_) +
           (handing_over_ ? ", handing over " + std::to_string(handed_over_) : "");
  }

  static std::string describe(const channel_op& op) {
    const std::string apart = op.partner_apart ? " [partner not concurrent]" : "";
    switch (op.what) {
      case channel_verb::send_for: return "send_for(" + std::to_string(op.value) + ")" + apart;
      case channel_verb::try_send: return "try_send(" + std::to_string(op.value) + ")" + apart;
      case channel_verb::recv_for: return "recv_for()" + apart;
      case channel_verb::try_recv: break;
    }
    return "try_recv()" + apart;
  }

  static std::string describe(const channel_answer& a) {
    switch (a.what) {
      case channel_answer::kind::ok: return "ok";
      case channel_answer::kind::full: return "full";
      case channel_answer::kind::timeout: return "timeout";
      case channel_answer::kind::empty: return "empty";
      case channel_answer::kind::received: break;
    }
    return std::to_string(a.value);
  }

  friend bool operator==(const channel_spec&, const channel_spec&) = default;

 private:
  std::size_t capacity_ = 0;
  std::deque<std::int64_t> buffer_;
  bool handing_over_ = false;
  std::int64_t handed_over_ = 0;
};

// The driver's side (scenario.hpp): producing calls alternate between send_for and try_send,
// consuming ones are recv_for (parking, then giving up after the timeout); the final drain is
// recv_for until it times out. The timeout is long enough for a partner that is running to
// arrive, and short enough that thousands of histories take seconds.
struct channel_workload {
  using spec = channel_spec;
  static constexpr std::chrono::microseconds patience{200};

  template <class C>
  static channel_spec initial(const C& c, const auto&) {
    return channel_spec(c.capacity());
  }

  template <class C>
  static channel_op produce(std::int64_t value) {
    return {value % 2 ? channel_verb::send_for : channel_verb::try_send, value, false, false};
  }

  static channel_op consume() { return {channel_verb::recv_for, 0, false, false}; }

  static bool drained(const channel_answer& a) { return a.what != channel_answer::kind::received; }

  // Mark the tries that overlapped another thread's call, and, for unbuffered hand-overs, which
  // must overlap in time, each completed send and receive whose partner (the call that
  // received, or sent, the same value) was not concurrent with it.
  static void annotate(history<channel_spec>& h) {
    for (call_of<channel_spec>& c : h) {
      for (const call_of<channel_spec>& other : h) {
        if (other.thread != c.thread && other.invoked < c.returned && c.invoked < other.returned) {
          c.operation.beside_call = true;
        }
      }
      const bool sent = (c.operation.what == channel_verb::send_for ||
                         c.operation.what == channel_verb::try_send) &&
                        c.result.what == channel_answer::kind::ok;
      const bool received = c.result.what == channel_answer::kind::received;
      if (!sent && !received) continue;
      const std::int64_t value = sent ? c.operation.value : c.result.value;
      for (const call_of<channel_spec>& other : h) {
        const bool partner =
            sent ? other.result.what == channel_answer::kind::received && other.result.value == value
                 : (other.operation.what == channel_verb::send_for ||
                    other.operation.what == channel_verb::try_send) &&
                       other.operation.value == value &&
                       other.result.what == channel_answer::kind::ok;
        if (partner) {
          c.operation.partner_apart = other.returned < c.invoked || c.returned < other.invoked;
        }
      }
    }
  }

  template <class C>
  static channel_answer perform(C& c, const channel_op& op) {
    using kind = channel_answer::kind;
    using value_type = typename C::value_type;
    switch (op.what) {
      case channel_verb::send_for:
        return {c.send_for(static_cast<value_type>(op.value), patience) == sync::channel_status::ok
                    ? kind::ok
                    : kind::timeout,
                0};
      case channel_verb::try_send:
        return {c.try_send(static_cast<value_type>(op.value)) == sync::channel_status::ok
                    ? kind::ok
                    : kind::full,
                0};
      case channel_verb::recv_for: {
        sync::recv_result<value_type> r = c.recv_for(patience);
        return r ? channel_answer{kind::received, static_cast<std::int64_t>(*r.value)}
                 : channel_answer{kind::timeout, 0};
      }
      case channel_verb::try_recv:
        break;
    }
    sync::recv_result<value_type> r = c.try_recv();
    return r ? channel_answer{kind::received, static_cast<std::int64_t>(*r.value)}
             : channel_answer{kind::empty, 0};
  }
};

}  // namespace lockstep::verify::lin
