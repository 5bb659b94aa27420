// A stack-use-after-return: a function stores the address of its local
// variable, and the caller uses it after the function has returned.
#include <cstdio>

namespace {
int* volatile dangling;

__attribute__((noinline)) void remember_local() {
  int local = 7;
  dangling = &local;
}
}  // namespace

int main() {
  remember_local();
  std::printf("value %d\n", *dangling);  // the frame of remember_local is gone
}
