// sync::channel — the channel vocabulary of locked::channel and lockfree::channel.
//
// What: the concept both satisfy, the status their non-blocking and timed operations report,
// the error a send on a closed channel raises, the iterator that makes a channel a range, and
// select's cases.
//
// Semantics are Go's (The Go Programming Language Specification, "Channel types", "Send
// statements", "Receive operator", "Close", "Select statements"):
//
//   channel<T>(0)          unbuffered: a send completes only when a receiver takes the value
//   channel<T>(n)          buffered: up to n values wait in FIFO order
//   send(v)                blocks until the value is taken or buffered; on a closed channel,
//                          or when the channel is closed while it waits, throws
//                          channel_closed and leaves v as it was (never silently lost)
//   recv()                 blocks; an empty optional only once the channel is closed and
//                          drained (Go's `v, ok := <-ch` with ok false)
//   try_send / try_recv    never block; the status says why nothing happened: full (no room,
//                          or no receiver waiting on an unbuffered channel), empty, closed
//   send_for / recv_for    block at most the given duration, then report timeout
//   close()                buffered values are still delivered; a second close throws
//                          channel_closed (Go panics on both)
//   for (T v : ch)         receives until the channel is closed and drained
//
// try_send on a closed channel reports `closed` rather than throwing: it is the probe a caller
// uses to find out, while send is the operation Go makes a panic. send_for throws like send.
//
// A try that races another operation may give up: try_send may answer full, and try_recv empty,
// when a concurrent call changed the answer while it ran (lockfree::channel's do, when a racing
// receiver poisons the cell a try took; each channel's header says when). A try that runs alone
// answers exactly. On an unbuffered channel a try_send completes only with a receiver already
// parked in recv, and a try_recv only with a sender parked in send: two tries never meet.
//
// Ordering: none here; each channel's card labels its own.
// Under Relacy: the same definitions (spin_then_yield's budget is empty there: thread.hpp).
// More: docs/algorithms/channel.md, docs/algorithms/locked_channel.md
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "thread.hpp"

namespace lockstep::sync {

enum class channel_status {
  ok,       // the value was sent, or a value was received
  full,     // try_send: no room in the buffer (unbuffered: no receiver was waiting)
  empty,    // try_recv: nothing buffered and no sender waiting
  closed,   // try_send: the channel is closed; try_recv/recv_for: closed and drained
  timeout,  // send_for/recv_for: the duration passed first
};

constexpr const char* to_string(channel_status s) noexcept {
  switch (s) {
    case channel_status::ok: return "ok";
    case channel_status::full: return "full";
    case channel_status::empty: return "empty";
    case channel_status::closed: return "closed";
    case channel_status::timeout: return "timeout";
  }
  return "?";
}

// What Go reports as a panic: "send on closed channel" and "close of closed channel". A logic
// error, because either means the program's protocol is wrong (Go's rule: only the sender
// closes, and only once).
class channel_closed : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// The result of try_recv and recv_for: the value when status is ok, nothing otherwise.
template <class T>
struct recv_result {
  channel_status status;
  std::optional<T> value;

  explicit operator bool() const noexcept { return status == channel_status::ok; }
};

template <class C>
concept channel = requires(C& c, const C& cc, typename C::value_type&& v,
                           const typename C::value_type& cv, std::chrono::milliseconds d) {
  typename C::value_type;
  c.send(cv);
  c.send(std::move(v));
  { c.recv() } -> std::same_as<std::optional<typename C::value_type>>;
  { c.try_send(cv) } -> std::same_as<channel_status>;
  { c.try_send(std::move(v)) } -> std::same_as<channel_status>;
  { c.try_recv() } -> std::same_as<recv_result<typename C::value_type>>;
  { c.send_for(std::move(v), d) } -> std::same_as<channel_status>;
  { c.recv_for(d) } -> std::same_as<recv_result<typename C::value_type>>;
  c.close();
  { cc.closed() } -> std::same_as<bool>;
  { cc.capacity() } -> std::same_as<std::size_t>;
};

// The coroutine forms, on both families: the same operations with Go's semantics, but a
// coroutine that cannot complete suspends (its executor runs other tasks) instead of parking
// its thread. Each returns an awaitable to co_await at once:
//   co_await c.async_send(v)            as send(v): throws channel_closed, v left as it was
//   co_await c.async_recv()             as recv(): std::optional<T>, empty once closed, drained
//   co_await c.async_send_for(v, d)     as send_for: channel_status ok or timeout (or throws)
//   co_await c.async_recv_for(d)        as recv_for: recv_result<T>
// A thread and a coroutine may be at the two ends of one channel. Awaited outside an
// executor's worker (sync/executor.hpp) they throw std::logic_error.
template <class C>
concept awaitable_channel =
    channel<C> && requires(C& c, typename C::value_type&& v, const typename C::value_type& cv,
                           std::chrono::milliseconds d) {
      c.async_send(cv);
      c.async_send(std::move(v));
      c.async_recv();
      c.async_send_for(std::move(v), d);
      c.async_recv_for(d);
    };

// How long a blocked send or receive of either channel waits before it parks. 256 pauses are a
// few microseconds (a pause is 10 to 140 cycles, depending on the core); 64 yields are tens of
// microseconds when the thread is alone on its core, and hand the core over when it is not.
// On a 2-vCPU virtual machine, spinning alone (256 pauses, then a futex) parked on nearly every
// message of an unbuffered 1/1 exchange — each side slept while the other was being woken,
// and 0.03 to 0.08 M messages/s came through. With the yields the lock-free channel ran the
// same exchange at about 2 M/s without parking; the locked one needed futex_lock as well.
inline spin_then_yield before_parking() noexcept { return {256, 64}; }

// A channel's capacity as requested; 0 (unbuffered) is valid. Past `largest` (chosen by the
// channel so that its buffer can be allocated and its counters cannot overflow) it is
// std::length_error at construction rather than a failed allocation later.
inline std::size_t channel_capacity(std::size_t requested, std::size_t largest, const char* what) {
  if (requested > largest) {
    throw std::length_error(std::string(what) + ": capacity " + std::to_string(requested) +
                            " exceeds the largest supported, " + std::to_string(largest));
  }
  return requested;
}

// Range-for over a channel: each step is a recv(); the range ends when recv() reports the
// channel closed and drained. An input iterator: a value is received once, by one loop.
template <class Channel>
class receiving_iterator {
 public:
  using iterator_concept = std::input_iterator_tag;
  using value_type = typename Channel::value_type;
  using difference_type = std::ptrdiff_t;

  explicit receiving_iterator(Channel& channel) : channel_(&channel), current_(channel.recv()) {}

  value_type& operator*() const { return *current_; }
  receiving_iterator& operator++() {
    current_ = channel_->recv();
    return *this;
  }
  void operator++(int) { ++*this; }

  friend bool operator==(const receiving_iterator& i, std::default_sentinel_t) noexcept {
    return !i.current_;
  }

 private:
  Channel* channel_;
  mutable std::optional<value_type> current_;
};

// select's cases. They name a channel and where the value comes from or goes to; each
// family's select (locked/select.hpp, lockfree/select.hpp) decides how to wait on them.
//
//   on_recv(ch, out)   fires when a value is received (out holds it) or when ch is closed and
//                      drained (out is left empty), as Go's `case v, ok := <-ch`
//   on_send(ch, v)     fires when v is sent. An lvalue is referred to and copied when a select
//                      starts. An rvalue is moved into the case, which owns it (`owned`): a
//                      case may be built first and given to select later, since it holds no
//                      reference to the temporary. Select moves the owned value into the channel
//                      only if this case fires; a case that did not fire still holds it, and one
//                      that fired holds what the move left. A send case on a closed channel
//                      throws channel_closed when select chooses it, as Go panics.
//
// A case may name its channel by pointer, and a null pointer disables it: the case never fires,
// as a case on a nil channel never does in Go, where setting a channel variable to nil is how a
// loop stops selecting on a channel that closed. A select whose every case is disabled:
// try_select reports none ready; select_for waits out its duration and reports none; select,
// which Go would block for ever, throws std::logic_error instead.
template <class Channel>
struct recv_case {
  Channel* channel;  // null: disabled
  std::optional<typename Channel::value_type>& into;
};

template <class Channel>
struct send_case {
  Channel* channel;                               // null: disabled
  const typename Channel::value_type* copy_from;  // an lvalue's; null when the case owns one
  // An rvalue's value (empty for an lvalue's case). Mutable: select takes its cases by const
  // reference and moves this out when the case fires.
  mutable std::optional<typename Channel::value_type> owned;
};

template <channel Channel>
recv_case<Channel> on_recv(Channel& c, std::optional<typename Channel::value_type>& into) {
  return {&c, into};
}
template <channel Channel>
recv_case<Channel> on_recv(Channel* c, std::optional<typename Channel::value_type>& into) {
  return {c, into};
}
template <channel Channel>
  requires std::copy_constructible<typename Channel::value_type>
send_case<Channel> on_send(Channel& c, const typename Channel::value_type& value) {
  return {&c, &value, std::nullopt};
}
template <channel Channel>
  requires std::copy_constructible<typename Channel::value_type>
send_case<Channel> on_send(Channel* c, const typename Channel::value_type& value) {
  return {c, &value, std::nullopt};
}
template <channel Channel>
send_case<Channel> on_send(Channel& c, typename Channel::value_type&& value) {
  return {&c, nullptr, std::move(value)};
}
template <channel Channel>
send_case<Channel> on_send(Channel* c, typename Channel::value_type&& value) {
  return {c, nullptr, std::move(value)};
}

// Whether any of a select's cases is enabled; a blocking select over none throws.
template <class... Cases>
bool any_enabled(const Cases&... cases) noexcept {
  return ((cases.channel != nullptr) || ...);
}

inline void require_enabled_case(bool any, const char* what) {
  if (!any) {
    throw std::logic_error(std::string(what) +
                           ": every case is disabled (a null channel), so it would block for ever");
  }
}

}  // namespace lockstep::sync
