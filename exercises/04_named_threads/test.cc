// Tests for exercise 04. Do not edit: `./racelings check 04` runs them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
long download_all(int chunks, int workers, std::vector<std::string>& names);

// What exercise.cc may use: a stand-in for a download.
int fetch(int chunk) { return chunk % 1500 + 1; }
}  // namespace exercise

TEST(NamedThreads, WorkersAreNamedAndTheTotalIsExact) {
  const int chunks = 80000;
  long expected = 0;
  for (int chunk = 0; chunk < chunks; ++chunk) expected += exercise::fetch(chunk);

  std::vector<std::string> names;
  long bytes = 0;
  auto threads = racelings::testing::count_threads([&] { bytes = exercise::download_all(chunks, 4, names); });

  EXPECT_EQ(names, (std::vector<std::string>{"fetch-0", "fetch-1", "fetch-2", "fetch-3"}))
      << "each worker reports racelings::current_thread_name(): name them with racelings::Builder().name(...)";
  EXPECT_EQ(bytes, expected);
  EXPECT_GE(threads.max_running, 2) << "the chunks must still be fetched by several threads at once";
}
