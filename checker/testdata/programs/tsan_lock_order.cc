// A lock-order inversion: main locks `a` then `b`; thread "inverter" later
// locks `b` then `a`. Nothing hangs in this run, but two threads doing both at
// once could deadlock, and ThreadSanitizer reports the cycle.
#include <pthread.h>

#include <mutex>
#include <thread>

namespace {
std::mutex a;
std::mutex b;

void lock_a_then_b() {
  std::lock_guard<std::mutex> hold_a(a);
  std::lock_guard<std::mutex> hold_b(b);  // a => b
}

void lock_b_then_a() {
  pthread_setname_np(pthread_self(), "inverter");
  std::lock_guard<std::mutex> hold_b(b);
  std::lock_guard<std::mutex> hold_a(a);  // b => a closes the cycle
}
}  // namespace

int main() {
  lock_a_then_b();
  std::thread t(lock_b_then_a);
  t.join();
}
