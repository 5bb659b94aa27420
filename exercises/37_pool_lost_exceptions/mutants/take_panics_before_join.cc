// Asks take_panics(), but before join(): the tasks that have not failed yet by then fail unreported.
// expect: explore: test failure
//
// Exercise 37: lost exceptions in a pool
//
// convert_all() converts files on a pool of four threads and reports the
// files that could not be converted. A failed conversion throws, on a pool
// thread. The pool catches the exception, prints it and keeps it, and goes
// on with the next task; join() then waits for the tasks but rethrows
// nothing, so convert_all() reports that every file went fine.
//
// Report every failed conversion. Keep the conversions on the pool.

#include <algorithm>
#include <exception>
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
  std::vector<std::string> failures;
  for (const racelings::ThreadPanic& panic : pool.take_panics()) failures.push_back(panic.what());
  pool.join();
  std::sort(failures.begin(), failures.end());
  return failures;
}

}  // namespace exercise
