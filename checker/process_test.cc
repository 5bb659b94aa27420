#include "checker/process.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

namespace racelings::checker {
namespace {

RunResult sh(const std::string& script, RunLimits limits = {}) {
  RunOptions o;
  o.argv = {"/bin/sh", "-c", script};
  o.limits = limits;
  return run(o);
}

TEST(Process, CapturesStdoutAndStderrAndTheExitCode) {
  RunResult r = sh("echo out; echo err >&2; exit 3");
  ASSERT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("out"), std::string::npos);
  EXPECT_NE(r.output.find("err"), std::string::npos);
  EXPECT_FALSE(r.exited_ok());
}

TEST(Process, ReportsTheSignalThatEndedTheProgram) {
  RunResult r = sh("kill -SEGV $$");
  EXPECT_EQ(r.signal, SIGSEGV);
}

TEST(Process, KillsTheWholeProcessGroupAtTheTimeout) {
  RunLimits limits;
  limits.timeout = std::chrono::milliseconds(500);
  // A child that ignores the end of its parent would keep the pipe open.
  RunResult r = sh("sleep 30 & sleep 30", limits);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.elapsed.count(), 10000);
}

TEST(Process, KeepsTheStartAndTheEndOfAFloodAndSaysHowMuchWasDropped) {
  RunLimits limits;
  limits.output_head_bytes = 1000;
  limits.output_tail_bytes = 1000;
  RunResult r = sh("echo FIRST; head -c 5000000 /dev/zero | tr '\\0' x; echo; echo LAST", limits);
  EXPECT_TRUE(r.exited_ok());
  EXPECT_GT(r.dropped_bytes, 4000000u);
  EXPECT_LT(r.output.size(), 3000u);
  EXPECT_EQ(r.output.rfind("FIRST", 0), 0u);
  EXPECT_NE(r.output.find("LAST"), std::string::npos);
  EXPECT_NE(r.output.find("bytes of output dropped"), std::string::npos);
}

TEST(Process, StopsAProgramThatUsesTooMuchMemory) {
  RunLimits limits;
  limits.max_rss_bytes = size_t{64} << 20;
  limits.timeout = std::chrono::seconds(30);
  // Grows a shell variable past the limit.
  RunResult r = sh("x=a; while true; do x=\"$x$x\"; done", limits);
  EXPECT_TRUE(r.out_of_memory || r.signal != 0) << r.output;
  EXPECT_FALSE(r.timed_out);
}

TEST(Process, RunsInAFreshDirectoryThatIsRemovedAfterwards) {
  RunResult r = sh("pwd; touch left-behind");
  ASSERT_TRUE(r.exited_ok());
  std::string dir = r.output.substr(0, r.output.find('\n'));
  EXPECT_NE(dir.find("racelings-run"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(Process, SaysWhenAProgramCannotBeStarted) {
  RunOptions o;
  o.argv = {"/no/such/program"};
  RunResult r = run(o);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_FALSE(r.error.empty());
}

TEST(Process, PassesTheGivenEnvironment) {
  RunOptions o;
  o.argv = {"/bin/sh", "-c", "echo \"[$RACELINGS_X]\""};
  o.env["RACELINGS_X"] = "forty two";
  RunResult r = run(o);
  EXPECT_NE(r.output.find("[forty two]"), std::string::npos);
}

}  // namespace
}  // namespace racelings::checker
