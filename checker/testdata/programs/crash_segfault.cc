// A crash without a sanitizer: writing through a null pointer.
#include <cstdio>

namespace {
int* volatile nowhere = nullptr;
}  // namespace

int main() {
  std::printf("about to write through a null pointer\n");
  std::fflush(stdout);
  *nowhere = 1;  // SIGSEGV
}
