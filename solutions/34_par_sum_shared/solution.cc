// Exercise 34: a parallel loop adds to one sum (solution)
//
// map + sum: each piece of the range adds its sizes into a total of its own,
// and the pieces' totals are added together as the halves of each join come
// back. No two threads ever write the same variable.

#include <functional>
#include <string>
#include <vector>

#include "primitives/parallel/parallel.h"

namespace exercise {

// The sum of size_of(file) over all the files.
long disk_usage(const std::vector<std::string>& files, const std::function<long(const std::string&)>& size_of) {
  // Each thread sums its own pieces; the iterator combines the partial sums.
  return racelings::par_iter(files).map([&size_of](const std::string& file) { return size_of(file); }).sum();
}

}  // namespace exercise
