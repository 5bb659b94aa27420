// Tests for watchdog.h: a test that runs past RACELINGS_TEST_TIMEOUT_S fails
// with a timeout report instead of hanging. Runs watchdog_victim, whose tests
// hang on purpose, as a child process.

#include "primitives/watchdog.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "primitives/subprocess_testing.h"
#include "primitives/test_util.h"

namespace racelings {
namespace {

using namespace std::chrono_literals;
using testing_util::ChildResult;
using testing_util::contains_all;

ChildResult run_victim(const std::string& test, int timeout_s) {
  return testing_util::run_gtest_case("primitives/watchdog_victim", "Victim." + test, {}, timeout_s, 60s);
}

TEST(Watchdog, ASpinningTestFailsWithATimeoutReportListingTheThreads) {
  ChildResult r = run_victim("SpinsForever", 1);
  ASSERT_TRUE(r.started) << r.err;
  EXPECT_FALSE(r.timed_out) << "the watchdog should have ended the test, not our 60 s limit";
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(r.elapsed, 20s);
  EXPECT_TRUE(contains_all(
      r.err, {"WARNING: racelings: timeout (pid=", "The test Victim.SpinsForever did not finish within 1.0 s",
              "Thread T1 'waiter'", "waits to receive on an empty channel", "SUMMARY: racelings: timeout "}));
  EXPECT_NE(r.out.find("[  FAILED  ] Victim.SpinsForever (timeout"), std::string::npos) << r.out;
}

TEST(Watchdog, ASlowTestPastTheLimitFails) {
  ChildResult r = run_victim("TakesOneAndAHalfSeconds", 1);
  ASSERT_TRUE(r.started) << r.err;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[  FAILED  ] Victim.TakesOneAndAHalfSeconds (timeout"), std::string::npos) << r.out;
}

TEST(Watchdog, ASlowTestWithinTheLimitPasses) {
  ChildResult r = run_victim("TakesOneAndAHalfSeconds", 30);
  ASSERT_TRUE(r.started) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("WARNING: racelings:"), std::string::npos) << r.err;
}

TEST(Watchdog, ALimitOfZeroTurnsTheWatchdogOff) {
  ChildResult r = run_victim("TakesOneAndAHalfSeconds", 0);
  ASSERT_TRUE(r.started) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace racelings
