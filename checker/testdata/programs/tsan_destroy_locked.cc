// Mutex misuse: destroying a mutex while it is still locked.
#include <pthread.h>

int main() {
  pthread_mutex_t m;
  pthread_mutex_init(&m, nullptr);
  pthread_mutex_lock(&m);
  pthread_mutex_destroy(&m);  // still locked
}
