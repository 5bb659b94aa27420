// Exercise 21: count in the messages (solution)
//
// Each number travels with its own step count. A message belongs to one stage
// at a time, so each stage updates the count of the item it holds, and the
// sink adds the counts up at the end: nothing is shared between threads.

#include <utility>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

// A number and the steps taken on it so far.
struct Item {
  int value;
  int steps;
};

// Doubles every input; sets `steps` to the number of stage steps taken.
std::vector<int> run_pipeline(const std::vector<int>& inputs, int& steps) {
  // Unbuffered channels: each stage hands a number straight to the next one.
  // The count travels inside each message.
  auto [to_doubler, doubler_in] = racelings::sync_channel<Item>(0);
  auto [to_sink, sink_in] = racelings::sync_channel<Item>(0);

  auto source = racelings::Builder().name("source").spawn([&, out = std::move(to_doubler)]() mutable {
    for (int x : inputs) {
      out.send(Item{x, 1}).unwrap();  // The first step, counted in the item itself.
    }
  });
  auto doubler = racelings::Builder().name("doubler").spawn(
      [in = std::move(doubler_in), out = std::move(to_sink)]() mutable {
        for (Item item : in) {
          out.send(Item{2 * item.value, item.steps + 1}).unwrap();  // This item is ours alone.
        }
      });
  auto sink = racelings::Builder().name("sink").spawn([in = std::move(sink_in)]() mutable {
    std::pair<std::vector<int>, int> result{{}, 0};
    for (Item item : in) {
      result.first.push_back(item.value);
      result.second += item.steps + 1;  // The sink's own step; the total stays local.
    }
    return result;
  });

  source.join();
  doubler.join();
  auto [outputs, total] = sink.join();
  steps = total;  // Written by the caller, after join().
  return outputs;
}

}  // namespace exercise
