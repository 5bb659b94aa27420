// Tests for exercise 10. Do not edit: `./racelings check 10` runs them.
#include <gtest/gtest.h>

#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<int> find_primes(int limit, int threads);
}

TEST(VectorPush, FindsEveryPrimeExactlyOnce) {
  const int limit = racelings::testing::rounds(100000, 2000);  // Smaller under the controlled scheduler.
  std::vector<bool> composite(limit, false);
  std::vector<int> expected;
  for (int n = 2; n < limit; ++n) {
    if (composite[n]) continue;
    expected.push_back(n);
    for (long m = 2L * n; m < limit; m += n) composite[m] = true;
  }

  std::vector<int> primes;
  auto threads = racelings::testing::count_threads([&] { primes = exercise::find_primes(limit, 4); });
  EXPECT_EQ(primes.size(), expected.size()) << "primes were lost or duplicated";
  EXPECT_TRUE(primes == expected) << "the primes found are not the primes below " << limit;
  EXPECT_GE(threads.max_running, 2) << "the numbers must still be tested by several threads at once";
}
