// Mutation: try_pop reads the head segment without the reclaimer's protection.
//
// MUTATE lockfree/faa_queue.hpp
// - auto guard = domain_.protect(head_);
// + hazard::loaded_link<segment*> guard(head_.load(sync::acquire));
//
// A popper loads head_ and is preempted; another popper runs past the end of that segment,
// moves head_ on and retires the segment, and its scan finds no hazard pointer on it and frees
// it. The first popper then reads the segment's indices from freed memory.
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/lockfree/faa_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

// basic_hazard_pointers<1> that scans at every retire, so a segment is freed as soon as no
// hazard pointer holds it (the domain's own threshold is not reached by a few pops).
struct scanning {
  template <class Node>
  class domain : public hazard::hazard_pointers::domain<Node> {
   public:
    void retire(Node* n) {
      hazard::hazard_pointers::domain<Node>::retire(n);
      this->reclamation_domain().reclaim();
    }
  };
};

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::push_then_pop<lockfree::faa_queue<int, scanning, 2>, 2, 2>>(
      "faa_queue whose try_pop does not protect the head segment: use after free",
      verify::search::bounded(1), rl::test_result_access_to_freed_memory);
  return checks.result();
}
