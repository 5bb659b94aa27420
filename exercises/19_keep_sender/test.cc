// Tests for exercise 19. Do not edit: `./racelings check 19` runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<int> gather(int sensors, int readings);
}

TEST(KeepSender, TheCallerGetsEveryReadingAndTheLoopEnds) {
  const int sensors = 4, readings = 50;
  std::vector<int> got;
  auto threads = racelings::testing::count_threads([&] { got = exercise::gather(sensors, readings); });
  std::vector<int> expected;
  for (int s = 0; s < sensors; ++s) {
    for (int r = 0; r < readings; ++r) expected.push_back(s * 1000 + r);
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected) << "every reading of every sensor must arrive exactly once";
  EXPECT_GE(threads.spawned, sensors) << "each sensor must still send from its own thread";
}
