// subprocess_testing.h
// -----------------------------------------------------------------------------
//
// Runs a program as a child process with a time limit, for tests that must
// watch a program deadlock, abort or hang (testonly). The child's standard
// output and error are captured separately; past the limit the child is
// killed (SIGKILL) and the result says so.
//
// The child inherits the test's environment minus the variables through
// which Bazel talks to a test (XML_OUTPUT_FILE, TEST_PREMATURE_EXIT_FILE,
// the sharding variables): a child GoogleTest binary must not write the
// parent's result files.

#ifndef RACELINGS_PRIMITIVES_SUBPROCESS_TESTING_H_
#define RACELINGS_PRIMITIVES_SUBPROCESS_TESTING_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace racelings {
namespace testing_util {

struct ChildResult {
  bool started = false;       // false: the program could not be started.
  bool timed_out = false;     // Killed by us when the limit passed.
  int exit_code = -1;         // When it exited by itself.
  int signal = 0;             // When a signal ended it (SIGKILL if timed out).
  std::string out;            // Standard output.
  std::string err;            // Standard error.
  std::chrono::milliseconds elapsed{0};
};

// Runs `program` with `args`; `env` entries are added to (or, with an empty
// value, removed from) the inherited environment.
ChildResult run_child(const std::string& program, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, std::chrono::milliseconds limit);

// Runs the one test `test` (e.g. "Victim.SpinsForever") of the GoogleTest
// program `program` (a runfiles path, e.g. "primitives/watchdog_victim"),
// with the test watchdog's limit `watchdog_s` (RACELINGS_TEST_TIMEOUT_S; 0
// turns it off) and `env` added; killed past `limit`. Prints how it ended
// on a line of the test log.
ChildResult run_gtest_case(const std::string& program, const std::string& test, std::map<std::string, std::string> env,
                           int watchdog_s, std::chrono::milliseconds limit);

// The path of a file in the test's runfiles, e.g. "primitives/deadlock_scenarios".
std::string runfile(const std::string& workspace_relative);

// How many `WARNING: racelings: ` reports the text holds.
int count_reports(const std::string& text);

// The first report block whose WARNING line contains `kind`, from its
// opening line of '=' to its closing one; empty if there is none.
std::string report_block(const std::string& text, const std::string& kind);

}  // namespace testing_util
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SUBPROCESS_TESTING_H_
