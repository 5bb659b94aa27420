// Mutex misuse: main locks `m`, then overwrites the locked mutex with a fresh
// one (as copying or re-constructing a locked mutex would). Thread "second"
// then locks it while, as far as anyone can tell, main still holds it.
#include <pthread.h>

#include <mutex>
#include <new>
#include <thread>

namespace {
std::mutex m;
}  // namespace

int main() {
  m.lock();
  new (&m) std::mutex;  // re-constructs the mutex main still holds
  std::thread t([] {
    pthread_setname_np(pthread_self(), "second");
    m.lock();  // locks a mutex another thread holds
    m.unlock();
  });
  t.join();
}
