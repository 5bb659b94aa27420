// A signal-unsafe call: the signal handler allocates memory, which may
// deadlock or corrupt the heap if the signal arrives inside malloc.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {
void* volatile sink;

void on_signal(int) {
  sink = std::malloc(16);  // malloc is not async-signal-safe
  std::free(sink);
}
}  // namespace

int main() {
  signal(SIGPROF, on_signal);
  pthread_kill(pthread_self(), SIGPROF);
  usleep(10 * 1000);
  std::printf("signal handled\n");
}
