// Makes the counter atomic, but reads it once the source and the doubler are joined, while the sink may still be counting its last number.
// expect: explore: test failure
//
// Exercise 21: count in the messages
//
// run_pipeline() passes numbers through three stages, each on its own thread:
// a source, a doubler and a sink, linked by channels. To report the work done,
// every stage adds one to `steps` for each number it handles. But `steps` is
// one plain int that three threads write at the same time: a data race.
//
// Let each number carry its own count of steps. Keep the three stages.

#include <atomic>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

// Doubles every input; sets `steps` to the number of stage steps taken.
std::vector<int> run_pipeline(const std::vector<int>& inputs, int& steps) {
  std::atomic<int> counted{0};  // Atomic: three stages may add at once.
  // Unbuffered channels: each stage hands a number straight to the next one.
  // TODO: send more than the bare number, so that the count can travel with it.
  auto [to_doubler, doubler_in] = racelings::sync_channel<int>(0);
  auto [to_sink, sink_in] = racelings::sync_channel<int>(0);

  auto source = racelings::Builder().name("source").spawn([&, out = std::move(to_doubler)]() mutable {
    for (int x : inputs) {
      counted.fetch_add(1);
      out.send(x).unwrap();
    }
  });
  auto doubler = racelings::Builder().name("doubler").spawn(
      [&, in = std::move(doubler_in), out = std::move(to_sink)]() mutable {
        for (int x : in) {
          counted.fetch_add(1);
          out.send(2 * x).unwrap();
        }
      });
  auto sink = racelings::Builder().name("sink").spawn([&, in = std::move(sink_in)]() mutable {
    std::vector<int> outputs;
    for (int x : in) {
      counted.fetch_add(1);
      outputs.push_back(x);
    }
    return outputs;
  });

  source.join();
  doubler.join();
  steps = counted.load();  // Every number has passed the doubler.
  return sink.join();
}

}  // namespace exercise
