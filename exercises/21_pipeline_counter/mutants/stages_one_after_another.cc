// Runs the stages one after the other, each joined before the next starts: the counter no longer races, and the pipeline no longer overlaps.
// expect: runs: test failure
//
// Exercise 21: count in the messages
//
// run_pipeline() passes numbers through three stages, each on its own thread:
// a source, a doubler and a sink, linked by channels. To report the work done,
// every stage adds one to `steps` for each number it handles. But `steps` is
// one plain int that three threads write at the same time: a data race.
//
// Let each number carry its own count of steps. Keep the three stages.

#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

// Doubles every input; sets `steps` to the number of stage steps taken.
std::vector<int> run_pipeline(const std::vector<int>& inputs, int& steps) {
  steps = 0;
  // Unbounded channels, so that each stage can finish before the next one starts:
  // join() then orders every ++steps.
  auto [to_doubler, doubler_in] = racelings::channel<int>();
  auto [to_sink, sink_in] = racelings::channel<int>();

  auto source = racelings::Builder().name("source").spawn([&, out = std::move(to_doubler)]() mutable {
    for (int x : inputs) {
      ++steps;
      out.send(x).unwrap();
    }
  });
  source.join();
  auto doubler = racelings::Builder().name("doubler").spawn(
      [&, in = std::move(doubler_in), out = std::move(to_sink)]() mutable {
        for (int x : in) {
          ++steps;
          out.send(2 * x).unwrap();
        }
      });
  doubler.join();
  auto sink = racelings::Builder().name("sink").spawn([&, in = std::move(sink_in)]() mutable {
    std::vector<int> outputs;
    for (int x : in) {
      ++steps;
      outputs.push_back(x);
    }
    return outputs;
  });

  return sink.join();
}

}  // namespace exercise
