// Maps each file to its size in parallel, then still adds the sizes to one shared total in for_each().
// expect: runs: data race
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
  long total = 0;
  racelings::par_iter(files).map([&size_of](const std::string& file) { return size_of(file); }).for_each([&](long size) {
    total += size;
  });
  return total;
}

}  // namespace exercise
