// A deliberate data race: two threads increment one plain int. Built with the
// per-target ThreadSanitizer transition, it must produce a data-race report;
// sanitizer_wiring_test.sh asserts that it does.
#include <cstdio>
#include <thread>

namespace {
int counter = 0;

void bump() {
  for (int i = 0; i < 1000; ++i) ++counter;
}
}  // namespace

int main() {
  std::thread a(bump);
  std::thread b(bump);
  a.join();
  b.join();
  std::printf("counter=%d\n", counter);
}
