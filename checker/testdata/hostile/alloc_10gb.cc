// Hostile submission for exercise 01: allocates 10 GB on the worker, 64 MB
// at a time, every page really in memory (MAP_POPULATE has the kernel fault
// them in: touching them one by one under ThreadSanitizer is too slow to
// outgrow anything before the watchdog fires). The checker's memory cap
// must stop it. The process names itself "hostile-alloc" so that a test can
// find it with ps.
#include <pthread.h>
#include <sys/mman.h>

#include <cstddef>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  pthread_setname_np(pthread_self(), "hostile-alloc");
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    constexpr size_t kChunk = size_t{64} << 20;
    long touched = 0;
    for (size_t used = 0; used < (size_t{10} << 30); used += kChunk) {
      void* chunk = mmap(nullptr, kChunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
      if (chunk == MAP_FAILED) break;
      static_cast<volatile char*>(chunk)[kChunk - 1] = 1;
      touched += static_cast<volatile char*>(chunk)[kChunk - 1];
    }
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    first_half = sum + touched - touched;
  });
  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];
  worker.join();
  return first_half + second_half;
}

}  // namespace exercise
