// testing.h
// -----------------------------------------------------------------------------
//
// Helpers for exercise tests: checks that a fix kept the concurrency the
// exercise is about (a student who "fixes" a race by doing the work on one
// thread must fail the test, not pass it), and how long a test should be
// when the controlled scheduler explores it.
//
//   auto threads = racelings::testing::count_threads([&] { total = exercise::count(4, 1000); });
//   EXPECT_GE(threads.max_running, 2) << "the work must still run on several threads at once";

#ifndef RACELINGS_PRIMITIVES_TESTING_H_
#define RACELINGS_PRIMITIVES_TESTING_H_

#include <utility>

#include "primitives/detector.h"
#include "primitives/schedule/schedule.h"

namespace racelings {
namespace testing {

// exploring(): the test runs under the controlled scheduler (`racelings
// explore`, and the exploration pass of check, grade and audit), which runs
// the test once per schedule, hundreds of times, instead of once with many
// rounds in the hope that the OS interleaves them badly.
inline bool exploring() { return schedule::controlled(); }

// rounds(): how many times a test repeats its scenario: `normal` times in an
// ordinary run, at most `explored` times under the controlled scheduler,
// where each schedule is one chance and many schedules are tried.
//   for (int round = 0; round < racelings::testing::rounds(300, 3); ++round) { ... }
inline int rounds(int normal, int explored = 3) { return exploring() && explored < normal ? explored : normal; }

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
