// Captures a std::string_view of `prefix` by value: the view is copied, the characters it points at still die with the frame.
// expect: runs: stack-use-after-return
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
#include <string_view>
#include <utility>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

racelings::JoinHandle<std::vector<std::string>> start_logger(const std::string& name,
                                                             racelings::Receiver<std::string> messages) {
  std::string prefix = "[" + name + "] ";
  // Captured by value: a cheap view, no copy of the characters needed.
  std::string_view view = prefix;
  return racelings::Builder().name("logger").spawn([view, messages = std::move(messages)]() mutable {
    std::vector<std::string> lines;
    for (std::string message : messages) lines.push_back(std::string(view) + message);
    return lines;
  });
}

}  // namespace exercise
