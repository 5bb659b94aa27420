// Tests for exercise 17. Do not edit: `./racelings check 17` runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/thread.h"

std::atomic<int> loads{0};

// What exercise.cc must provide.
namespace exercise {
using Settings = std::map<std::string, std::string>;
const Settings& settings();

// What exercise.cc may use: loading counts its calls, and takes a moment
// (a file to read), so requests that arrive meanwhile find nothing loaded yet.
Settings load_settings() {
  loads.fetch_add(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return {{"mode", "fast"}, {"workers", "4"}};
}
}  // namespace exercise

TEST(LazyInit, AllThreadsShareSettingsLoadedOnce) {
  // Four requests arrive at the same moment; two more arrive once request-0
  // has its settings, and learn so from a relaxed flag, which orders nothing:
  // they see complete settings only if settings() itself makes them visible.
  constexpr int kFirst = 4, kThreads = kFirst + 2;
  const exercise::Settings* seen[kThreads] = {};
  int wrong[kThreads] = {};
  racelings::Barrier start_line(kFirst);
  std::atomic<bool> first_served{false};
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < kThreads; ++t) {
      racelings::Builder().name("request-" + std::to_string(t)).spawn_scoped(s, [&, t] {
        if (t < kFirst) {
          start_line.wait();  // the first requests all arrive at the same moment
        } else {
          while (!first_served.load(std::memory_order_relaxed)) std::this_thread::yield();
        }
        for (int request = 0; request < 200; ++request) {
          const exercise::Settings& current = exercise::settings();
          if (current.at("mode") != "fast") ++wrong[t];
          seen[t] = &current;
          if (t == 0) first_served.store(true, std::memory_order_relaxed);
        }
      });
    }
  });
  EXPECT_EQ(loads.load(), 1) << "the settings must be loaded exactly once";
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(wrong[t], 0) << "thread " << t << " read wrong settings";
    EXPECT_EQ(seen[t], seen[0]) << "all threads must share one Settings object";
  }
}
