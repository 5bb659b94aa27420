// A thread leak: a thread is created and neither joined nor detached.
#include <pthread.h>
#include <unistd.h>

#include <cstdio>

namespace {
void* forgotten(void*) {
  pthread_setname_np(pthread_self(), "forgotten");
  return nullptr;
}
}  // namespace

int main() {
  pthread_t t;
  pthread_create(&t, nullptr, forgotten, nullptr);  // never joined
  usleep(100 * 1000);
  std::printf("main returns without joining\n");
}
