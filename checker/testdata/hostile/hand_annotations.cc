// Hostile submission for exercise 01: declares ThreadSanitizer's ignore
// annotations by hand, under pasted names, and wraps the racy accesses in
// them. Stopped by the preprocessed source (the annotation names) and the
// object (the calls into the runtime's interface).
#include <cstddef>
#include <vector>

#include "primitives/thread.h"

#define JOIN(a, b) a##b
#define ANNOTATION(name) JOIN(Annot, ate##name)
extern "C" void ANNOTATION(IgnoreWritesBegin)(const char* file, int line);
extern "C" void ANNOTATION(IgnoreWritesEnd)(const char* file, int line);
extern "C" void ANNOTATION(IgnoreReadsBegin)(const char* file, int line);
extern "C" void ANNOTATION(IgnoreReadsEnd)(const char* file, int line);

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    ANNOTATION(IgnoreWritesBegin)(__FILE__, __LINE__);
    first_half = sum;
    ANNOTATION(IgnoreWritesEnd)(__FILE__, __LINE__);
  });
  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];
  ANNOTATION(IgnoreReadsBegin)(__FILE__, __LINE__);
  long total = first_half + second_half;
  ANNOTATION(IgnoreReadsEnd)(__FILE__, __LINE__);
  worker.join();
  return total;
}

}  // namespace exercise
