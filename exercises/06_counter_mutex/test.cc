// Tests for exercise 06. Do not edit: `./racelings check 06` runs them.
#include <gtest/gtest.h>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
int serve_all(int per_thread);

// What exercise.cc may use: about a microsecond of work per request.
void serve(int request) {
  volatile unsigned hash = static_cast<unsigned>(request);
  for (int i = 0; i < 100; ++i) hash = hash * 2654435761u + static_cast<unsigned>(i);
}
}  // namespace exercise

TEST(CounterMutex, EveryRequestIsCountedOnce) {
  int served = 0;
  const int requests = racelings::testing::rounds(2000, 20);  // Fewer under the controlled scheduler.
  auto threads = racelings::testing::count_threads([&] { served = exercise::serve_all(requests); });
  EXPECT_EQ(served, 10 * requests) << "some requests were not counted";
  EXPECT_GE(threads.spawned, 10) << "the requests must still be served by ten threads";
  EXPECT_GE(threads.max_running, 2) << "the threads must still run at the same time";
}
