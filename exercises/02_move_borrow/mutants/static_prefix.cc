// Makes `prefix` static so that it outlives start_logger(): every logger then shares the first logger's name.
// expect: runs: test failure
//
// Exercise 02: move data into the thread
//
// start_logger() starts a thread that writes every message it receives as a
// line with the logger's name in front, and returns at once. The thread
// borrows `prefix`, a local variable of start_logger(): by the time the
// first message arrives, start_logger() has returned and `prefix` is gone.
//
// Give the thread its own copy of what it uses. Keep the lines built on the
// logger thread.

#include <string>
#include <utility>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

racelings::JoinHandle<std::vector<std::string>> start_logger(const std::string& name,
                                                             racelings::Receiver<std::string> messages) {
  // static: lives until the program ends, so the thread can keep using it.
  static const std::string prefix = "[" + name + "] ";
  return racelings::Builder().name("logger").spawn([messages = std::move(messages)]() mutable {
    std::vector<std::string> lines;
    for (std::string message : messages) lines.push_back(prefix + message);
    return lines;
  });
}

}  // namespace exercise
