// lock_word.h in a process that starts with a single thread (no GoogleTest
// main, whose watchdog thread would end that state): the word is taken
// without atomic instructions, then a thread is started while it is held;
// that thread must wait (on the futex) until main lets go, and then get it.
// Exits 0 when all holds; prints what failed otherwise.

#include <sys/single_threaded.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "primitives/lock_word.h"

// Whether the thread `tid` of this process is asleep (state S in
// /proc/self/task/<tid>/stat): with nothing else to wait for, the thread
// below can only sleep on the lock.
static bool is_sleeping(pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/self/task/%d/stat", static_cast<int>(tid));
  std::FILE* f = std::fopen(path, "r");
  if (f == nullptr) return false;
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  const char* after_name = std::strrchr(buf, ')');  // The name may hold spaces.
  return n > 0 && after_name != nullptr && after_name[1] == ' ' && after_name[2] == 'S';
}

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
  std::atomic<pid_t> other_tid{0};
  std::thread other([&] {
    other_tid.store(::gettid());
    word.lock();
    got.store(true);
    word.unlock();
  });
  // Wait until the other thread sleeps on the word (or, wrongly, got it), so
  // that the unlock below must wake a sleeper.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!got.load() && !(other_tid.load() != 0 && is_sleeping(other_tid.load()))) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::printf("FAIL: the other thread never went to sleep on the held lock\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
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
