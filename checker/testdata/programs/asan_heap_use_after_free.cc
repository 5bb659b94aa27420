// A heap-use-after-free: thread "freer" deletes the object main reads later.
#include <pthread.h>

#include <cstdio>
#include <thread>

namespace {
struct Account {
  int balance = 100;
};

Account* account = new Account;

void close_account() {
  pthread_setname_np(pthread_self(), "freer");
  delete account;  // freed here
}
}  // namespace

int main() {
  std::thread t(close_account);
  t.join();
  std::printf("balance %d\n", account->balance);  // used after free
}
