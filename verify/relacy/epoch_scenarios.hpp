// Model-check scenarios for hazard::rcu_domain (epoch.hpp), with a domain of their own (the
// default domain does not exist under Relacy). A shared source points to a node; writers swap
// in a new node and retire the old one; readers read the node inside a read-side section
// (std::scoped_lock on the domain). Relacy reports a read of a freed node as an access to freed
// memory, a read not ordered after the node's construction as a data race, and a node never
// freed as a leak: the domain is a member of the test, destroyed inside each execution.
#pragma once

#include <mutex>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/sync/sync.hpp>

#include <lockstep/verify/model_check.hpp>

namespace lockstep::verify {

// As hp_node: reading the atomic `key` is a scheduling point between the reader's load of the
// source and its use of the node; the plain `value` shows a read not ordered after publication.
struct rcu_node : hazard::rcu_obj_base<rcu_node> {
  explicit rcu_node(int k) : key(k), value(k) {}
  sync::atomic<int> key;
  sync::plain<int> value;
};

// Reads a node inside a section; `writers` bounds the keys that can be installed.
inline void use(const rcu_node* n, int writers) {
  const int k = n->key.load(sync::relaxed);
  RL_ASSERT(k >= 1 && k <= writers + 1);
  RL_ASSERT(n->value.read() == k);
}

// The fixture: retire_threshold 1, so every retire runs try_advance and collect and the
// epoch really moves (and nodes are really freed) inside an execution. The source starts at
// node 1; writer w installs node w + 2.
template <class Derived, unsigned Threads>
struct rcu_fixture : rl::test_suite<Derived, Threads> {
  hazard::rcu_domain domain{1};
  sync::atomic<rcu_node*> source{nullptr};

  void before() { source.store(new rcu_node(1), sync::relaxed); }

  // The installed node is the one node no one retired.
  void after() { delete source.load(sync::relaxed); }

  // Acquire-release: release publishes the new node; acquire orders the retire (and the free)
  // after the construction of the node taken out, which another writer may have installed.
  rcu_node* unlink(int key) { return source.exchange(new rcu_node(key), sync::acq_rel); }
  void replace(int key) { unlink(key)->retire({}, domain); }
};

// One writer replaces the node and retires the old one (which tries to advance the epoch and
// collects) while a reader reads it in a section. The advance can happen while the reader is
// inside having announced the current epoch, so the collect right after it meets a limbo list
// whose epoch is one behind the global one: only the "two epochs" rule keeps the node alive.
struct rcu_reader_vs_retire : rcu_fixture<rcu_reader_vs_retire, 2> {
  void thread(unsigned t) {
    if (t == 0) {
      replace(2);
    } else {
      std::scoped_lock section(domain);
      use(source.load(sync::acquire), 1);
    }
  }
};

// Nested sections: only the outermost announces, so the inner unlock must leave the reader
// protected. The writer replaces the node twice; its two retires can advance the epoch twice,
// and the second collect then frees node 1 — unless the reader, which may have loaded node 1,
// is still inside its outer section. The reader uses the node inside the inner section and
// again after leaving it. Executions in which a node was freed during the run are counted, to
// show that reclamation happens, not only the domain's destruction.
struct rcu_nested_sections : rcu_fixture<rcu_nested_sections, 2> {
  static inline unsigned long long freed_during_run = 0;

  void thread(unsigned t) {
    if (t == 0) {
      replace(2);
      replace(3);
      if (domain.unreclaimed() < 2) ++freed_during_run;
    } else {
      std::scoped_lock outer(domain);
      const rcu_node* n;
      {
        std::scoped_lock inner(domain);
        n = source.load(sync::acquire);
        use(n, 2);
      }
      use(n, 2);
    }
  }
};

// rcu_synchronize: the writer unlinks the node, waits for a grace period, then deletes the node
// itself. A reader section that was open when synchronize was called must have closed when it
// returns: the reader marks `left` (plain data) as the last thing inside its section, and a
// writer that saw the reader inside before calling synchronize reads the mark afterwards. An
// early return shows as the mark unset, a data race on it, or the reader using a freed node.
struct rcu_synchronize_waits : rcu_fixture<rcu_synchronize_waits, 2> {
  sync::atomic<bool> entered{false};
  sync::plain<bool> left{false};

  void thread(unsigned t) {
    if (t == 0) {
      rcu_node* old = unlink(2);
      // Acquire: the reader's announcement, sequenced before `entered`, is visible to the
      // advances synchronize makes, so the section counts as open at the call.
      const bool reader_inside = entered.load(sync::acquire);
      hazard::rcu_synchronize(domain);
      if (reader_inside) RL_ASSERT(left.read());
      delete old;
    } else {
      std::scoped_lock section(domain);
      entered.store(true, sync::release);
      use(source.load(sync::acquire), 1);
      left.write() = true;
    }
  }
};

// rcu_barrier: every object retired before the call, by any thread, is freed when it returns.
// Thread 0 replaces the node, retires the old one with rcu_retire and calls rcu_barrier. Thread
// 1 reads the node in a section, then replaces it and retires its old one, and says so. Each
// deleter marks its own plain flag. The retire threshold is large, so nothing but the barrier
// frees during the run: after it, thread 0's own object must be freed, and thread 1's if
// thread 0 saw it retired before calling the barrier. The barrier must also wait for the
// reader's section, or the reader uses a freed node.
struct rcu_barrier_frees_retired : rl::test_suite<rcu_barrier_frees_retired, 2> {
  // Declared before the domain: the domain's destructor runs the remaining deleters, which
  // write these flags.
  sync::plain<bool> freed_first{false};
  sync::plain<bool> freed_second{false};
  sync::atomic<bool> second_retired{false};
  hazard::rcu_domain domain{64};
  sync::atomic<rcu_node*> source{nullptr};

  void before() { source.store(new rcu_node(1), sync::relaxed); }
  void after() { delete source.load(sync::relaxed); }

  void retire(rcu_node* n, sync::plain<bool>& freed) {
    hazard::rcu_retire(
        n,
        [&freed](rcu_node* p) {
          freed.write() = true;
          delete p;
        },
        domain);
  }

  void thread(unsigned t) {
    if (t == 0) {
      retire(source.exchange(new rcu_node(2), sync::acq_rel), freed_first);
      const bool second_before = second_retired.load(sync::acquire);
      hazard::rcu_barrier(domain);
      RL_ASSERT(freed_first.read());
      if (second_before) RL_ASSERT(freed_second.read());
    } else {
      {
        std::scoped_lock section(domain);
        use(source.load(sync::acquire), 2);
      }
      retire(source.exchange(new rcu_node(3), sync::acq_rel), freed_second);
      second_retired.store(true, sync::release);
    }
  }
};

// Writers threads [0, Writers) each replace the node once; readers read it in a section.
template <unsigned Writers, unsigned Readers>
struct rcu_writers_and_readers
    : rcu_fixture<rcu_writers_and_readers<Writers, Readers>, Writers + Readers> {
  void thread(unsigned t) {
    if (t < Writers) {
      this->replace(static_cast<int>(t) + 2);
    } else {
      std::scoped_lock section(this->domain);
      use(this->source.load(sync::acquire), Writers);
    }
  }
};

}  // namespace lockstep::verify

namespace lockstep::verify {

// epoch(): the writer unlinks the node and waits for a grace period while the reader reads it
// in a section. synchronize's target is two past the epoch it reads, which is no older than
// the one the writer read just before the call (coherence), so afterwards epoch() answers at
// least that plus two; the reader's two answers, around its section, never go back.
struct rcu_epoch_advances : rcu_fixture<rcu_epoch_advances, 2> {
  void thread(unsigned t) {
    if (t == 0) {
      rcu_node* old = unlink(2);
      const std::uint64_t before = domain.epoch();
      hazard::rcu_synchronize(domain);
      RL_ASSERT(domain.epoch() >= before + 2);
      delete old;
    } else {
      const std::uint64_t before = domain.epoch();
      {
        std::scoped_lock section(domain);
        use(source.load(sync::acquire), 1);
      }
      RL_ASSERT(domain.epoch() >= before);
    }
  }
};

}  // namespace lockstep::verify
