// Exercise 19: drop the last Sender (solution)
//
// The channel closes when every Sender is gone. The producers' copies go when
// the producers finish; the caller's own copy must be closed by hand (Rust:
// `drop(tx)`) before it waits for the end of the channel.

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

  // The producers hold their own copies; ours would keep the channel open forever.
  tx.close();
  std::vector<int> received;
  for (int value : rx) received.push_back(value);

  for (auto& producer : producers) producer.join();
  return received;
}

}  // namespace exercise
