// A double free: thread "cleaner" frees a buffer, and main frees it again.
#include <pthread.h>

#include <cstdlib>
#include <thread>

namespace {
char* buffer = static_cast<char*>(std::malloc(32));

void clean_up() {
  pthread_setname_np(pthread_self(), "cleaner");
  std::free(buffer);  // first free
}
}  // namespace

int main() {
  std::thread t(clean_up);
  t.join();
  std::free(buffer);  // second free
}
