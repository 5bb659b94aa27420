// Tests for exercise 07. Do not edit: `./racelings check 07` runs them.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::map<std::string, long> count_hits(int threads, int requests);

// Each serving thread waits here at its last request until every thread has
// got that far, so that all of them are alive while any of them serves.
// (ThreadSanitizer hands a finished thread's slot to the next one: a thread
// that ended before another began its increments could hide their race.)
racelings::Barrier* finish_line = nullptr;
long requests_per_thread = 0;

// What exercise.cc may use: a little work per request.
void serve(const std::string& page) {
  thread_local long served = 0;
  if (++served == requests_per_thread && finish_line != nullptr) finish_line->wait();
  volatile unsigned hash = 0;
  for (char c : page) hash = hash * 31u + static_cast<unsigned char>(c);
}
}  // namespace exercise

TEST(GuardEscape, EveryHitIsCountedForItsPage) {
  std::map<std::string, long> hits;
  racelings::Barrier four_threads(4);
  exercise::finish_line = &four_threads;
  const long requests = racelings::testing::rounds(50000, 200);  // Fewer under the controlled scheduler.
  exercise::requests_per_thread = requests;
  auto threads = racelings::testing::count_threads(
      [&] { hits = exercise::count_hits(4, static_cast<int>(requests)); });
  exercise::finish_line = nullptr;
  EXPECT_EQ(hits, (std::map<std::string, long>{{"/about", 2 * requests}, {"/home", 2 * requests}}));
  EXPECT_GE(threads.max_running, 2) << "the requests must still be served by several threads at once";
}
