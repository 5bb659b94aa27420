// Undefined behaviour: a shared counter overflows a signed int.
#include <climits>
#include <cstdio>

namespace {
__attribute__((noinline)) int add_tickets(int sold, int more) {
  return sold + more;  // signed overflow
}
}  // namespace

int main(int argc, char**) {
  int total = add_tickets(INT_MAX, argc);
  std::printf("total %d\n", total);
}
