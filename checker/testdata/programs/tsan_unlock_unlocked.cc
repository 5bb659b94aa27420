// Mutex misuse: unlocking a mutex that nobody locked.
#include <pthread.h>

int main() {
  pthread_mutex_t m;
  pthread_mutex_init(&m, nullptr);
  pthread_mutex_unlock(&m);  // not locked
  pthread_mutex_destroy(&m);
}
