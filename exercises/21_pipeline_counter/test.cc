// Tests for exercise 21. Do not edit: `./racelings check 21` runs them.
#include <gtest/gtest.h>

#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<int> run_pipeline(const std::vector<int>& inputs, int& steps);
}

TEST(PipelineCounter, EveryNumberIsDoubledAndEveryStepCounted) {
  std::vector<int> inputs, expected;
  for (int i = 0; i < 200; ++i) {
    inputs.push_back(i);
    expected.push_back(2 * i);
  }
  int steps = -1;
  std::vector<int> outputs;
  auto threads = racelings::testing::count_threads([&] { outputs = exercise::run_pipeline(inputs, steps); });
  EXPECT_EQ(outputs, expected);
  EXPECT_EQ(steps, 3 * 200) << "each of the three stages takes one step per number";
  EXPECT_GE(threads.spawned, 3) << "the source, the doubler and the sink must each keep their own thread";
  EXPECT_GE(threads.max_running, 2) << "the stages must run at the same time, as a pipeline";
}
