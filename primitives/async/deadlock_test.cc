// The async deadlock reports, end to end: each scenario of
// deadlock_scenarios.cc runs in a child process (killed if it outlives a
// timeout), and the test asserts on its exit code and on the report's text:
// the kind line, the task sections, and the co_await line the scenario
// announced with "expect-site: <file>:<line>".

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "primitives/subprocess_testing.h"
#include "primitives/test_util.h"

namespace {

using racelings::testing_util::contains_all;

struct Outcome {
  int exit_code = -1;  // -1: killed by the timeout (or a signal).
  bool timed_out = false;
  std::string output;  // stdout, then stderr.
};

// The timeout stays below the test watchdog's 30 s per test.
Outcome run_scenario(const std::string& name, std::chrono::seconds timeout = std::chrono::seconds(20)) {
  namespace tu = racelings::testing_util;
  tu::ChildResult r = tu::run_child(tu::runfile("primitives/async/deadlock_scenarios"), {name}, {}, timeout);
  EXPECT_TRUE(r.started) << "could not start deadlock_scenarios: " << r.err;
  return {r.signal == 0 ? r.exit_code : -1, r.timed_out, r.out + r.err};
}

// The "expect-site: file:line" the scenario printed.
std::string expected_site(const std::string& output) {
  const std::string key = "expect-site: ";
  auto at = output.find(key);
  if (at == std::string::npos) return "<no expect-site line>";
  auto end = output.find('\n', at);
  return output.substr(at + key.size(), end - at - key.size());
}

// Runs `scenario`, checks that it ended in a deadlock report of kind
// `qualifier` at its expected site and nothing else, and returns its outcome.
Outcome expect_deadlock_report(const std::string& scenario, const std::string& qualifier) {
  Outcome o = run_scenario(scenario);
  EXPECT_FALSE(o.timed_out) << o.output;
  EXPECT_EQ(o.exit_code, 66) << o.output;
  EXPECT_NE(o.output.find("==================\nWARNING: racelings: deadlock (" + qualifier + ") (pid="),
            std::string::npos)
      << o.output;
  EXPECT_NE(o.output.find("SUMMARY: racelings: deadlock "), std::string::npos) << o.output;
  // The co_await line, as a frame: "    #0 <function> <file>:<line>:<column>".
  EXPECT_NE(o.output.find(" " + expected_site(o.output) + ":"), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("finished"), std::string::npos) << o.output;
  // Under --config=tsan/asan the child is instrumented too: nothing else to report.
  EXPECT_EQ(o.output.find("Sanitizer"), std::string::npos) << o.output;
  return o;
}

TEST(AsyncDeadlockReport, ForgottenSenderOnACurrentThreadRuntime) {
  Outcome o = expect_deadlock_report("channel_current_thread", "all tasks are blocked");
  EXPECT_TRUE(
      contains_all(o.output, {"Every task is waiting, none is runnable and no timer is pending",
                              "waits to receive on an empty async channel (1 Sender is still alive",
                              "(block_on at deadlock_scenarios.cc:", "to finish (co_await on its JoinHandle):"}));
  // The summary names the receiving task, not the one joining it.
  EXPECT_NE(o.output.find("SUMMARY: racelings: deadlock " + expected_site(o.output) + ":"), std::string::npos)
      << o.output;
}

TEST(AsyncDeadlockReport, ForgottenSenderOnAMultiThreadRuntime) {
  Outcome o = expect_deadlock_report("channel_multi_thread", "all tasks are blocked");
  // Reported by the runtime, not (as well) by the thread detector.
  EXPECT_EQ(o.output.find("all threads are blocked"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, JoinAllChildrenWaitingForEachOther) {
  Outcome o = expect_deadlock_report("ping_pong_both_wait", "all tasks are blocked");
  EXPECT_TRUE(
      contains_all(o.output, {"waits for join_all: 2 of 2 tasks still running", "(join_all child 1 of 2, in task #"}));
}

TEST(AsyncDeadlockReport, AsyncMutexCycleIsReportedWhenItCloses) {
  Outcome o = expect_deadlock_report("mutex_cycle", "cycle of waiting tasks");
  EXPECT_TRUE(
      contains_all(o.output, {"Tasks wait for each other's async mutexes in a cycle:", "waits for async Mutex M",
                              "'account A', held by task #", "and holds async Mutex M"}));
}

TEST(AsyncDeadlockReport, TaskRelockingItsOwnAsyncMutex) {
  Outcome o = expect_deadlock_report("mutex_relock", "task re-locks an async mutex it holds");
  EXPECT_NE(o.output.find("was acquired by the same task here:"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, ThreadMutexHeldAcrossCoAwaitOnACurrentThreadRuntime) {
  // The thread detector sees the runtime's only thread lock a mutex it holds.
  Outcome o = expect_deadlock_report("sync_mutex_current_thread", "thread re-locks a mutex it already holds");
  EXPECT_NE(o.output.find("Thread T0 'main'"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, TasksJoiningEachOther) {
  Outcome o = expect_deadlock_report("join_cycle", "all tasks are blocked");
}

TEST(AsyncDeadlockReport, ALateTimerIsNotADeadlock) {
  Outcome o = run_scenario("no_deadlock_timer");
  EXPECT_EQ(o.output.find("Sanitizer"), std::string::npos) << o.output;
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.output.find("WARNING: racelings"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("finished"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, ASleepingThreadThatWillSendIsNotADeadlock) {
  Outcome o = run_scenario("no_deadlock_thread_sleeps");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.output.find("WARNING: racelings"), std::string::npos) << o.output;
}

}  // namespace
