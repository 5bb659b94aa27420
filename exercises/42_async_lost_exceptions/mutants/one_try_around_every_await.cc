// Keeps the JoinHandles and awaits each, but inside one try around the whole loop: the first failure ends the loop, and the files after it get no line.
// expect: runs: test failure
//
// Exercise 42: lost exceptions
//
// upload_all() uploads every file on its own task and reports, file by file,
// whether it was uploaded. Each task announces a finished upload on a
// channel. But the JoinHandles are detached, and with them goes the only
// way back from a task: when an upload throws, its exception is dropped, the
// task announces nothing, and the report says nothing about that file.
//
// Keep the JoinHandles and await them: co_await gives the task's value or
// throws again what it threw. Keep one task per file.

#include <exception>
#include <string>
#include <vector>

#include "primitives/async/async.h"

namespace exercise {

using racelings::async::JoinHandle;
using racelings::async::Sender;
using racelings::async::Task;

// Uploads one file; throws if the upload fails (the test provides it).
Task<void> upload(std::string file);

Task<void> upload_and_announce(std::string file, Sender<std::string> uploaded) {
  co_await upload(file);
  (co_await uploaded.send(file)).unwrap();
}

// One line per file, in the order given: "<file>: uploaded" or
// "<file>: failed: <what went wrong>".
Task<std::vector<std::string>> upload_all(std::vector<std::string> files) {
  std::vector<JoinHandle<void>> uploads;
  for (const std::string& file : files) uploads.push_back(racelings::async::spawn(upload(file)));

  std::vector<std::string> lines;
  size_t i = 0;
  try {
    for (; i < files.size(); ++i) {
      co_await uploads[i];  // Throws what the task threw.
      lines.push_back(files[i] + ": uploaded");
    }
  } catch (const std::exception& e) {
    lines.push_back(files[i] + ": failed: " + e.what());
  }
  co_return lines;
}

}  // namespace exercise
