// Exercise 37: lost exceptions in a pool (solution)
//
// The pool keeps every exception its tasks threw; take_panics() hands them
// over once join() has waited for the tasks. Each message names its file,
// so reporting them is enough. (Catching inside each task and sending the
// file with its error over a channel works too.)

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "primitives/parallel/thread_pool.h"

namespace exercise {

// Converts every file. Returns the message of each failed conversion
// ("scan.tiff: file is truncated"), sorted; empty when all went well.
std::vector<std::string> convert_all(const std::vector<std::string>& files,
                                     const std::function<void(const std::string&)>& convert) {
  racelings::ThreadPool pool(4, "converter");
  for (const std::string& file : files) {
    pool.execute([&convert, file] { convert(file); });
  }
  pool.join();
  // join() rethrows nothing; the exceptions wait in the pool until asked for.
  std::vector<std::string> failures;
  for (const racelings::ThreadPanic& panic : pool.take_panics()) failures.push_back(panic.what());
  std::sort(failures.begin(), failures.end());
  return failures;
}

}  // namespace exercise
