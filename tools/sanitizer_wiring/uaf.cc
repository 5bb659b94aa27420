// A deliberate heap-use-after-free, built with the per-target AddressSanitizer
// transition; sanitizer_wiring_test.sh asserts on its report.
#include <cstdio>

int main() {
  int* p = new int(7);
  delete p;
  std::printf("%d\n", *p);
}
