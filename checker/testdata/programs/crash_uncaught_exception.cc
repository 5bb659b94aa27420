// A crash without a sanitizer: an exception escapes a thread's function, so
// std::terminate aborts the program.
#include <pthread.h>

#include <stdexcept>
#include <thread>

int main() {
  std::thread t([] {
    pthread_setname_np(pthread_self(), "thrower");
    throw std::runtime_error("worker failed");  // nobody catches this
  });
  t.join();
}
