// A compile error: an undeclared identifier and a type mismatch.
#include <mutex>

namespace {
std::mutex mu;
int counter = 0;
}  // namespace

int main() {
  std::lock_guard<std::mutex> hold(mu);
  countr += 1;  // misspelt
  std::mutex copy = mu;  // mutexes cannot be copied
  return counter;
}
