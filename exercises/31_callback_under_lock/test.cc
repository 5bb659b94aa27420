// Tests for exercise 31. Do not edit: `./racelings check 31` runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<std::string> run_bus(int events);
}

TEST(CallbackUnderLock, EverySubscriberSeesEveryEvent) {
  const int events = 20;
  std::vector<std::string> notes;
  auto threads = racelings::testing::count_threads([&] { notes = exercise::run_bus(events); });
  ASSERT_EQ(notes.size(), static_cast<size_t>(2 * 2 * events)) << "two publishers, two subscribers";
  EXPECT_EQ(std::count(notes.begin(), notes.end(), "logged event 1.7"), 1);
  EXPECT_EQ(std::count(notes.begin(), notes.end(), "event 0.3 reached 2 subscribers"), 1);
  EXPECT_GE(threads.spawned, 2) << "both publishers must still publish from their own threads";
}
