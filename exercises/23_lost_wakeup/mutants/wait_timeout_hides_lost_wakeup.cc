// Waits at most 100 ms instead of checking the slot: the early letter is found after the timeout, and a timeout that comes first takes an empty slot.
// expect: explore: test failure
//
// Exercise 23: the lost wakeup
//
// A Mailbox holds one letter: post() puts it in and notifies, take() waits to
// be notified and takes the letter out. But take() waits for a notification,
// not for the letter. If the letter was posted before the reader started
// waiting, the notification reached nobody and the reader waits forever.
//
// Make take() wait only while the mailbox is empty. Keep the reader thread.

#include <chrono>
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
    // A notification sent before we wait is lost, so do not wait for it forever.
    (void)arrived_.wait_timeout(slot, std::chrono::milliseconds(100));
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
