// The async deadlock reports, end to end: each scenario of
// deadlock_scenarios.cc runs in a child process (killed if it outlives a
// timeout), and the test asserts on its exit code and on the report's text:
// the kind line, the task sections, and the co_await line the scenario
// announced with "expect-site: <file>:<line>".

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Outcome {
  int exit_code = -1;  // -1: killed by the timeout (or a signal).
  bool timed_out = false;
  std::string output;  // stdout and stderr together.
};

std::string scenario_binary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string base = srcdir != nullptr ? std::string(srcdir) + "/racelings/" : std::string();
  return base + "primitives/async/deadlock_scenarios";
}

// The timeout stays below the test watchdog's 30 s per test.
Outcome run_scenario(const std::string& name, std::chrono::seconds timeout = std::chrono::seconds(20)) {
  Outcome out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return out;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  std::string binary = scenario_binary();
  std::vector<char*> argv = {binary.data(), const_cast<char*>(name.c_str()), nullptr};
  pid_t pid = 0;
  int err = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    ADD_FAILURE() << "could not start " << binary;
    return out;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      out.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r <= 0) continue;
    ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;  // The child closed its end: it has exited.
    out.output.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  return out;
}

// The "expect-site: file:line" the scenario printed.
std::string expected_site(const std::string& output) {
  const std::string key = "expect-site: ";
  auto at = output.find(key);
  if (at == std::string::npos) return "<no expect-site line>";
  auto end = output.find('\n', at);
  return output.substr(at + key.size(), end - at - key.size());
}

void expect_deadlock_report(const Outcome& o, const std::string& qualifier) {
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
}

TEST(AsyncDeadlockReport, ForgottenSenderOnACurrentThreadRuntime) {
  Outcome o = run_scenario("channel_current_thread");
  expect_deadlock_report(o, "all tasks are blocked");
  EXPECT_NE(o.output.find("Every task is waiting, none is runnable and no timer is pending"), std::string::npos);
  EXPECT_NE(o.output.find("waits to receive on an empty async channel (1 Sender is still alive"), std::string::npos);
  EXPECT_NE(o.output.find("(block_on at deadlock_scenarios.cc:"), std::string::npos);
  EXPECT_NE(o.output.find("to finish (co_await on its JoinHandle):"), std::string::npos);
  // The summary names the receiving task, not the one joining it.
  EXPECT_NE(o.output.find("SUMMARY: racelings: deadlock " + expected_site(o.output) + ":"), std::string::npos)
      << o.output;
}

TEST(AsyncDeadlockReport, ForgottenSenderOnAMultiThreadRuntime) {
  Outcome o = run_scenario("channel_multi_thread");
  expect_deadlock_report(o, "all tasks are blocked");
  // Reported by the runtime, not (as well) by the thread detector.
  EXPECT_EQ(o.output.find("all threads are blocked"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, JoinAllChildrenWaitingForEachOther) {
  Outcome o = run_scenario("ping_pong_both_wait");
  expect_deadlock_report(o, "all tasks are blocked");
  EXPECT_NE(o.output.find("waits for join_all: 2 of 2 tasks still running"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("(join_all child 1 of 2, in task #"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, AsyncMutexCycleIsReportedWhenItCloses) {
  Outcome o = run_scenario("mutex_cycle");
  expect_deadlock_report(o, "cycle of waiting tasks");
  EXPECT_NE(o.output.find("Tasks wait for each other's async mutexes in a cycle:"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("waits for async Mutex M"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("'account A', held by task #"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("and holds async Mutex M"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, TaskRelockingItsOwnAsyncMutex) {
  Outcome o = run_scenario("mutex_relock");
  expect_deadlock_report(o, "task re-locks an async mutex it holds");
  EXPECT_NE(o.output.find("was acquired by the same task here:"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, ThreadMutexHeldAcrossCoAwaitOnACurrentThreadRuntime) {
  // The thread detector sees the runtime's only thread lock a mutex it holds.
  Outcome o = run_scenario("sync_mutex_current_thread");
  expect_deadlock_report(o, "thread re-locks a mutex it already holds");
  EXPECT_NE(o.output.find("Thread T0 'main'"), std::string::npos) << o.output;
}

TEST(AsyncDeadlockReport, TasksJoiningEachOther) {
  Outcome o = run_scenario("join_cycle");
  expect_deadlock_report(o, "all tasks are blocked");
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
