// Ends the loop when no reading arrives for 100 ms instead of closing the Sender: a timeout that hides the deadlock until a sensor is slow.
// expect: explore: test failure
//
// Exercise 19: drop the last Sender
//
// gather() starts one producer thread per sensor. Each sends its readings
// through its own copy of the Sender, and the caller collects them until the
// channel closes. But the caller still holds the original Sender, so the
// channel never closes: after the last reading the loop waits forever.
//
// Let the channel close when the producers are done. Keep one thread per sensor.

#include <chrono>
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

  // The channel never closes while we hold `tx`, so stop when it has gone quiet.
  std::vector<int> received;
  while (auto value = rx.recv_timeout(std::chrono::milliseconds(100))) received.push_back(*value);

  for (auto& producer : producers) producer.join();
  return received;
}

}  // namespace exercise
