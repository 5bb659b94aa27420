// Tests for exercise 23. Do not edit: `./racelings check 23` runs them.
#include <gtest/gtest.h>

#include <string>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::string post_then_read(const std::string& letter);
std::string read_then_post(const std::string& letter);
}

TEST(LostWakeup, ALetterPostedBeforeTheReaderWaitsIsStillDelivered) {
  std::string got;
  auto threads = racelings::testing::count_threads([&] { got = exercise::post_then_read("early letter"); });
  EXPECT_EQ(got, "early letter");
  EXPECT_GE(threads.spawned, 1) << "the letter must still be taken by a reader thread";
}

TEST(LostWakeup, AReaderThatWaitsFirstGetsTheLetter) {
  for (int round = 0; round < 20; ++round) {
    std::string got;
    auto threads = racelings::testing::count_threads([&] { got = exercise::read_then_post("letter"); });
    ASSERT_EQ(got, "letter") << "round " << round;
    ASSERT_GE(threads.spawned, 1) << "the letter must still be taken by a reader thread";
  }
}
