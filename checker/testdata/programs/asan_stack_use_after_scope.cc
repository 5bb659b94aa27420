// A stack-use-after-scope: a pointer to a block-scoped variable is used after
// the block ends.
#include <cstdio>

namespace {
int* volatile dangling;
}  // namespace

int main() {
  {
    int local = 7;
    dangling = &local;
  }
  std::printf("value %d\n", *dangling);  // `local` is out of scope
}
