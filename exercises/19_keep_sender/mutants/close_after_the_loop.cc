// Closes the caller's Sender, but after the receive loop: the loop still waits for a close that comes after it.
// expect: runs: deadlock
//
// Exercise 19: drop the last Sender
//
// gather() starts one producer thread per sensor. Each sends its readings
// through its own copy of the Sender, and the caller collects them until the
// channel closes. But the caller still holds the original Sender, so the
// channel never closes: after the last reading the loop waits forever.
//
// Let the channel close when the producers are done. Keep one thread per sensor.

#include <string>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

std::vector<int> gather(int sensors, int readings) {
  auto [tx, rx] = racelings::channel<int>();
  std::vector<racelings::JoinHandle<void>> producers;
  for (int s = 0; s < sensors; ++s) {
    // Each producer gets its own copy of the Sender (Rust: `tx.clone()`).
    producers.push_back(racelings::Builder().name("sensor-" + std::to_string(s)).spawn([tx, s, readings]() mutable {
      for (int r = 0; r < readings; ++r) tx.send(s * 1000 + r).unwrap();
    }));
  }

  std::vector<int> received;
  for (int value : rx) received.push_back(value);
  tx.close();  // Done with it: the channel can close now.

  for (auto& producer : producers) producer.join();
  return received;
}

}  // namespace exercise
