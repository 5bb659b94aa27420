// Tests for exercise 17. Do not edit: `./racelings check 17` runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/thread.h"

std::atomic<int> loads{0};

// What exercise.cc must provide.
namespace exercise {
using Settings = std::map<std::string, std::string>;
const Settings& settings();

// What exercise.cc may use: loading counts its calls.
Settings load_settings() {
  loads.fetch_add(1);
  return {{"mode", "fast"}, {"workers", "4"}};
}
}  // namespace exercise

TEST(LazyInit, AllThreadsShareSettingsLoadedOnce) {
  const exercise::Settings* seen[4] = {};
  int wrong[4] = {};
  racelings::Barrier start_line(4);
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < 4; ++t) {
      racelings::Builder().name("request-" + std::to_string(t)).spawn_scoped(s, [&, t] {
        start_line.wait();  // the first requests all arrive at the same moment
        for (int request = 0; request < 200; ++request) {
          const exercise::Settings& current = exercise::settings();
          if (current.at("mode") != "fast") ++wrong[t];
          seen[t] = &current;
        }
      });
    }
  });
  EXPECT_EQ(loads.load(), 1) << "the settings must be loaded exactly once";
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(wrong[t], 0) << "thread " << t << " read wrong settings";
    EXPECT_EQ(seen[t], seen[0]) << "all threads must share one Settings object";
  }
}
