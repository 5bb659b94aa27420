// Wakes every waiter with notify_all(): a notification sent before anyone waits is lost all the same.
// expect: runs: deadlock
//
// Exercise 23: the lost wakeup
//
// A Mailbox holds one letter: post() puts it in and notifies, take() waits to
// be notified and takes the letter out. But take() waits for a notification,
// not for the letter. If the letter was posted before the reader started
// waiting, the notification reached nobody and the reader waits forever.
//
// Make take() wait only while the mailbox is empty. Keep the reader thread.

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
    arrived_.notify_all();  // Wake every reader, so that none can miss the letter.
  }

  std::string take() {
    auto slot = slot_.lock();
    arrived_.wait(slot);
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
