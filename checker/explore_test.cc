// The exploration pass and replays, on real exercise programs built under
// their sanitizers: a wrong program fails under a schedule whose id replays
// the same failure ten times out of ten; a correct one survives; a mistyped
// id is refused with a reason.
#include "checker/explore.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "checker/catalog.h"
#include "checker/judge.h"
#include "checker/report/step_log.h"

namespace racelings::checker {
namespace {

std::string runfiles() { return std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE"); }

const Exercise& exercise(const std::string& name) {
  static const Catalog catalog = Catalog::load(runfiles() + "/exercises/catalog.json");
  const Exercise* ex = catalog.find(name);
  if (ex == nullptr) throw std::runtime_error("no exercise " + name);
  return *ex;
}

// `program` (a path in the runfiles) of exercise `name`, explored over `budget` schedules.
RunVerdict explore_program(const std::string& name, const std::string& program, uint64_t budget) {
  ExplorePlan plan;
  plan.budget = budget;
  return explore_run(exercise(name), runfiles() + "/" + program, plan);
}

TEST(ParseExploreSummary, ReadsTheLastSummaryLine) {
  ExploreSummary s = parse_explore_summary(
      "noise\nracelings: explore: result=fail schedules=3 strategy=mix found_by=\"pct (depth 2)\" seed=1 "
      "schedule=a0672g0g06 preemptions=1 steps=5240 shrink_runs=11 found_seconds=0.21 seconds=0.58 "
      "signature=\"ThreadSanitizer: data race\"\nmore noise\n");
  EXPECT_TRUE(s.present);
  EXPECT_TRUE(s.failed);
  EXPECT_EQ(s.schedules, 3u);
  EXPECT_EQ(s.found_by, "pct (depth 2)");
  EXPECT_EQ(s.schedule, "a0672g0g06");
  EXPECT_EQ(s.preemptions, 1u);
  EXPECT_EQ(s.steps, 5240u);
  EXPECT_DOUBLE_EQ(s.found_seconds, 0.21);
  EXPECT_EQ(s.signature, "ThreadSanitizer: data race");
  ExploreSummary pass = parse_explore_summary("racelings: explore: result=pass schedules=100 strategy=mix seed=1\n");
  EXPECT_TRUE(pass.present);
  EXPECT_FALSE(pass.failed);
  EXPECT_EQ(pass.schedules, 100u);
  EXPECT_FALSE(parse_explore_summary("the program printed racelings: explore: result=pass itself").present);
}

TEST(SpecText, IsWhatTheExplorerReads) {
  ExplorePlan plan;
  EXPECT_EQ(spec_text(plan), "strategy=mix,seed=1,budget=100");
  plan.strategy = "pct";
  plan.budget_seconds = 10;
  plan.shrink = false;
  EXPECT_EQ(spec_text(plan), "strategy=pct,seed=1,budget=10s,shrink=0");
}

TEST(Explore, AWrongProgramFailsUnderAScheduleThatReplaysTenTimesOutOfTen) {
  const Exercise& ex = exercise("08");
  std::string binary = runfiles() + "/exercises/08_check_then_act/test";
  RunVerdict explored = explore_program("08", "exercises/08_check_then_act/test", 300);
  ASSERT_FALSE(explored.clean);
  ASSERT_TRUE(explored.explore.failed) << explored.run.output;
  ASSERT_FALSE(explored.explore.schedule.empty());
  EXPECT_TRUE(has_kind(explored.findings, report::Kind::kTestFailure)) << explored.run.output;
  auto log = report::parse_step_log(explored.step_log, nullptr);
  ASSERT_TRUE(log.has_value()) << "the shown schedule wrote no step log";
  EXPECT_EQ(log->schedule, explored.explore.schedule);
  EXPECT_FALSE(log->failures.empty());
  for (int i = 0; i < 10; ++i) {
    RunVerdict replayed = replay_run(ex, binary, explored.explore.schedule);
    EXPECT_FALSE(replayed.clean) << "replay " << i << " passed:\n" << replayed.run.output;
    EXPECT_TRUE(has_kind(replayed.findings, report::Kind::kTestFailure)) << replayed.run.output;
  }
}

TEST(Explore, ACorrectProgramSurvivesEverySchedule) {
  RunVerdict v = explore_program("08", "solutions/08_check_then_act/test", 50);
  EXPECT_TRUE(v.clean) << v.run.output;
  EXPECT_TRUE(v.explore.present);
  EXPECT_EQ(v.explore.schedules, 50u);
}

TEST(Explore, ADeadlockIsFoundAtOnce) {
  RunVerdict v = explore_program("23", "exercises/23_lost_wakeup/test", 100);
  EXPECT_TRUE(has_kind(v.findings, report::Kind::kDeadlock)) << v.run.output;
  EXPECT_EQ(v.explore.schedules, 1u) << "the default schedule already deadlocks";
}

TEST(Replay, AMistypedIdIsRefusedWithAReason) {
  RunVerdict v = replay_run(exercise("08"), runfiles() + "/exercises/08_check_then_act/test", "a0672g0g07");
  EXPECT_EQ(v.run.exit_code, 2);
  EXPECT_NE(v.run.output.find("is not a valid schedule id"), std::string::npos) << v.run.output;
}

}  // namespace
}  // namespace racelings::checker
