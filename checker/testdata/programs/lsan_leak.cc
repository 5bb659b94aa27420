// A memory leak: a worker's result is allocated and the only pointer to it is
// dropped.
#include <cstdio>

namespace {
int* volatile result;

__attribute__((noinline)) void compute() {
  result = new int[10];  // never deleted
  result[0] = 1;
}
}  // namespace

int main() {
  compute();
  result = nullptr;
  std::printf("result dropped\n");
}
