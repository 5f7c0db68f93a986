// A user's queue benchmarked from the installed package, next to lockstep's queues: a mutex
// around a std::deque, which models sync::unbounded_queue. The whole of what a user writes.
#include <lockstep/bench/registry.hpp>

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

template <class T>
class my_queue {
 public:
  using value_type = T;

  void push(const T& v) {
    std::lock_guard lock(m_);
    q_.push_back(v);
  }
  void push(T&& v) {
    std::lock_guard lock(m_);
    q_.push_back(std::move(v));
  }
  std::optional<T> try_pop() {
    std::lock_guard lock(m_);
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
#ifdef MY_QUEUE_LOSES_VALUES
    // A seeded bug, to see the benchmark refuse to post a number: every 100th pop drops a value.
    if (++pops_ % 100 == 0 && !q_.empty()) q_.pop_front();
#endif
    return v;
  }

 private:
  std::mutex m_;
  std::deque<T> q_;
#ifdef MY_QUEUE_LOSES_VALUES
  unsigned pops_ = 0;
#endif
};

LOCKSTEP_BENCH_QUEUE(my_queue<std::uint64_t>, "mine");

int main(int argc, char** argv) {
  return lockstep::bench::main(argc, argv, lockstep::bench::with_twins);
}
