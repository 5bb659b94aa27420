#include "checker/judge.h"

#include <gtest/gtest.h>

#include <csignal>

namespace racelings::checker {
namespace {

using report::Kind;

// A completion record as test_main writes it after every test ran.
std::optional<CompletionRecord> completed(int result = 0, int ran = 3, int total = 3) {
  return CompletionRecord{result, ran, total, result == 0 ? 0 : 1};
}

RunResult exited(int code, std::string output) {
  RunResult r;
  r.started = true;
  r.exit_code = code;
  r.output = std::move(output);
  return r;
}

const char* kRace = R"(==================
WARNING: ThreadSanitizer: data race (pid=1)
  Write of size 4 at 0x1 by thread T1:
    #0 f() /x/execroot/racelings/exercises/01_a/exercise.cc:5:3 (t+0x1)

  Previous read of size 4 at 0x1 by main thread:
    #0 g() /x/execroot/racelings/exercises/01_a/exercise.cc:9:3 (t+0x2)

SUMMARY: ThreadSanitizer: data race /x/exercises/01_a/exercise.cc:5:3 in f()
==================
)";

TEST(Judge, ATestThatRanToTheEndWithNothingReportedIsClean) {
  RunVerdict v = judge(exited(0, "[  PASSED  ] 1 test.\n"), completed());
  EXPECT_TRUE(v.clean);
  EXPECT_TRUE(v.findings.empty());
}

TEST(Judge, AnEarlyExitWithCodeZeroIsNotAPass) {
  // The completion record never came: something ended the program before the tests did.
  RunVerdict v = judge(exited(0, "[ RUN      ] A.B\n"), std::nullopt);
  EXPECT_FALSE(v.clean);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(v.findings[0].kind, Kind::kTestFailure);
  EXPECT_NE(v.findings[0].title.find("before its tests finished"), std::string::npos);
}

TEST(Judge, ARunWhereSomeTestsNeverRanIsNotAPass) {
  RunVerdict v = judge(exited(0, ""), completed(0, 1, 3));
  EXPECT_FALSE(v.clean);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_NE(v.findings[0].title.find("only 1 of the 3 tests ran"), std::string::npos);
}

TEST(Judge, SanitizerReportsBecomeFindings) {
  RunVerdict v = judge(exited(66, kRace), std::nullopt);
  EXPECT_FALSE(v.clean);
  EXPECT_TRUE(has_kind(v.findings, Kind::kDataRace));
}

TEST(Judge, ARaceIsAFindingEvenWhenTheTestsPassed) {
  RunVerdict v = judge(exited(66, kRace), completed());
  EXPECT_FALSE(v.clean);
  EXPECT_EQ(kinds(v.findings), std::vector<Kind>{Kind::kDataRace});
}

TEST(Judge, TimeoutsSignalsAndMemoryBecomeTheirOwnFindings) {
  RunResult t = exited(-1, "");
  t.timed_out = true;
  EXPECT_EQ(judge(t, std::nullopt).findings.at(0).kind, Kind::kTimeout);
  RunResult s = exited(-1, "");
  s.signal = SIGSEGV;
  EXPECT_EQ(judge(s, std::nullopt).findings.at(0).kind, Kind::kCrash);
  RunResult m = exited(-1, "");
  m.out_of_memory = true;
  RunVerdict mv = judge(m, std::nullopt);
  EXPECT_EQ(mv.findings.at(0).kind, Kind::kCrash);
  EXPECT_NE(mv.findings.at(0).title.find("memory"), std::string::npos);
}

TEST(Judge, ADeadlockReportIsNotAlsoCalledATimeout) {
  RunResult r = exited(
      -1,
      "==================\nWARNING: racelings: deadlock (all threads are blocked) (pid=3)\n"
      "  Every thread is waiting.\n\nSUMMARY: racelings: deadlock a.cc:1:1 in f()\n==================\n");
  r.timed_out = true;
  RunVerdict v = judge(r, std::nullopt);
  EXPECT_EQ(kinds(v.findings), std::vector<Kind>{Kind::kDeadlock});
}

TEST(Judge, FailingTestsWithoutReportsAreTestFailures) {
  RunVerdict v = judge(exited(1, ""), completed(1));
  EXPECT_EQ(kinds(v.findings), std::vector<Kind>{Kind::kTestFailure});
}

TEST(Judge, AnAtexitHandlerCannotTurnFailedTestsIntoAPass) {
  // The record says the tests failed; the exit code 0 came after it.
  RunVerdict v = judge(exited(0, ""), completed(1));
  EXPECT_FALSE(v.clean);
  EXPECT_EQ(kinds(v.findings), std::vector<Kind>{Kind::kTestFailure});
}

}  // namespace
}  // namespace racelings::checker
