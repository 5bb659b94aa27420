// A data race between two named threads: "writer" stores to a plain int and
// "reader" later loads it. The sleep orders them in time but is not
// synchronisation, so ThreadSanitizer reports the read racing with the write.
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace {
int shared_value = 0;

void writer() {
  pthread_setname_np(pthread_self(), "writer");
  shared_value = 42;  // the racing write
}

void reader() {
  pthread_setname_np(pthread_self(), "reader");
  usleep(100 * 1000);
  std::printf("read %d\n", shared_value);  // the racing read
}
}  // namespace

int main() {
  std::printf("starting two threads\n");
  std::thread w(writer);
  std::thread r(reader);
  w.join();
  r.join();
  std::printf("done\n");
}
