// Tests for report_parser.h against the logs recorded with clang 14, clang 19
// and g++ 12 (checker/testdata/record_logs.sh) and the racelings logs
// (record_racelings_logs.sh). Build errors beyond those logs:
// build_errors_test.cc; hostile input: parser_robustness_test.cc.

#include "checker/report/report_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "checker/report/testdata.h"

namespace racelings::report {
namespace {

using testing::log_names;
using testing::read_testdata;
using testing::recorded_compilers;

using Threads = std::vector<std::pair<std::string, std::string>>;  // id, name

Threads threads_of(const Finding& f) {
  Threads out;
  for (const ThreadInfo& t : f.threads) out.emplace_back(t.id, t.name);
  return out;
}

std::vector<Finding> parse_log(const std::string& relative) { return parse_reports(read_testdata(relative)); }

// ---------------------------------------------------------------------------
// Every recorded runtime log, for every compiler: the same expectations hold
// whichever compiler and runtime printed the report.

struct RecordedRuntime {
  std::string log;
  Kind kind;
  std::string tool;
  std::size_t findings;  // in the whole log
  Threads threads;       // of the first finding
  std::string file;      // top user frame of the first finding ("" if none)
  int line;
};

const std::vector<RecordedRuntime>& recorded_runtime_logs() {
  static const std::vector<RecordedRuntime> kLogs = {
      {"tsan_data_race",
       Kind::kDataRace,
       "ThreadSanitizer",
       1,
       {{"T2", "reader"}, {"T1", "writer"}},
       "tsan_data_race.cc",
       21},
      {"tsan_lock_order",
       Kind::kLockOrderInversion,
       "ThreadSanitizer",
       1,
       {{"main thread", ""}, {"T1", "inverter"}},
       "tsan_lock_order.cc",
       15},
      {"tsan_thread_leak", Kind::kThreadLeak, "ThreadSanitizer", 1, {{"T1", "forgotten"}}, "tsan_thread_leak.cc", 16},
      {"tsan_unlock_unlocked", Kind::kMutexMisuse, "ThreadSanitizer", 1, {}, "tsan_unlock_unlocked.cc", 7},
      {"tsan_destroy_locked", Kind::kMutexMisuse, "ThreadSanitizer", 1, {}, "tsan_destroy_locked.cc", 8},
      {"tsan_double_lock", Kind::kMutexMisuse, "ThreadSanitizer", 1, {}, "tsan_double_lock.cc", 19},
      {"tsan_signal_unsafe", Kind::kSignalUnsafeCall, "ThreadSanitizer", 2, {}, "tsan_signal_unsafe.cc", 14},
      {"asan_heap_use_after_free",
       Kind::kHeapUseAfterFree,
       "AddressSanitizer",
       1,
       {{"T0", ""}, {"T1", ""}},
       "asan_heap_use_after_free.cc",
       23},
      {"asan_stack_use_after_scope",
       Kind::kStackUseAfterScope,
       "AddressSanitizer",
       1,
       {{"T0", ""}},
       "asan_stack_use_after_scope.cc",
       14},
      {"asan_stack_use_after_return",
       Kind::kStackUseAfterReturn,
       "AddressSanitizer",
       1,
       {{"T0", ""}},
       "asan_stack_use_after_return.cc",
       16},
      {"asan_double_free",
       Kind::kDoubleFree,
       "AddressSanitizer",
       1,
       {{"T0", ""}, {"T1", ""}},
       "asan_double_free.cc",
       19},
      {"lsan_leak", Kind::kLeak, "LeakSanitizer", 1, {}, "lsan_leak.cc", 9},
      {"ubsan_error", Kind::kCrash, "UndefinedBehaviorSanitizer", 1, {}, "ubsan_error.cc", 7},
      {"test_failure", Kind::kTestFailure, "gtest", 2, {}, "test_failure.cc", 17},
      {"crash_segfault", Kind::kCrash, "racelings", 1, {}, "", 0},
      {"crash_uncaught_exception", Kind::kCrash, "racelings", 1, {}, "", 0},
  };
  return kLogs;
}

// Compiler output: the lines of the errors, in order, per compiler.
struct RecordedBuild {
  std::string log;
  std::vector<int> clang_lines;
  std::vector<int> gcc_lines;  // empty with gcc_has_log false: clang only
  bool gcc_has_log;
  std::string first_title_part;  // the first error's message contains this (clang)
};

const std::vector<RecordedBuild>& recorded_build_logs() {
  static const std::vector<RecordedBuild> kLogs = {
      {"build_error", {11, 12}, {11, 12, 12}, true, "undeclared identifier 'countr'"},
      {"thread_safety_error",
       {25, 29},
       {},
       false,
       "writing variable 'balance' requires holding mutex 'mu' exclusively"},
      {"link_error", {4}, {4}, true, "shared_total(int)"},
  };
  return kLogs;
}

std::string param_name(const std::string& compiler, const std::string& log) {
  std::string name = compiler + "_" + log;
  std::string out;
  for (char c : name) {
    if (c == '+') {
      out += 'p';
    } else if (c == '-' || c == '.') {
      out += '_';
    } else {
      out += c;
    }
  }
  return out;
}

class RecordedRuntimeLog : public ::testing::TestWithParam<std::tuple<std::string, RecordedRuntime>> {};

TEST_P(RecordedRuntimeLog, GivesTheKindThreadNamesAndTopUserFrame) {
  const auto& [compiler, expected] = GetParam();
  const auto findings = parse_log("logs/" + compiler + "/" + expected.log + ".log");
  ASSERT_EQ(findings.size(), expected.findings);
  const Finding& f = findings.front();
  EXPECT_EQ(kind_name(f.kind), kind_name(expected.kind));
  EXPECT_EQ(f.tool, expected.tool);
  EXPECT_FALSE(f.title.empty());
  EXPECT_FALSE(f.raw.empty());
  EXPECT_EQ(threads_of(f), expected.threads);
  const auto top = top_user_frame(f);
  if (expected.file.empty()) {
    EXPECT_EQ(top, std::nullopt) << top->file;
  } else {
    ASSERT_TRUE(top.has_value());
    EXPECT_EQ(top->file, "checker/testdata/programs/" + expected.file);
    EXPECT_EQ(top->line, expected.line);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryCompiler, RecordedRuntimeLog,
                         ::testing::Combine(::testing::ValuesIn(recorded_compilers()),
                                            ::testing::ValuesIn(recorded_runtime_logs())),
                         [](const auto& info) {
                           return param_name(std::get<0>(info.param), std::get<1>(info.param).log);
                         });

class RecordedBuildLog : public ::testing::TestWithParam<std::tuple<std::string, RecordedBuild>> {};

TEST_P(RecordedBuildLog, GivesOneBuildErrorPerErrorWithItsLine) {
  const auto& [compiler, expected] = GetParam();
  const bool gcc = compiler.rfind("g++", 0) == 0;
  const auto findings = parse_build_errors(read_testdata("logs/" + compiler + "/" + expected.log + ".log"));
  const std::vector<int>& lines = gcc ? expected.gcc_lines : expected.clang_lines;
  ASSERT_EQ(findings.size(), lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(findings[i].kind, Kind::kBuildError);
    const auto top = top_user_frame(findings[i]);
    ASSERT_TRUE(top.has_value()) << findings[i].title;
    EXPECT_EQ(top->file, "checker/testdata/programs/" + expected.log + ".cc");
    EXPECT_EQ(top->line, lines[i]);
  }
  if (!gcc) EXPECT_NE(findings[0].title.find(expected.first_title_part), std::string::npos);
}

// Every compiler and log, but -Wthread-safety only with Clang.
std::vector<std::tuple<std::string, RecordedBuild>> build_cases() {
  std::vector<std::tuple<std::string, RecordedBuild>> cases;
  for (const std::string& compiler : recorded_compilers()) {
    for (const RecordedBuild& b : recorded_build_logs()) {
      if (compiler.rfind("g++", 0) != 0 || b.gcc_has_log) cases.emplace_back(compiler, b);
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(EveryCompiler, RecordedBuildLog, ::testing::ValuesIn(build_cases()), [](const auto& info) {
  return param_name(std::get<0>(info.param), std::get<1>(info.param).log);
});

TEST(RecordedLogs, EveryRecordedLogHasExpectationsInThisTest) {
  for (const std::string& compiler : recorded_compilers()) {
    std::set<std::string> expected;
    for (const auto& r : recorded_runtime_logs()) expected.insert(r.log);
    for (const auto& b : recorded_build_logs()) {
      if (compiler != "g++-12" || b.gcc_has_log) expected.insert(b.log);
    }
    const auto names = log_names("logs/" + compiler);
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected) << compiler;
  }
}

// ---------------------------------------------------------------------------
// Details of the recorded reports.

TEST(ParseReports, NormalisesSandboxPathsInFramesAndSummary) {
  for (const std::string& compiler : recorded_compilers()) {
    const auto findings = parse_log("logs/" + compiler + "/tsan_data_race.log");
    ASSERT_EQ(findings.size(), 1u);
    for (const Stack& s : findings[0].stacks) {
      for (const Frame& f : s.frames) {
        EXPECT_EQ(f.file.find("execroot"), std::string::npos) << f.file;
        EXPECT_EQ(f.file.find("/proc/self/cwd"), std::string::npos) << f.file;
        if (is_user_frame(f)) EXPECT_EQ(f.file.find(".."), std::string::npos) << f.file;
      }
    }
    EXPECT_EQ(findings[0].summary.find("execroot"), std::string::npos);
    EXPECT_EQ(findings[0].summary.find("/proc/self/cwd"), std::string::npos);
  }
  // clang-14 and g++ report the sandbox path; clang-19 /proc/self/cwd.
  EXPECT_NE(read_testdata("logs/clang-14/tsan_data_race.log").find("/execroot/racelings/"), std::string::npos);
  EXPECT_NE(read_testdata("logs/clang-19/tsan_data_race.log").find("/proc/self/cwd/"), std::string::npos);
}

TEST(ParseReports, ReadsEachFrameOfATsanStack) {
  const auto findings = parse_log("logs/clang-19/tsan_data_race.log");
  ASSERT_EQ(findings.size(), 1u);
  const Stack& read = findings[0].stacks.at(0);
  EXPECT_EQ(read.heading.rfind("Read of size", 0), 0u) << read.heading;
  ASSERT_EQ(read.frames.size(), 7u);
  EXPECT_EQ(read.frames[0].index, 0);
  EXPECT_EQ(read.frames[0].function, "(anonymous namespace)::reader()");
  EXPECT_EQ(read.frames[0].line, 21);
  EXPECT_EQ(read.frames[0].column, 28);
  EXPECT_EQ(read.frames[0].module, "tsan_data_race");
  EXPECT_EQ(read.frames[1].file, "/usr/include/c++/12/bits/invoke.h");
  EXPECT_EQ(read.frames[6].function, "");
  EXPECT_EQ(read.frames[6].module, "libstdc++.so.6");
  const Folded folded = fold(read.frames);
  EXPECT_EQ(folded.shown, 1u);
  EXPECT_EQ(folded.hidden(), 6u);
  EXPECT_EQ(findings[0].stacks.at(1).heading.rfind("Previous write of size", 0), 0u);
}

TEST(ParseReports, KeepsLinesThatAreNeitherHeadingsNorFramesAsNotes) {
  const auto findings = parse_log("logs/clang-14/tsan_data_race.log");
  ASSERT_EQ(findings.size(), 1u);
  bool location = false;
  for (const std::string& note : findings[0].notes) {
    location = location || note.find("Location is global") == 0;
  }
  EXPECT_TRUE(location);
}

TEST(ParseReports, DropsTsansUnnamedGlobalForAStackAddress) {
  for (const std::string& compiler : {"clang-14", "clang-19"}) {
    const auto findings = parse_log("logs/" + compiler + "/tsan_unlock_unlocked.log");
    ASSERT_EQ(findings.size(), 1u) << compiler;
    bool stack = false;
    for (const std::string& note : findings[0].notes) {
      EXPECT_EQ(note.find("global '?\?'"), std::string::npos) << compiler << ": " << note;
      stack = stack || note == "Location is stack of main thread.";
    }
    EXPECT_TRUE(stack) << compiler;
    // The raw report keeps every line.
    EXPECT_NE(findings[0].raw.find("global '?\?'"), std::string::npos) << compiler;
  }
}

TEST(ParseReports, GivesTheCreationSiteOfEachNamedThread) {
  const auto findings = parse_log("logs/g++-12/tsan_data_race.log");
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_EQ(findings[0].threads.size(), 2u);
  EXPECT_EQ(findings[0].threads[0].created_at, "checker/testdata/programs/tsan_data_race.cc:28");
  EXPECT_EQ(findings[0].threads[1].created_at, "checker/testdata/programs/tsan_data_race.cc:27");
  const auto leak = parse_log("logs/clang-19/tsan_thread_leak.log");
  ASSERT_EQ(leak.size(), 1u);
  EXPECT_EQ(leak[0].threads.at(0).created_at, "checker/testdata/programs/tsan_thread_leak.cc:16");
}

TEST(ParseReports, ReportsEachSignalUnsafeCallAtItsOwnLine) {
  for (const std::string& compiler : recorded_compilers()) {
    const auto findings = parse_log("logs/" + compiler + "/tsan_signal_unsafe.log");
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(top_user_frame(findings[0])->line, 14);
    EXPECT_EQ(top_user_frame(findings[1])->line, 15);
  }
}

TEST(ParseReports, NamesTheMutexMisuseInTheTitle) {
  EXPECT_NE(parse_log("logs/clang-14/tsan_unlock_unlocked.log")[0].title.find("unlock of an unlocked mutex"),
            std::string::npos);
  EXPECT_NE(parse_log("logs/clang-14/tsan_destroy_locked.log")[0].title.find("destroy of a locked mutex"),
            std::string::npos);
  EXPECT_NE(parse_log("logs/clang-14/tsan_double_lock.log")[0].title.find("double lock of a mutex"), std::string::npos);
}

TEST(ParseReports, MakesOneFindingPerFailedTestWithEveryAssertion) {
  for (const std::string& compiler : recorded_compilers()) {
    const auto findings = parse_log("logs/" + compiler + "/test_failure.log");
    ASSERT_EQ(findings.size(), 2u) << compiler;
    EXPECT_EQ(findings[0].title, "Counter.CountsFourThreads");
    ASSERT_EQ(findings[0].stacks.size(), 1u);
    EXPECT_NE(findings[0].stacks[0].heading.find("Which is: 4"), std::string::npos);
    EXPECT_EQ(findings[1].title, "Counter.NeverGoesNegative");
    ASSERT_EQ(findings[1].stacks.size(), 2u);
    EXPECT_NE(findings[1].stacks[0].heading.find("counter was not negative"), std::string::npos);
    EXPECT_EQ(findings[1].stacks[1].frames.at(0).line, 22);
    EXPECT_EQ(findings[1].summary, "checker/testdata/programs/test_failure.cc:21: Value of: count_with_threads(2) < 0");
  }
}

TEST(ParseReports, TreatsAnUncaughtExceptionAndTheShellsAbortAsOneCrash) {
  for (const std::string& compiler : recorded_compilers()) {
    const auto findings = parse_log("logs/" + compiler + "/crash_uncaught_exception.log");
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].title, "terminate called after throwing an instance of 'std::runtime_error'");
    std::string notes;
    for (const std::string& n : findings[0].notes) notes += n + "\n";
    EXPECT_NE(notes.find("worker failed"), std::string::npos) << notes;
    EXPECT_NE(notes.find("Aborted"), std::string::npos) << notes;
  }
}

TEST(ParseReports, RecognisesASegfaultReportedByTheShell) {
  const auto findings = parse_log("logs/g++-12/crash_segfault.log");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, Kind::kCrash);
  EXPECT_EQ(findings[0].title, "Segmentation fault");
}

TEST(ParseReports, KeepsWhatUndefinedBehaviourHappenedInTheTitle) {
  const auto findings = parse_log("logs/clang-19/ubsan_error.log");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].title,
            "runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in "
            "type 'int'");
}

// ---------------------------------------------------------------------------
// racelings' own reports, recorded from checker/testdata/programs/
// racelings_reports.cc by record_racelings_logs.sh.

constexpr const char* kReportsProgram = "checker/testdata/programs/racelings_reports.cc";

// The line of racelings_reports.cc marked `// site: <log>`.
int marked_line(const std::string& log) {
  const std::string source = read_testdata("programs/racelings_reports.cc");
  const std::string marker = "// site: " + log + "\n";
  const std::size_t at = source.find(marker);
  if (at == std::string::npos) return -1;
  return 1 + static_cast<int>(std::count(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

struct RacelingsLog {
  std::string log;
  std::vector<Kind> kinds;
  Threads threads;  // of the first finding
};

TEST(ParseReports, ReadsEveryRacelingsReportShape) {
  const std::vector<RacelingsLog> logs = {
      {"deadlock_all_blocked", {Kind::kDeadlock}, {{"T1", "consumer"}, {"T0", "main"}}},
      {"deadlock_cycle", {Kind::kLockOrderInversion, Kind::kDeadlock}, {{"T2", "teller-2"}, {"T1", "teller-1"}}},
      {"deadlock_cycle_tsan", {Kind::kLockOrderInversion, Kind::kDeadlock}, {{"T2", "teller-2"}, {"T1", "teller-1"}}},
      {"deadlock_self", {Kind::kDeadlock}, {{"T0", "main"}}},
      {"lock_order_inversion", {Kind::kLockOrderInversion}, {{"T2", "teller-2"}, {"T1", "teller-1"}}},
      {"thread_leak", {Kind::kThreadLeak}, {{"T1", "uploader"}}},
      {"mutex_misuse", {Kind::kMutexMisuse, Kind::kMutexMisuse}, {{"T1", "worker"}}},
      {"timeout", {Kind::kTimeout, Kind::kTestFailure}, {{"T0", "main"}, {"T1", "producer"}}},
  };
  std::set<std::string> covered;
  for (const RacelingsLog& expected : logs) {
    SCOPED_TRACE(expected.log);
    covered.insert(expected.log);
    const auto findings = parse_log("logs/racelings/" + expected.log + ".log");
    ASSERT_EQ(findings.size(), expected.kinds.size());
    for (std::size_t i = 0; i < findings.size(); ++i) {
      EXPECT_EQ(kind_name(findings[i].kind), kind_name(expected.kinds[i]));
      EXPECT_EQ(findings[i].tool, findings[i].kind == Kind::kTestFailure ? "gtest" : "racelings");
    }
    EXPECT_EQ(threads_of(findings[0]), expected.threads);
    const int line = marked_line(expected.log.starts_with("deadlock_cycle") ? "deadlock_cycle" : expected.log);
    ASSERT_GT(line, 0) << "no `// site: " << expected.log << "` in " << kReportsProgram;
    const auto top = top_user_frame(findings[0]);
    ASSERT_TRUE(top.has_value());
    EXPECT_EQ(top->file, kReportsProgram);
    EXPECT_EQ(top->line, line);
    // SUMMARY names the same place as the top user frame (REPORTS.md).
    EXPECT_NE(findings[0].summary.find(std::string(kReportsProgram) + ":" + std::to_string(line) + ":"),
              std::string::npos)
        << findings[0].summary;
  }
  const auto names = log_names("logs/racelings");
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), covered);
}

TEST(ParseReports, KeepsTheQualifierOfARacelingsKind) {
  const auto findings = parse_log("logs/racelings/deadlock_self.log");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].title, "racelings: deadlock (thread re-locks a mutex it already holds)");
}

TEST(ParseReports, NotesTheTestDuringWhichTheDetectorReported) {
  const auto findings = parse_log("logs/racelings/deadlock_all_blocked.log");
  ASSERT_EQ(findings.size(), 1u);
  const auto& notes = findings[0].notes;
  EXPECT_NE(std::find(notes.begin(), notes.end(), "while running test KeepSender.ReceivesEveryMessage"), notes.end());
}

TEST(ParseReports, FoldsThePrimitivesAndTheSanitizersFramesOfARacelingsReport) {
  const auto findings = parse_log("logs/racelings/deadlock_cycle_tsan.log");
  ASSERT_EQ(findings.size(), 2u);
  const Stack& reporting = findings[1].stacks.back();
  EXPECT_EQ(reporting.heading, "Stack of the reporting thread");
  const Folded folded = fold(reporting.frames);
  // Only the test's own lambda is shown; the detector, the primitives, the
  // standard library and the thread start are folded away.
  ASSERT_EQ(folded.shown, 1u);
  EXPECT_EQ(folded.frames[0].file, kReportsProgram);
  EXPECT_EQ(folded.frames[0].line, marked_line("deadlock_cycle"));
  EXPECT_GT(folded.hidden(), 10u);
}

TEST(ParseReports, GivesTheCreationSiteOfALeakedThread) {
  const auto findings = parse_log("logs/racelings/thread_leak.log");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].threads.at(0).created_at,
            std::string(kReportsProgram) + ":" + std::to_string(marked_line("thread_leak")));
}

// ---------------------------------------------------------------------------
// Mixed, repeated and truncated output.

TEST(ParseReports, FindsEveryReportInOutputOfTwoRuns) {
  const auto findings = parse_log("logs/mixed.log");
  std::vector<Kind> kinds;
  for (const Finding& f : findings) kinds.push_back(f.kind);
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::kDataRace, Kind::kTestFailure, Kind::kLockOrderInversion, Kind::kDataRace,
                                      Kind::kTestFailure, Kind::kCrash}));
  ASSERT_EQ(findings.size(), 6u);
  EXPECT_EQ(threads_of(findings[0]), (Threads{{"T2", "adder-2"}, {"T1", "adder-1"}, {"main thread", ""}}));
  EXPECT_EQ(threads_of(findings[2]), (Threads{{"T3", "teller-1"}, {"T4", "teller-2"}}));
  EXPECT_EQ(findings[1].title, "Counter.IsExact");
  EXPECT_EQ(top_user_frame(findings[1])->file, "exercises/03_counter/exercise_test.cc");
  EXPECT_EQ(top_user_frame(findings[1])->line, 12);
}

TEST(ParseReports, NotesWhichTestWasRunning) {
  const auto findings = parse_log("logs/mixed.log");
  ASSERT_EQ(findings.size(), 6u);
  EXPECT_EQ(findings[5].notes, std::vector<std::string>{"while running test Bank.TransfersBothWays"});
  const auto& race_notes = findings[0].notes;
  EXPECT_NE(std::find(race_notes.begin(), race_notes.end(), "while running test Counter.IsExact"), race_notes.end());
}

TEST(ParseReports, ReportsBlocksCutOffBeforeTheirEnd) {
  const auto findings = parse_log("logs/truncated.log");
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].kind, Kind::kDeadlock);
  EXPECT_EQ(threads_of(findings[0]), (Threads{{"T1", "teller-1"}, {"T2", "teller-2"}}));
  EXPECT_EQ(top_user_frame(findings[0])->line, 31);
  EXPECT_TRUE(findings[0].summary.empty());
  EXPECT_EQ(findings[1].kind, Kind::kDataRace);
  EXPECT_EQ(threads_of(findings[1]), (Threads{{"T2", ""}, {"T1", "teller-1"}}));
  EXPECT_EQ(top_user_frame(findings[1])->file, "exercises/20_bank_transfer/exercise.cc");
  EXPECT_EQ(findings[1].stacks.size(), 2u);
}

TEST(ParseReports, FindsAReportWhoseBeginningWasCutOff) {
  const auto findings = parse_reports(
      "    #3 <null> <null> (libstdc++.so.6+0xd44a2)\n"
      "\n"
      "SUMMARY: ThreadSanitizer: data race /proc/self/cwd/exercises/03_counter/exercise.cc:14:12 "
      "in Counter::increment()\n"
      "==================\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, Kind::kDataRace);
  EXPECT_EQ(findings[0].summary,
            "ThreadSanitizer: data race exercises/03_counter/exercise.cc:14:12 in "
            "Counter::increment()");
  const auto top = top_user_frame(findings[0]);
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->function, "Counter::increment()");
  EXPECT_EQ(top->line, 14);
}

TEST(ParseReports, ReturnsNothingForCleanOutput) {
  EXPECT_TRUE(parse_reports("").empty());
  EXPECT_TRUE(parse_reports("\n\n\n").empty());
  EXPECT_TRUE(parse_reports("[==========] Running 1 test from 1 test suite.\n"
                            "[ RUN      ] A.B\n[       OK ] A.B (0 ms)\n"
                            "[  PASSED  ] 1 test.\nhello\n")
                  .empty());
  // Words that only look like reports.
  EXPECT_TRUE(parse_reports("error: runtime error: not really\n"
                            "what(): std::runtime_error: runtime error: nope\n"
                            "WARNING: ThreadSanitizer is not a report without a colon\n"
                            "the job Aborted by user request\n"
                            "SUMMARY: 3 items\n")
                  .empty());
}

TEST(ParseReports, IgnoresColourEscapes) {
  const auto findings = parse_reports(
      "\x1b[1m\x1b[31m==42==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020 at pc "
      "0x1\x1b[1m\x1b[0m\n"
      "\x1b[1m\x1b[0m\x1b[1m\x1b[34mREAD of size 4 at 0x6020 thread T0\x1b[1m\x1b[0m\n"
      "    #0 0x55 in main /proc/self/cwd/exercises/a/exercise.cc:8:10\n"
      "SUMMARY: AddressSanitizer: heap-use-after-free exercises/a/exercise.cc:8:10 in main\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, Kind::kHeapUseAfterFree);
  EXPECT_EQ(findings[0].stacks.at(0).heading, "READ of size 4 at 0x6020 thread T0");
  EXPECT_EQ(top_user_frame(findings[0])->file, "exercises/a/exercise.cc");
}

TEST(ParseReports, MapsEveryThreadSanitizerWarningToTheVocabulary) {
  const std::vector<std::pair<std::string, Kind>> cases = {
      {"data race", Kind::kDataRace},
      {"data race on vptr (ctor/dtor vs virtual call)", Kind::kDataRace},
      {"lock-order-inversion (potential deadlock)", Kind::kLockOrderInversion},
      {"thread leak", Kind::kThreadLeak},
      {"heap-use-after-free (virtual call vs free)", Kind::kHeapUseAfterFree},
      {"unlock of an unlocked mutex (or by a wrong thread)", Kind::kMutexMisuse},
      {"destroy of a locked mutex", Kind::kMutexMisuse},
      {"double lock of a mutex", Kind::kMutexMisuse},
      {"use of an invalid mutex (e.g. uninitialized or destroyed)", Kind::kMutexMisuse},
      {"read lock of a write locked mutex", Kind::kMutexMisuse},
      {"read unlock of a write locked mutex", Kind::kMutexMisuse},
      {"signal-unsafe call inside of a signal", Kind::kSignalUnsafeCall},
      {"signal handler spoils errno", Kind::kSignalUnsafeCall},
      {"SEGV on unknown address 0x000000000000", Kind::kCrash},
  };
  for (const auto& [what, kind] : cases) {
    const auto findings = parse_reports("==================\nWARNING: ThreadSanitizer: " + what + " (pid=7)\n");
    ASSERT_EQ(findings.size(), 1u) << what;
    EXPECT_EQ(kind_name(findings[0].kind), kind_name(kind)) << what;
    EXPECT_EQ(findings[0].title, "ThreadSanitizer: " + what);
  }
}

TEST(ParseReports, MapsAddressSanitizerErrorsOutsideTheVocabularyToCrash) {
  const std::vector<std::pair<std::string, Kind>> cases = {
      {"heap-buffer-overflow on address 0x6020 at pc 0x1 bp 0x2 sp 0x3", Kind::kCrash},
      {"stack-buffer-overflow on address 0x7ffc at pc 0x1 bp 0x2 sp 0x3", Kind::kCrash},
      {"global-buffer-overflow on address 0x55 at pc 0x1 bp 0x2 sp 0x3", Kind::kCrash},
      {"SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 T0)", Kind::kCrash},
      {"alloc-dealloc-mismatch (operator new [] vs operator delete) on 0x6020", Kind::kCrash},
      {"attempting free on address which was not malloc()-ed: 0x7ffc in thread T0", Kind::kCrash},
      {"attempting double-free on 0x6030 in thread T0:", Kind::kDoubleFree},
      {"stack-use-after-return on address 0x7f35", Kind::kStackUseAfterReturn},
  };
  for (const auto& [what, kind] : cases) {
    const auto findings = parse_reports("==1==ERROR: AddressSanitizer: " + what + "\n");
    ASSERT_EQ(findings.size(), 1u) << what;
    EXPECT_EQ(kind_name(findings[0].kind), kind_name(kind)) << what;
    EXPECT_EQ(findings[0].tool, "AddressSanitizer");
  }
}

TEST(ParseReports, ReadsUndefinedBehaviourWithoutAStackTrace) {
  const auto findings = parse_reports(
      "exercises/a/exercise.cc:7:15: runtime error: division by zero\n"
      "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior exercises/a/exercise.cc:7:15 in\n"
      "next line of output\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, Kind::kCrash);
  EXPECT_EQ(findings[0].title, "runtime error: division by zero");
  const auto top = top_user_frame(findings[0]);
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->line, 7);
  EXPECT_EQ(top->column, 15);
}

TEST(ParseReports, RecognisesCrashesThatGlibcAndTheRuntimePrint) {
  const std::vector<std::pair<std::string, Kind>> cases = {
      {"free(): double free detected in tcache 2", Kind::kDoubleFree},
      {"double free or corruption (fasttop)", Kind::kDoubleFree},
      {"munmap_chunk(): invalid pointer", Kind::kCrash},
      {"*** stack smashing detected ***: terminated", Kind::kCrash},
      {"terminate called without an active exception", Kind::kCrash},
      {"pure virtual method called", Kind::kCrash},
      {"Bus error (core dumped)", Kind::kCrash},
  };
  for (const auto& [line, kind] : cases) {
    const auto findings = parse_reports("some output\n" + line + "\n");
    ASSERT_EQ(findings.size(), 1u) << line;
    EXPECT_EQ(kind_name(findings[0].kind), kind_name(kind)) << line;
  }
}

TEST(ParseReports, PointsAFailedAssertAtItsLine) {
  const auto findings = parse_reports(
      "exercise_test: exercises/05_barrier/exercise.cc:42: void wait_all(): Assertion "
      "`count == 4' failed.\nAborted (core dumped)\n");
  ASSERT_EQ(findings.size(), 1u);
  const auto top = top_user_frame(findings[0]);
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->file, "exercises/05_barrier/exercise.cc");
  EXPECT_EQ(top->line, 42);
  EXPECT_EQ(top->function, "void wait_all()");
}

TEST(ParseReports, DoesNotRepeatFailedTestsFromGTestsClosingList) {
  const auto findings = parse_reports(
      "[ RUN      ] A.B\n"
      "a.cc:3: Failure\nboom\n"
      "[  FAILED  ] A.B (1 ms)\n"
      "[  FAILED  ] 2 tests, listed below:\n"
      "[  FAILED  ] A.B\n"
      "[  FAILED  ] A.C\n");
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].title, "A.B");
  EXPECT_EQ(findings[1].title, "A.C");  // its own output was lost: still a failure
  EXPECT_TRUE(findings[1].stacks.empty());
}

// ---------------------------------------------------------------------------
// Merging.

TEST(MergeFindings, MergesTheSameRaceSeenFromEitherSide) {
  const auto merged = merge_findings(parse_log("logs/mixed.log"));
  ASSERT_EQ(merged.size(), 4u);
  EXPECT_EQ(merged[0].kind, Kind::kDataRace);
  EXPECT_EQ(merged[0].count, 2);
  EXPECT_EQ(merged[1].kind, Kind::kTestFailure);
  EXPECT_EQ(merged[1].count, 2);
  EXPECT_EQ(merged[2].kind, Kind::kLockOrderInversion);
  EXPECT_EQ(merged[2].count, 1);
  EXPECT_EQ(merged[3].kind, Kind::kCrash);
}

TEST(MergeFindings, KeepsDifferentPlacesApart) {
  const auto merged = merge_findings(parse_log("logs/clang-14/tsan_signal_unsafe.log"));
  EXPECT_EQ(merged.size(), 2u);
}

TEST(MergeFindings, SumsCountsOverConcatenatedRunsOfEveryLog) {
  for (const std::string& compiler : recorded_compilers()) {
    for (const auto& r : recorded_runtime_logs()) {
      const std::string log = read_testdata("logs/" + compiler + "/" + r.log + ".log");
      const auto once = merge_findings(parse_reports(log));
      const auto thrice = merge_findings(parse_reports(log + log + log));
      ASSERT_EQ(thrice.size(), once.size()) << compiler << " " << r.log;
      for (std::size_t i = 0; i < once.size(); ++i) {
        EXPECT_EQ(thrice[i].count, 3 * once[i].count) << compiler << " " << r.log;
      }
    }
  }
}

TEST(MergeKey, IgnoresAddressesAndPidsButNotKinds) {
  const auto a = parse_reports("Segmentation fault\n");
  const auto b = parse_reports("bash: line 1:  4242 Segmentation fault      ./x\n");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(merge_key(a[0]), merge_key(b[0]));
  Finding other = a[0];
  other.kind = Kind::kDoubleFree;
  EXPECT_NE(merge_key(a[0]), merge_key(other));
}

}  // namespace
}  // namespace racelings::report
