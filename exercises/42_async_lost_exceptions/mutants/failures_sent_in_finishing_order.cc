// Catches the exception inside each task and sends the failure over the channel as well: every outcome arrives, but in the order the uploads finish, not the order given.
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

using racelings::async::Sender;
using racelings::async::Task;

// Uploads one file; throws if the upload fails (the test provides it).
Task<void> upload(std::string file);

Task<void> upload_and_announce(std::string file, Sender<std::string> uploaded) {
  std::string line = file + ": uploaded";
  try {
    co_await upload(file);
  } catch (const std::exception& e) {
    line = file + ": failed: " + e.what();  // Announced too, so nothing is lost.
  }
  (co_await uploaded.send(line)).unwrap();
}

// One line per file, in the order given: "<file>: uploaded" or
// "<file>: failed: <what went wrong>".
Task<std::vector<std::string>> upload_all(std::vector<std::string> files) {
  auto [uploaded_tx, uploaded_rx] = racelings::async::unbounded_channel<std::string>();
  for (const std::string& file : files) {
    racelings::async::spawn(upload_and_announce(file, uploaded_tx)).detach();
  }
  uploaded_tx.close();

  std::vector<std::string> lines;
  while (auto line = co_await uploaded_rx.recv()) lines.push_back(*line);
  co_return lines;
}

}  // namespace exercise
