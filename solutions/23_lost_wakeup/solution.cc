// Exercise 23: the lost wakeup (solution)
//
// take() waits for the *letter*, which lives under the mutex, not for the
// notification. A letter posted earlier is seen at once, without waiting;
// a letter posted later wakes the reader, and a spurious wakeup sends it
// back to sleep.

#include <optional>
#include <string>
#include <utility>

#include "primitives/condvar.h"
#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

class Mailbox {
 public:
  void post(std::string letter) {
    *slot_.lock() = std::move(letter);
    arrived_.notify_one();
  }

  std::string take() {
    auto slot = slot_.lock();
    // Checked under the lock before every wait: a notification sent earlier is not needed.
    arrived_.wait_while(slot, [](const std::optional<std::string>& s) { return !s.has_value(); });
    std::string letter = std::move(slot->value());
    slot->reset();
    return letter;
  }

 private:
  racelings::Mutex<std::optional<std::string>> slot_;  // Empty: no letter yet.
  racelings::Condvar arrived_;
};

// Posts the letter, then starts a reader thread that takes it.
std::string post_then_read(const std::string& letter) {
  Mailbox box;
  box.post(letter);
  auto reader = racelings::Builder().name("reader").spawn([&box] { return box.take(); });
  return reader.join();
}

// Starts a reader thread, then posts the letter.
std::string read_then_post(const std::string& letter) {
  Mailbox box;
  auto reader = racelings::Builder().name("reader").spawn([&box] { return box.take(); });
  box.post(letter);
  return reader.join();
}

}  // namespace exercise
