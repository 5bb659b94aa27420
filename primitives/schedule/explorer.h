// explorer.h
// -----------------------------------------------------------------------------
//
// Runs a test program's tests under the controlled scheduler, as its
// environment asks:
//
//   RACELINGS_EXPLORE=<spec>   explore: run the tests once per schedule, each
//                              time in a child process forked before any
//                              thread starts, until one fails or the budget
//                              is spent; shrink the failing schedule, then
//                              run it once more with its output shown.
//   RACELINGS_SCHEDULE=<id>    replay that one schedule, in this process.
//   RACELINGS_STEP_LOG=<path>  write the step log of the schedule shown.
//
// <spec> is comma-separated key=value pairs (all optional):
//   strategy=mix|pct|random|dfs|default   (mix: pct and random in turn)
//   budget=<n>   schedules (default 1000), or budget=<n>s: seconds
//   seed=<n>     the exploration's seed (default 1)
//   depth=<n>    PCT's bug depth (default 3)
//   bound=<n>    DFS's preemption bound (default 2)
//   shrink=0|1   shrink a failing schedule first (default 1)
//   steps=<n>    the step bound past which a run is a livelock
//
// The explorer prints lines starting "racelings: explore:", the last of
// which sums up: `result=pass|fail schedules=<n> ... schedule=<id>`
// (README.md has the full format); the checker reads it.
//
// Rust equivalent: shuttle's `check_random`, `check_pct` and `replay`, and
// loom's `model`, which likewise run a test body once per schedule.

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_EXPLORER_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_EXPLORER_H_

#include <cstdint>
#include <functional>
#include <string>

namespace racelings {
namespace schedule {

struct ExploreSpec {
  std::string strategy = "mix";
  uint64_t seed = 1;
  uint64_t budget = 1000;     // Schedules; ignored when budget_seconds > 0.
  double budget_seconds = 0;  // A time budget instead (not deterministic).
  int depth = 3;
  int bound = 2;
  bool shrink = true;
  uint64_t step_bound = 0;  // 0: the default.
};

// parse_explore_spec(): reads <spec>; false with `error` set when it is wrong.
bool parse_explore_spec(const std::string& text, ExploreSpec& spec, std::string& error);

// How a test main plugs in.
struct TestHooks {
  // Runs every test once and returns the tests' result (0: all passed),
  // printing what a test run prints, completion line included.
  std::function<int()> run_tests;
  // How many tests the last run_tests() ran.
  std::function<int()> tests_ran;
  // Writes the completion record for `result` with `ran` tests run (the
  // explorer's own, when every explored schedule passed: `ran` is the fewest
  // any schedule ran).
  std::function<void(int result, int ran)> print_completion;
};

// run_tests(): explores, replays or simply runs the tests, as the
// environment says; returns the process's exit code.
int run_tests(const TestHooks& hooks);

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_EXPLORER_H_
