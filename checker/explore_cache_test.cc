#include "checker/explore_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "checker/workspace.h"

namespace racelings::checker {
namespace {

namespace fs = std::filesystem;

constexpr char kPass[] = "racelings: explore: result=pass schedules=100 strategy=mix seed=1 max_steps=71 seconds=1.50";

class ExploreCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("explore-cache-test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ::setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
    ::unsetenv("RACELINGS_EXPLORE_CACHE");
    program_ = (dir_ / "test").string();
    write(program_, "the program's bytes");
    write(program_ + ".env", "TSAN_OPTIONS=halt_on_error=0\n");
    exercise_.name = "01_spawn_join";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::trunc) << text; }
  TestRun exploration(const std::string& spec = "strategy=mix,seed=1,budget=100") const {
    return TestRun{program_, {{"RACELINGS_EXPLORE", spec}}};
  }
  static RunVerdict passed() {
    RunVerdict v;
    v.clean = true;
    v.run.started = true;
    v.run.exit_code = 0;
    v.run.output = std::string("[==========] 3 tests ran.\n") + kPass + "\n";
    v.explore = parse_explore_summary(v.run.output);
    return v;
  }

  // A failing exploration as judge() sees it: the explorer's summary names
  // the failing schedule, and the test's assertion failed.
  static RunVerdict failed_exploration() {
    RunResult run;
    run.started = true;
    run.exit_code = 1;
    run.output =
        "[ RUN      ] Bank.TotalIsKept\n"
        "exercise.cc:12: Failure\nExpected equality of these values:\n  total\n    Which is: 99\n  100\n"
        "[  FAILED  ] Bank.TotalIsKept (3 ms)\n"
        "racelings: explore: result=fail schedules=3 strategy=mix seed=1 schedule=s1-abc found_by=mix "
        "signature=\"test failure\" seconds=0.30\n";
    RunVerdict v = judge(run, CompletionRecord{1, 1, 1, 1});
    v.step_log = "{\"step\":1}\n";
    return v;
  }

  fs::path dir_;
  std::string program_;
  Exercise exercise_;
};

TEST_F(ExploreCacheTest, APassIsOnRecordForTheSameProgramAndSpec) {
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());
  record_run(exercise_, exploration(), passed());
  std::optional<RunVerdict> v = run_on_record(exercise_, exploration());
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->clean);
  EXPECT_TRUE(v->explore.on_record);
  EXPECT_FALSE(v->explore.failed);
  EXPECT_EQ(v->explore.schedules, 100u);
  EXPECT_EQ(v->explore.strategy, "mix");
  EXPECT_NE(v->run.output.find(kPass), std::string::npos);
}

TEST_F(ExploreCacheTest, AnotherSpecOrEnvironmentOrExerciseIsNotTheSameExploration) {
  record_run(exercise_, exploration(), passed());
  EXPECT_FALSE(run_on_record(exercise_, exploration("strategy=mix,seed=2,budget=100")).has_value());
  EXPECT_FALSE(run_on_record(exercise_, exploration("strategy=mix,seed=1,budget=1000")).has_value());
  TestRun more = exploration();
  more.env["RACELINGS_STEP_BOUND"] = "10";
  EXPECT_FALSE(run_on_record(exercise_, more).has_value());
  Exercise other = exercise_;
  other.timeout_s = exercise_.timeout_s + 1;
  EXPECT_FALSE(run_on_record(other, exploration()).has_value());
  write(program_ + ".env", "TSAN_OPTIONS=halt_on_error=1\n");
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());
}

TEST_F(ExploreCacheTest, AChangedProgramIsExploredAgain) {
  record_run(exercise_, exploration(), passed());
  // Same size, other bytes, and a later mtime (the hash is kept per mtime).
  write(program_, "the program's BYTES");
  fs::last_write_time(program_, fs::last_write_time(program_) + std::chrono::seconds(5));
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());
}

TEST_F(ExploreCacheTest, TimeBudgetsAndOrdinaryRunsAreNeverKept) {
  TestRun timed = exploration("strategy=mix,seed=1,budget=10s");
  record_run(exercise_, timed, passed());
  EXPECT_FALSE(run_on_record(exercise_, timed).has_value());

  TestRun ordinary{program_, {}};
  record_run(exercise_, ordinary, passed());
  EXPECT_FALSE(run_on_record(exercise_, ordinary).has_value());
  EXPECT_FALSE(fs::exists(explore_record_dir()) && !fs::is_empty(explore_record_dir()));
}

TEST_F(ExploreCacheTest, AFailureIsJudgedAgainFromWhatTheRunLeft) {
  RunVerdict failed = failed_exploration();
  ASSERT_FALSE(failed.clean);
  ASSERT_TRUE(failed.explore.failed);
  record_run(exercise_, exploration(), failed);
  std::optional<RunVerdict> v = run_on_record(exercise_, exploration());
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->clean);
  EXPECT_TRUE(v->explore.on_record);
  EXPECT_EQ(v->explore.schedule, failed.explore.schedule);
  EXPECT_EQ(kinds(v->findings), kinds(failed.findings));
  EXPECT_EQ(v->step_log, failed.step_log);
  EXPECT_EQ(v->run.output, failed.run.output);
}

TEST_F(ExploreCacheTest, AFailureThatPrintedBytesThatAreNotUtf8IsKeptAsText) {
  // A hostile program's output (checker/testdata/hostile/) once made the
  // record throw, and the grade with it.
  RunVerdict failed = failed_exploration();
  failed.run.output.insert(0, "garbage \xff\xfe\x80 bytes\n");
  failed.step_log += "\xff\n";
  record_run(exercise_, exploration(), failed);
  std::optional<RunVerdict> v = run_on_record(exercise_, exploration());
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->clean);
  EXPECT_EQ(kinds(v->findings), kinds(failed.findings));
  EXPECT_EQ(v->run.output.find('\xff'), std::string::npos);
}

TEST_F(ExploreCacheTest, AReplayOfOneScheduleIsKeptApartFromItsLoggedTwin) {
  TestRun replay{program_, {{"RACELINGS_SCHEDULE", "s1-abc"}}};
  TestRun logged = replay;
  logged.step_log = true;
  record_run(exercise_, logged, failed_exploration());
  EXPECT_TRUE(run_on_record(exercise_, logged).has_value());
  EXPECT_FALSE(run_on_record(exercise_, replay).has_value());
}

TEST_F(ExploreCacheTest, FailuresThatMayComeFromTheMachineAreNotKept) {
  RunVerdict timed_out = failed_exploration();
  timed_out.run.timed_out = true;
  record_run(exercise_, exploration(), timed_out);
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());

  RunVerdict warned = failed_exploration();
  warned.warnings.push_back("the symbolizer is missing");
  record_run(exercise_, exploration(), warned);
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());

  // A verdict that judging its output again does not give (here: a finding
  // added after judging) is not kept either.
  RunVerdict added = failed_exploration();
  added.findings.push_back(report::Finding{});
  added.findings.back().kind = report::Kind::kDataRace;
  record_run(exercise_, exploration(), added);
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());
}

TEST_F(ExploreCacheTest, ARecordThatSaysFailOrIsDamagedIsNotAPass) {
  record_run(exercise_, exploration(), passed());
  ASSERT_TRUE(fs::exists(explore_record_dir()));
  for (const auto& entry : fs::directory_iterator(explore_record_dir())) {
    write(entry.path().string(), R"({"summary": "racelings: explore: result=fail schedules=3 strategy=mix"})");
  }
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());
  for (const auto& entry : fs::directory_iterator(explore_record_dir())) write(entry.path().string(), "{not json");
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());
}

TEST_F(ExploreCacheTest, TheEnvironmentVariableTurnsTheRecordOff) {
  record_run(exercise_, exploration(), passed());
  ::setenv("RACELINGS_EXPLORE_CACHE", "0", 1);
  EXPECT_FALSE(run_on_record(exercise_, exploration()).has_value());
  ::unsetenv("RACELINGS_EXPLORE_CACHE");
  EXPECT_TRUE(run_on_record(exercise_, exploration()).has_value());
}

TEST_F(ExploreCacheTest, AboveItsSizeTheLeastRecentlyUsedRecordsGo) {
  fs::create_directories(explore_record_dir());
  const auto now = fs::file_time_type::clock::now();
  // Ten records of 1000 bytes, record 0 the oldest.
  for (int i = 0; i < 10; ++i) {
    std::string path = explore_record_dir() + "/r" + std::to_string(i) + ".json";
    write(path, std::string(1000, 'x'));
    fs::last_write_time(path, now - std::chrono::hours(10 - i));
  }
  EXPECT_EQ(prune_explore_record(10000), 0) << "at its size, nothing goes";
  // Reading record 0 makes it the most recently used, as a hit does.
  record_run(exercise_, exploration(), passed());
  ASSERT_TRUE(run_on_record(exercise_, exploration()).has_value());
  fs::last_write_time(explore_record_dir() + "/r0.json", now);

  // 11 files, about 10,300 bytes, over a cap of 8000: down to 6000 at most,
  // the oldest first.
  EXPECT_EQ(prune_explore_record(8000), 5);
  EXPECT_TRUE(fs::exists(explore_record_dir() + "/r0.json")) << "used last, kept";
  for (int i = 1; i <= 5; ++i) EXPECT_FALSE(fs::exists(explore_record_dir() + "/r" + std::to_string(i) + ".json")) << i;
  for (int i = 6; i <= 9; ++i) EXPECT_TRUE(fs::exists(explore_record_dir() + "/r" + std::to_string(i) + ".json")) << i;
  EXPECT_TRUE(run_on_record(exercise_, exploration()).has_value()) << "the record just read was used last";
}

TEST_F(ExploreCacheTest, ARecordReadIsTheLastToGo) {
  record_run(exercise_, exploration(), passed());
  std::string kept;
  for (const auto& e : fs::directory_iterator(explore_record_dir())) kept = e.path().string();
  fs::last_write_time(kept, fs::file_time_type::clock::now() - std::chrono::hours(48));
  ASSERT_TRUE(run_on_record(exercise_, exploration()).has_value());
  EXPECT_GT(fs::last_write_time(kept), fs::file_time_type::clock::now() - std::chrono::hours(1));
}

}  // namespace
}  // namespace racelings::checker
