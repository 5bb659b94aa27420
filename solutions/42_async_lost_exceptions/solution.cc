// Exercise 42: lost exceptions (solution)
//
// Each task's JoinHandle is kept and awaited: `co_await handle` gives the
// task's value, or throws again what the task threw, so every failure reaches
// the caller, which turns it into a line of the report. The handle carries
// the outcome back, so the channel is no longer needed.

#include <exception>
#include <string>
#include <vector>

#include "primitives/async/async.h"

namespace exercise {

using racelings::async::JoinHandle;
using racelings::async::Task;

// Uploads one file; throws if the upload fails (the test provides it).
Task<void> upload(std::string file);

// One line per file, in the order given: "<file>: uploaded" or
// "<file>: failed: <what went wrong>".
Task<std::vector<std::string>> upload_all(std::vector<std::string> files) {
  std::vector<JoinHandle<void>> uploads;
  for (const std::string& file : files) uploads.push_back(racelings::async::spawn(upload(file)));

  std::vector<std::string> lines;
  for (size_t i = 0; i < files.size(); ++i) {
    // Awaiting the handle throws what the task threw: nothing is lost.
    try {
      co_await uploads[i];
      lines.push_back(files[i] + ": uploaded");
    } catch (const std::exception& e) {
      lines.push_back(files[i] + ": failed: " + e.what());
    }
  }
  co_return lines;
}

}  // namespace exercise
