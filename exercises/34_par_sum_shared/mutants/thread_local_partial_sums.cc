// Sums into a thread_local partial total so that no two threads share one, then returns the caller's own partial: the other threads' sums are lost.
// expect: runs: test failure
//
// Exercise 34: a parallel loop adds to one sum
//
// disk_usage() adds up the sizes of many files. Asking for one file's size
// is slow, so it asks for all of them in parallel, with
// racelings::par_iter(...).for_each(...). But every call adds its size to
// the same `total`, from several threads at once: a data race.
//
// Let the parallel iterator add the sizes up. Keep size_of() running on
// several threads.

#include <functional>
#include <string>
#include <vector>

#include "primitives/parallel/parallel.h"

namespace exercise {

// The sum of size_of(file) over all the files.
long disk_usage(const std::vector<std::string>& files, const std::function<long(const std::string&)>& size_of) {
  // Each thread has its own partial sum: nothing is shared while they add.
  thread_local long partial = 0;
  partial = 0;
  racelings::par_iter(files).for_each([&](const std::string& file) { partial += size_of(file); });
  return partial;
}

}  // namespace exercise
