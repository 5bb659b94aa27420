// Tests for exercise 07. Do not edit: `./racelings check 07` runs them.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::map<std::string, long> count_hits(int threads, int requests);

// What exercise.cc may use: a little work per request.
void serve(const std::string& page) {
  volatile unsigned hash = 0;
  for (char c : page) hash = hash * 31u + static_cast<unsigned char>(c);
}
}  // namespace exercise

TEST(GuardEscape, EveryHitIsCountedForItsPage) {
  std::map<std::string, long> hits;
  auto threads = racelings::testing::count_threads(
      [&] { hits = exercise::count_hits(4, 50000); });
  EXPECT_EQ(hits, (std::map<std::string, long>{{"/about", 100000}, {"/home", 100000}}));
  EXPECT_GE(threads.max_running, 2) << "the requests must still be served by several threads at once";
}
