// The controlled scheduler end to end: runs schedule_scenarios under
// RACELINGS_EXPLORE and RACELINGS_SCHEDULE as child processes and checks what
// it finds, that a failing schedule replays exactly, and that the same
// exploration gives the same result every time. The time limits are bounds
// for a loaded machine under a sanitizer, not timings.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "primitives/subprocess_testing.h"
#include "primitives/test_util.h"

namespace racelings {
namespace {

using namespace std::chrono_literals;
using testing_util::ChildResult;

constexpr auto kLimit = 120s;

ChildResult run_scenario(const std::string& scenario, std::map<std::string, std::string> env) {
  return testing_util::run_gtest_case("primitives/schedule/schedule_scenarios", "Scenario." + scenario, std::move(env),
                                      60, kLimit);
}

ChildResult explore(const std::string& scenario, const std::string& spec = "budget=300") {
  return run_scenario(scenario, {{"RACELINGS_EXPLORE", spec}});
}

using testing_util::contains;

// The explorer's summary line, "racelings: explore: result=...".
std::string result_line(const ChildResult& r) {
  std::istringstream in(r.err);
  std::string found;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("racelings: explore: result=", 0) == 0) found = line;
  }
  return found;
}

// A field of the summary line: `key=value` (value up to the next blank).
std::string field(const std::string& line, const std::string& key) {
  size_t at = line.find(" " + key + "=");
  if (at == std::string::npos) return {};
  size_t start = at + key.size() + 2;
  return line.substr(start, line.find(' ', start) - start);
}

// The summary without its timings (seconds=, found_seconds=), the only parts
// that may differ.
std::string without_seconds(std::string line) {
  for (const char* key : {" seconds=", " found_seconds="}) {
    size_t at = line.find(key);
    if (at == std::string::npos) continue;
    size_t end = line.find(' ', at + 1);
    line = line.substr(0, at) + (end == std::string::npos ? "" : line.substr(end));
  }
  return line;
}

TEST(ScheduleScenarios, ACorrectProgramPassesEverySchedule) {
  ChildResult r = explore("LockedCounter");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string line = result_line(r);
  EXPECT_TRUE(contains(line, "result=pass schedules=300")) << r.err;
  EXPECT_TRUE(contains(r.out, "racelings: tests completed") || !contains(r.err, "result=fail")) << r.out;
}

TEST(ScheduleScenarios, ACheckThenActBugIsFoundShrunkAndReplayedExactly) {
  ChildResult r = explore("CheckThenAct");
  std::string line = result_line(r);
  ASSERT_TRUE(contains(line, "result=fail")) << r.err;
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "the name was given to 2 users")) << r.out;
  EXPECT_EQ(field(line, "preemptions"), "1") << line;
  std::string id = field(line, "schedule");
  ASSERT_FALSE(id.empty()) << line;
  for (int i = 0; i < 10; ++i) {
    ChildResult replay = run_scenario("CheckThenAct", {{"RACELINGS_SCHEDULE", id}});
    EXPECT_NE(replay.exit_code, 0) << "replay " << i << " of " << id << " passed:\n" << replay.out;
    EXPECT_TRUE(contains(replay.out, "the name was given to 2 users")) << replay.out;
  }
}

TEST(ScheduleScenarios, TheSameExplorationGivesTheSameResultEveryTime) {
  std::string first = without_seconds(result_line(explore("CheckThenAct")));
  std::string second = without_seconds(result_line(explore("CheckThenAct")));
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
  std::string pct = without_seconds(result_line(explore("CheckThenAct", "strategy=pct,seed=7")));
  EXPECT_EQ(pct, without_seconds(result_line(explore("CheckThenAct", "strategy=pct,seed=7"))));
}

TEST(ScheduleScenarios, EachStrategyFindsTheCheckThenActBug) {
  for (const char* strategy : {"pct", "random", "dfs"}) {
    std::string line = result_line(explore("CheckThenAct", std::string("budget=300,strategy=") + strategy));
    EXPECT_TRUE(contains(line, "result=fail")) << strategy << ": " << line;
  }
}

TEST(ScheduleScenarios, ALostWakeupIsADeadlockReportedAtOnce) {
  ChildResult r = explore("LostWakeup");
  EXPECT_EQ(r.exit_code, 66) << r.err;
  EXPECT_TRUE(contains(r.err, "WARNING: racelings: deadlock (all threads are blocked)")) << r.err;
  EXPECT_TRUE(contains(r.err, "waits on a Condvar")) << r.err;
  EXPECT_TRUE(contains(r.err, "SUMMARY: racelings: deadlock primitives/schedule/schedule_scenarios.cc:")) << r.err;
  // Found by the very first schedule: no grace period, no timing.
  EXPECT_TRUE(contains(result_line(r), "schedules=1 ")) << r.err;
}

TEST(ScheduleScenarios, ASpuriousWakeupIsOneOfTheChoices) {
  std::string line = result_line(explore("IfInsteadOfWhile"));
  EXPECT_TRUE(contains(line, "result=fail")) << line;
}

TEST(ScheduleScenarios, AnEarlyTimeoutIsOneOfTheChoices) {
  std::string line = result_line(explore("TimeoutIgnored"));
  EXPECT_TRUE(contains(line, "result=fail")) << line;
}

TEST(ScheduleScenarios, ASpinLoopThatYieldsLetsTheOtherThreadRun) {
  ChildResult r = explore("SpinWithYield");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(result_line(r), "result=pass")) << r.err;
}

TEST(ScheduleScenarios, TimePassesWhileAThreadSpinsUntilADeadline) {
  ChildResult r = explore("SpinUntilADeadline", "budget=20");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(result_line(r), "result=pass schedules=20")) << r.err;
}

TEST(ScheduleScenarios, ThreadsThatSpinForeverAreALivelockAtOnce) {
  ChildResult r = explore("Livelock", "budget=5");
  EXPECT_EQ(r.exit_code, 66) << r.err;
  EXPECT_TRUE(contains(r.err, "WARNING: racelings: livelock (no progress in 100000 steps)")) << r.err;
  EXPECT_TRUE(contains(r.err, "only spun")) << r.err;
}

TEST(ScheduleScenarios, ThreadsThatSpinForeverAreALivelock) {
  ChildResult r = explore("Livelock", "budget=5,steps=3000");
  EXPECT_EQ(r.exit_code, 66) << r.err;
  EXPECT_TRUE(contains(r.err, "WARNING: racelings: livelock (no progress in 3000 steps)")) << r.err;
  EXPECT_TRUE(contains(r.err, "polite-a")) << r.err;
  EXPECT_TRUE(contains(r.err, "SUMMARY: racelings: livelock")) << r.err;
}

TEST(ScheduleScenarios, SleepsRunOnTheVirtualClock) {
  ChildResult r = explore("SleepsAreVirtual", "budget=20");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_LT(r.elapsed, 60s);
}

TEST(ScheduleScenarios, StdMutexAndConditionVariableAreScheduledWithoutHanging) {
  ChildResult r = explore("StdMutexAndCondvar");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(result_line(r), "result=pass schedules=300")) << r.err;
}

TEST(ScheduleScenarios, AtomicsAreSchedulingPointsUnderThreadSanitizer) {
  std::string line = result_line(explore("AtomicLostUpdate"));
  if (testing_util::kUnderTsan) {
    EXPECT_TRUE(contains(line, "result=fail")) << line;
  } else {
    // Without TSan, atomics are not scheduling points: documented in README.md.
    EXPECT_TRUE(contains(line, "result=pass")) << line;
  }
}

TEST(ScheduleScenarios, HandingOverTheTurnHidesNoDataRace) {
  if (!testing_util::kUnderTsan) GTEST_SKIP() << "data races are ThreadSanitizer's";
  ChildResult r = explore("UnlockedRace", "budget=20");
  EXPECT_TRUE(contains(r.err, "WARNING: ThreadSanitizer: data race")) << r.err;
  EXPECT_TRUE(contains(result_line(r), "schedules=1 ")) << r.err;
}

TEST(ScheduleScenarios, AReplayWritesItsStepLog) {
  std::string line = result_line(explore("CheckThenAct"));
  std::string id = field(line, "schedule");
  ASSERT_FALSE(id.empty()) << line;
  std::string log = ::testing::TempDir() + "/steps.jsonl";
  ChildResult r = run_scenario("CheckThenAct", {{"RACELINGS_SCHEDULE", id}, {"RACELINGS_STEP_LOG", log}});
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_GE(lines.size(), 5u) << r.err;
  EXPECT_TRUE(contains(lines.front(), "\"type\":\"header\"") && contains(lines.front(), id)) << lines.front();
  int steps = 0, failures = 0;
  bool user_line = false, lock = false;
  for (const std::string& l : lines) {
    steps += contains(l, "\"type\":\"step\"") ? 1 : 0;
    failures += contains(l, "\"type\":\"failure\"") ? 1 : 0;
    user_line = user_line || contains(l, "schedule_scenarios.cc:");
    lock = lock || (contains(l, "\"op\":\"lock\"") && contains(l, "Mutex M"));
  }
  EXPECT_GT(steps, 4);
  EXPECT_GE(failures, 1) << "the failed assertion is marked";
  EXPECT_TRUE(user_line);
  EXPECT_TRUE(lock);
  EXPECT_TRUE(contains(lines.back(), "\"type\":\"end\"")) << lines.back();
}

// The detector reports the cycle with its registry locked, and the step log
// asks it for every thread's state at that moment.
TEST(ScheduleScenarios, ADeadlockCycleEndsItsStepLog) {
  std::string line = result_line(explore("JoinWhileHolding", "budget=5"));
  std::string id = field(line, "schedule");
  ASSERT_FALSE(id.empty()) << line;
  std::string log = ::testing::TempDir() + "/cycle-steps.jsonl";
  ChildResult r = run_scenario("JoinWhileHolding", {{"RACELINGS_SCHEDULE", id}, {"RACELINGS_STEP_LOG", log}});
  EXPECT_EQ(r.exit_code, 66) << r.err;
  EXPECT_TRUE(contains(r.err, "WARNING: racelings: deadlock (cycle of waiting threads)")) << r.err;
  std::ifstream in(log);
  bool failure = false;
  for (std::string l; std::getline(in, l);) failure = failure || contains(l, "\"type\":\"failure\"");
  EXPECT_TRUE(failure);
}

// The lines of a step log written by a replay of `scenario` under `id`.
std::vector<std::string> replay_log(const std::string& scenario, const std::string& id) {
  std::string log = ::testing::TempDir() + "/" + scenario + ".jsonl";
  run_scenario(scenario, {{"RACELINGS_SCHEDULE", id}, {"RACELINGS_STEP_LOG", log}});
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(ScheduleScenarios, ASanitizerReportIsMarkedAtTheStepOfTheThreadThatMadeIt) {
  if (!testing_util::kUnderTsan) GTEST_SKIP() << "data races are ThreadSanitizer's";
  std::vector<std::string> lines = replay_log("UnlockedRace", "a00x0");
  std::string failure, racing_thread;
  for (const std::string& l : lines) {
    if (contains(l, "\"type\":\"failure\"") && failure.empty()) failure = l;
  }
  ASSERT_FALSE(failure.empty()) << "no failure in the log";
  EXPECT_TRUE(contains(failure, "\"kind\":\"sanitizer report\"")) << failure;
  EXPECT_TRUE(contains(failure, "ThreadSanitizer: data race")) << failure;
  // The racing write of 'writer-b' (not a line number: the scenarios file grows).
  EXPECT_TRUE(contains(failure, "schedule_scenarios.cc:")) << failure;
  EXPECT_TRUE(contains(failure, "Scenario_UnlockedRace_Test::TestBody()::$_1")) << failure;
  // The second writer, 'writer-b' (T2), makes the report: the mark names it,
  // and its step is the one numbered in the mark.
  EXPECT_TRUE(contains(failure, "\"thread\":\"T2\"")) << failure;
  size_t at = failure.find("\"step\":");
  ASSERT_NE(at, std::string::npos);
  std::string step = "\"step\":" + failure.substr(at + 7, failure.find(',', at) - at - 7) + ",";
  bool marked_step_is_t2 = false;
  for (const std::string& l : lines) {
    if (contains(l, "\"type\":\"step\"") && contains(l, step)) marked_step_is_t2 = contains(l, "\"thread\":\"T2\"");
  }
  EXPECT_TRUE(marked_step_is_t2) << failure;
}

TEST(ScheduleScenarios, AMistypedScheduleIdIsRefusedWithAReason) {
  ChildResult r = run_scenario("CheckThenAct", {{"RACELINGS_SCHEDULE", "a0672g0g07"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "is not a valid schedule id")) << r.err;
}

TEST(ScheduleScenarios, ABadSpecIsRefusedWithAReason) {
  ChildResult r = explore("LockedCounter", "strategy=clever");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown strategy 'clever'")) << r.err;
}

}  // namespace
}  // namespace racelings
