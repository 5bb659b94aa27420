// GoogleTest failures: one test passes, one fails once, one fails twice.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace {
int count_with_threads(int threads) {
  std::atomic<int> total{0};
  for (int i = 0; i < threads; ++i) std::thread([&] { ++total; }).join();
  return total;
}

TEST(Counter, CountsOneThread) { EXPECT_EQ(count_with_threads(1), 1); }

TEST(Counter, CountsFourThreads) {
  EXPECT_EQ(count_with_threads(4), 5);  // deliberately wrong expectation
}

TEST(Counter, NeverGoesNegative) {
  EXPECT_TRUE(count_with_threads(2) < 0) << "counter was not negative";
  ASSERT_EQ(count_with_threads(0), -1);
}
}  // namespace
