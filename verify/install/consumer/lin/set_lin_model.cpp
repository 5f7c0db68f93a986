// The user's set, lin-checked inside the model checker: every execution of every scenario is
// checked against the std::set model. Exit code 0: PASS.
#include <lockstep/verify/lin/model.hpp>

#include "set_operations.hpp"
#include "small_set.hpp"

int main(int argc, char** argv) {
  return lin::model_check(set_operations<user::small_set>(), argc, argv);
}
