// Exercise 02: move data into the thread (solution)
//
// The lambda now captures `prefix` by value: the thread owns its copy, which
// lives as long as the thread, whatever happens to start_logger()'s frame.

#include <string>
#include <utility>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

racelings::JoinHandle<std::vector<std::string>> start_logger(const std::string& name,
                                                             racelings::Receiver<std::string> messages) {
  std::string prefix = "[" + name + "] ";
  // Moved into the lambda (Rust's `move ||`): the thread owns everything it uses.
  return racelings::Builder().name("logger").spawn(
      [prefix = std::move(prefix), messages = std::move(messages)]() mutable {
        std::vector<std::string> lines;
        for (std::string message : messages) lines.push_back(prefix + message);
        return lines;
      });
}

}  // namespace exercise
