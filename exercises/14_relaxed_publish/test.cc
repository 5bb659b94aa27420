// Tests for exercise 14. Do not edit: `./racelings check 14` runs them.
#include <gtest/gtest.h>

#include <string>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::string load_settings();
}

TEST(RelaxedPublish, TheCallerSeesTheSettingsTheLoaderPublished) {
  for (int round = 0; round < 20; ++round) {
    std::string address;
    auto threads = racelings::testing::count_threads([&] { address = exercise::load_settings(); });
    ASSERT_EQ(address, "db.example.com:5432") << "round " << round;
    ASSERT_GE(threads.spawned, 1) << "the settings must still be loaded on a loader thread";
  }
}
