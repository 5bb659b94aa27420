// testing.h
// -----------------------------------------------------------------------------
//
// Helpers for exercise tests: checks that a fix kept the concurrency the
// exercise is about. A student who "fixes" a race by doing the work on one
// thread must fail the test, not pass it.
//
//   auto threads = racelings::testing::count_threads([&] { total = exercise::count(4, 1000); });
//   EXPECT_GE(threads.max_running, 2) << "the work must still run on several threads at once";

#ifndef RACELINGS_PRIMITIVES_TESTING_H_
#define RACELINGS_PRIMITIVES_TESTING_H_

#include <utility>

#include "primitives/detector.h"

namespace racelings {
namespace testing {

// count_threads(): runs `f` and returns how many threads it started through
// racelings (spawn, Builder, scope, pools) and how many ran at once.
template <typename F>
detector::ThreadStats count_threads(F&& f) {
  detector::reset_thread_stats();
  std::forward<F>(f)();
  return detector::thread_stats();
}

}  // namespace testing
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_TESTING_H_
