// lock_word.h in a process that starts with a single thread (no GoogleTest
// main, whose watchdog thread would end that state): the word is taken
// without atomic instructions, then a thread is started while it is held;
// that thread must wait (on the futex) until main lets go, and then get it.
// Exits 0 when all holds; prints what failed otherwise.

#include <sys/single_threaded.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "primitives/lock_word.h"

int main() {
#ifndef RACELINGS_NATIVE_LOCKS
  if (!__libc_single_threaded) {
    std::printf("FAIL: the process was expected to start with one thread\n");
    return 1;
  }
#endif
  racelings::internal::LockWord word;
  word.lock();  // Single-threaded: plain loads and stores.
  std::atomic<bool> got{false};
  std::thread other([&] {
    word.lock();
    got.store(true);
    word.unlock();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (got.load()) {
    std::printf("FAIL: the other thread took a lock main still held\n");
    return 1;
  }
  word.unlock();  // Now with threads: must wake the sleeper.
  other.join();
  if (!got.load()) {
    std::printf("FAIL: the other thread never got the lock\n");
    return 1;
  }
  std::printf("ok\n");
  return 0;
}
