// Model-check scenarios for hazard::hazard_pointer_domain (hazard_pointers.hpp), with a domain
// of their own (the default domain does not exist under Relacy). A shared source points to a
// node; writers swap in a new node, retire the old one and scan; readers protect the source and
// read the node's fields. Relacy reports a read of a freed node as an access to freed memory, a
// read not ordered after the node's construction as a data race, and a node the domain never
// frees as a leak: the domain is a member of the test, so it is destroyed inside each execution,
// before Relacy's leak check.
#pragma once

#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/sync/sync.hpp>

#include <lockstep/verify/model_check.hpp>

namespace lockstep::verify {

// `key` is atomic, so reading it is a scheduling point: a free can slip in between a reader's
// protection and its use of the node, which is the window every hazard-pointer bug opens.
// `value` is plain data written only by the constructor: a reader that is not ordered after
// the node's publication races with that write. Both hold the writer's number.
struct hp_node : hazard::hazard_pointer_obj_base<hp_node> {
  explicit hp_node(int k) : key(k), value(k) {}
  sync::atomic<int> key;
  sync::plain<int> value;
};

// The fixture: one hazard pointer per thread (H = the thread count, which keeps the scan's
// table and the search small) and the smallest scan factor. The source starts at node 1;
// writer w installs node w + 2.
template <class Derived, unsigned Threads>
struct hp_fixture : rl::test_suite<Derived, Threads> {
  hazard::hazard_pointer_domain domain{1, 2};
  sync::atomic<hp_node*> source{nullptr};

  void before() { source.store(new hp_node(1), sync::relaxed); }

  // The installed node is the one node no one retired.
  void after() { delete source.load(sync::relaxed); }

  // Acquire-release: release publishes the new node's fields; acquire orders the retire (and
  // so the free) after the construction of the node taken out, which another writer may have
  // installed.
  void replace(int key) {
    hp_node* old = source.exchange(new hp_node(key), sync::acq_rel);
    old->retire({}, domain);
    domain.reclaim();
  }

  static void use(const hp_node* n, int writers) {
    const int k = n->key.load(sync::relaxed);
    RL_ASSERT(k >= 1 && k <= writers + 1);
    RL_ASSERT(n->value.read() == k);
  }
};

// One writer replaces the node while a reader protects and reads it. The writer's first scan
// runs wherever the scheduler puts it: before the hazard is published, between the publication
// and the re-validation, while the node is in use, after its release. Once the reader is done
// (the writer waits for it) a second scan must free everything: nothing is protected any more.
struct hp_reader_vs_retire : hp_fixture<hp_reader_vs_retire, 2> {
  sync::atomic<bool> reader_done{false};

  void thread(unsigned t) {
    if (t == 0) {
      replace(2);
      while (!reader_done.load(sync::acquire)) sync::yield();
      domain.reclaim();
      RL_ASSERT(domain.unreclaimed() == 0);
    } else {
      {
        hazard::hazard_pointer hp = hazard::make_hazard_pointer(domain);
        use(hp.protect(source), 1);
      }
      reader_done.store(true, sync::release);
    }
  }
};

// Writers threads [0, Writers) each replace the node once and scan; readers protect and read
// it. With two writers a node may be retired by one thread while another thread's scan runs
// over the reader's hazard, and the node a reader holds may be the one a writer installed.
template <unsigned Writers, unsigned Readers>
struct hp_writers_and_readers
    : hp_fixture<hp_writers_and_readers<Writers, Readers>, Writers + Readers> {
  using base = hp_fixture<hp_writers_and_readers<Writers, Readers>, Writers + Readers>;

  void thread(unsigned t) {
    if (t < Writers) {
      this->replace(static_cast<int>(t) + 2);
    } else {
      hazard::hazard_pointer hp = hazard::make_hazard_pointer(this->domain);
      base::use(hp.protect(this->source), Writers);
    }
  }
};

// try_protect and reset_protection. The reader tries once: on success it uses the node; on
// failure the node it had loaded was replaced, and try_protect hands back the value it just
// read, which is not protected and is not dereferenced. Then it drops the protection, protects
// again with the same slot, and uses the node again. Both outcomes of try_protect are counted,
// so the check can show the search reached each.
struct hp_try_protect : hp_fixture<hp_try_protect, 2> {
  static inline unsigned long long protected_first = 0;
  static inline unsigned long long replaced_first = 0;

  void thread(unsigned t) {
    if (t == 0) {
      replace(2);
      return;
    }
    hazard::hazard_pointer hp = hazard::make_hazard_pointer(domain);
    hp_node* p = source.load(sync::relaxed);
    if (hp.try_protect(p, source)) {
      use(p, 1);
      ++protected_first;
    } else {
      RL_ASSERT(p != nullptr);
      ++replaced_first;
    }
    hp.reset_protection();
    use(hp.protect(source), 1);
    hp.reset_protection(nullptr);
  }
};

}  // namespace lockstep::verify

namespace lockstep::verify {

// reset_protection(ptr) on a node not yet retired (its precondition): thread 0 protects its own
// new node before publishing it, installs it and retires the node it replaced; thread 1
// replaces the installed node, thread 0's or the first, retires it and scans. The protection
// was in the slot before thread 0's node was reachable, so thread 0 may read it until it drops
// the protection: a scan that freed it shows as an access to freed memory.
struct hp_reset_protection_unretired : hp_fixture<hp_reset_protection_unretired, 2> {
  void thread(unsigned t) {
    if (t == 1) {
      replace(3);
      return;
    }
    hazard::hazard_pointer hp = hazard::make_hazard_pointer(domain);
    hp_node* mine = new hp_node(2);
    hp.reset_protection(mine);
    hp_node* old = source.exchange(mine, sync::acq_rel);
    old->retire({}, domain);
    domain.reclaim();
    use(mine, 2);
    hp.reset_protection(nullptr);
  }
};

}  // namespace lockstep::verify
