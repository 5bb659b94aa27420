// Tests for exercise 28. Do not edit: `./racelings check 28` runs them.
#include <gtest/gtest.h>

#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<int> dine(int meals);
}

TEST(DiningPhilosophers, EveryPhilosopherEatsEveryMeal) {
  const int meals = 50;
  std::vector<int> eaten;
  auto threads = racelings::testing::count_threads([&] { eaten = exercise::dine(meals); });
  EXPECT_EQ(eaten, std::vector<int>(5, meals));
  EXPECT_GE(threads.spawned, 5) << "each philosopher must still be a thread of their own";
  EXPECT_GE(threads.max_running, 2) << "the philosophers must dine at the same time";
}
