// The buggy twin (an insert that reads, then writes): the model checker must find a history the
// std::set model cannot explain. Run with --expect "USER ASSERT FAILED"; exit code 0 only then.
#include <lockstep/verify/lin/model.hpp>

#include "set_operations.hpp"
#include "small_set.hpp"

int main(int argc, char** argv) {
  return lin::model_check(set_operations<user::small_set_racy_insert>(), argc, argv);
}
