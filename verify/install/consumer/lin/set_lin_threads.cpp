// The user's set, lin-checked under real threads: random scenarios, every history checked
// against the std::set model. Exit code 0: every history was linearizable.
#include <lockstep/verify/lin/threads.hpp>

#include "set_operations.hpp"
#include "small_set.hpp"

int main(int argc, char** argv) {
  return lin::check_threads(set_operations<user::small_set>(), argc, argv);
}
