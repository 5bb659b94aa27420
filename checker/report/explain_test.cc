// Tests for explain.h: the paragraphs, the terminal rendering and the JSON.

#include "checker/report/explain.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checker/report/report_parser.h"
#include "checker/report/testdata.h"

namespace racelings::report {
namespace {

using testing::log_names;
using testing::read_testdata;
using testing::recorded_compilers;

Finding only_finding(const std::string& relative) {
  const auto findings = parse_reports(read_testdata(relative));
  if (findings.size() != 1) {
    ADD_FAILURE() << relative << " has " << findings.size() << " findings";
    return Finding{};
  }
  return findings[0];
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Explanation, GivesEveryKindAParagraphThatSaysWhatFixesIt) {
  for (Kind kind : kAllKinds) {
    const std::string_view text = explanation(kind);
    EXPECT_GT(text.size(), 200u) << kind_name(kind);
    EXPECT_EQ(text.back(), '.') << kind_name(kind);
    EXPECT_EQ(text.find('\n'), std::string_view::npos) << kind_name(kind);
  }
  EXPECT_NE(explanation(Kind::kDataRace), explanation(Kind::kDeadlock));
}

TEST(Explanation, IsMorePreciseWhenTheToolSaysMore) {
  const Finding ubsan = only_finding("logs/clang-19/ubsan_error.log");
  EXPECT_NE(explanation(ubsan), explanation(Kind::kCrash));
  EXPECT_TRUE(has(std::string(explanation(ubsan)), "undefined"));

  const auto errors = parse_build_errors(read_testdata("logs/clang-19/thread_safety_error.log"));
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(has(std::string(explanation(errors[0])), "-Wthread-safety"));
  EXPECT_NE(explanation(errors[0]), explanation(Kind::kBuildError));

  const Finding terminate = only_finding("logs/g++-12/crash_uncaught_exception.log");
  EXPECT_TRUE(has(std::string(explanation(terminate)), "std::terminate"));

  const Finding segfault = only_finding("logs/g++-12/crash_segfault.log");
  EXPECT_EQ(explanation(segfault), explanation(Kind::kCrash));
}

TEST(Explanation, SaysSoWhenATestFoundTheThreadsRemoved) {
  // What an exercise's test prints when a "fix" does the work without threads.
  const std::string log =
      "[ RUN      ] SpawnJoin.TheCallerSeesTheWorkersCompleteSum\n"
      "exercises/01_spawn_join/test.cc:22: Failure\n"
      "Expected: (threads.spawned) >= (1), actual: 0 vs 1\n"
      "the first half must still be summed on a spawned worker thread\n"
      "[  FAILED  ] SpawnJoin.TheCallerSeesTheWorkersCompleteSum (3 ms)\n";
  const auto findings = parse_reports(log);
  ASSERT_EQ(findings.size(), 1u);
  const std::string text(explanation(findings[0]));
  EXPECT_TRUE(has(text, "no longer runs concurrently")) << text;

  // Any other failed assertion keeps the general paragraph.
  const auto other = parse_reports(read_testdata("logs/clang-14/test_failure.log"));
  ASSERT_EQ(other.size(), 2u);
  EXPECT_EQ(explanation(other[1]), explanation(Kind::kTestFailure));
}

TEST(Render, ShowsTitleThreadsOwnFramesAndHowManyWereFolded) {
  const Finding race = only_finding("logs/clang-14/tsan_data_race.log");
  const std::string text = render(race, false);
  EXPECT_EQ(text.rfind("data race: ThreadSanitizer: data race\n", 0), 0u) << text;
  EXPECT_TRUE(has(text, "threads: T2 'reader', T1 'writer'")) << text;
  EXPECT_TRUE(has(text, "Read of size 1 at ")) << text;
  EXPECT_TRUE(has(text,
                  "#0 (anonymous namespace)::reader() "
                  "checker/testdata/programs/tsan_data_race.cc:21:28\n"))
      << text;
  EXPECT_TRUE(has(text,
                  "(anonymous namespace)::writer() "
                  "checker/testdata/programs/tsan_data_race.cc:15:16\n"))
      << text;
  EXPECT_TRUE(has(text, "(+6 library frames)")) << text;
  EXPECT_FALSE(has(text, "/usr/include")) << text;
  EXPECT_FALSE(has(text, "execroot")) << text;
  EXPECT_FALSE(has(text, "std::thread")) << text;
  EXPECT_FALSE(has(text, "created by main thread")) << text;  // shown as created at
  EXPECT_TRUE(has(text, "What this means: Two threads")) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(Render, NamesTheStudentsLineBelowTheHeadlineAsRustcDoes) {
  // Editors read these two lines (.vscode/tasks.json's problem matcher).
  const Finding race = only_finding("logs/clang-14/tsan_data_race.log");
  EXPECT_EQ(render(race, false)
                .rfind("data race: ThreadSanitizer: data race\n"
                       "  --> checker/testdata/programs/tsan_data_race.cc:21:28\n",
                       0),
            0u)
      << render(race, false);
  Finding nowhere;
  nowhere.kind = Kind::kTimeout;
  EXPECT_FALSE(has(render(nowhere, false), "-->"));
}

TEST(Render, ShowsWhereEachThreadWasCreated) {
  const Finding race = only_finding("logs/g++-12/tsan_data_race.log");
  EXPECT_TRUE(has(render(race, false), "T2 'reader' (created at checker/testdata/programs/tsan_data_race.cc:28)"));
}

TEST(Render, UsesColourOnlyWhenAsked) {
  const Finding race = only_finding("logs/clang-19/tsan_data_race.log");
  EXPECT_FALSE(has(render(race, false), "\x1b["));
  const std::string coloured = render(race, true);
  EXPECT_TRUE(has(coloured, "\x1b[1;31mdata race\x1b[0m"));
  EXPECT_TRUE(has(coloured, "\x1b[36mchecker/testdata/programs/tsan_data_race.cc:21:28\x1b[0m"));
}

TEST(Render, SaysHowOftenAMergedFindingWasSeen) {
  Finding race = only_finding("logs/clang-19/tsan_data_race.log");
  EXPECT_FALSE(has(render(race, false), "seen"));
  race.count = 3;
  EXPECT_TRUE(has(render(race, false), "(seen 3 times)"));
}

TEST(Render, ShowsEachFailedAssertionOfATest) {
  const auto findings = parse_reports(read_testdata("logs/clang-14/test_failure.log"));
  ASSERT_EQ(findings.size(), 2u);
  const std::string text = render(findings[1], false);
  EXPECT_EQ(text.rfind("test failure: Counter.NeverGoesNegative\n", 0), 0u) << text;
  EXPECT_TRUE(has(text, "  Value of: count_with_threads(2) < 0\n")) << text;
  EXPECT_TRUE(has(text, "counter was not negative")) << text;
  EXPECT_TRUE(has(text, "checker/testdata/programs/test_failure.cc:21\n")) << text;
  EXPECT_TRUE(has(text, "checker/testdata/programs/test_failure.cc:22\n")) << text;
}

TEST(Render, WrapsTheExplanationAtTheGivenWidth) {
  const Finding leak = only_finding("logs/clang-19/lsan_leak.log");
  Style style;
  style.width = 50;
  const std::string text = render(leak, style);
  const std::size_t start = text.find("  What this means:");
  ASSERT_NE(start, std::string::npos);
  std::size_t line_start = start;
  int lines = 0;
  while (line_start < text.size()) {
    const std::size_t end = text.find('\n', line_start);
    EXPECT_LE(end - line_start, 50u) << text.substr(line_start, end - line_start);
    line_start = end + 1;
    ++lines;
  }
  EXPECT_GT(lines, 5);
  style.show_explanation = false;
  EXPECT_FALSE(has(render(leak, style), "What this means"));
}

TEST(RenderAll, SaysCleanWhenNothingWasFound) {
  const std::string text = render_all({});
  EXPECT_EQ(text.rfind("clean\n", 0), 0u) << text;
}

TEST(RenderAll, SeparatesFindingsWithABlankLine) {
  const auto findings = parse_reports(read_testdata("logs/mixed.log"));
  const std::string text = render_all(merge_findings(findings));
  EXPECT_TRUE(has(text, "\n\nlock-order inversion: racelings: lock-order inversion")) << text;
  EXPECT_TRUE(has(text, "data race: ThreadSanitizer: data race (seen 2 times)")) << text;
}

TEST(ToJson, HasEveryFieldOfAFinding) {
  const Finding race = only_finding("logs/clang-19/tsan_data_race.log");
  const nlohmann::json j = to_json(race);
  EXPECT_EQ(j["kind"], "data race");
  EXPECT_EQ(j["tool"], "ThreadSanitizer");
  EXPECT_EQ(j["title"], "ThreadSanitizer: data race");
  EXPECT_EQ(j["count"], 1);
  ASSERT_EQ(j["threads"].size(), 2u);
  EXPECT_EQ(j["threads"][0]["id"], "T2");
  EXPECT_EQ(j["threads"][0]["name"], "reader");
  EXPECT_EQ(j["top_frame"]["file"], "checker/testdata/programs/tsan_data_race.cc");
  EXPECT_EQ(j["top_frame"]["line"], 21);
  EXPECT_EQ(j["top_frame"]["column"], 28);
  EXPECT_EQ(j["top_frame"]["category"], "user");
  EXPECT_EQ(j["stacks"][0]["frames"][1]["category"], "standard library");
  EXPECT_EQ(j["stacks"][0]["library_frames"], 6);
  EXPECT_TRUE(j["summary"].is_string());
  EXPECT_TRUE(j["notes"].is_array());
  EXPECT_TRUE(has(j["explanation"].get<std::string>(), "Two threads"));
  EXPECT_TRUE(has(j["raw"].get<std::string>(), "WARNING: ThreadSanitizer: data race"));
}

TEST(ToJson, GivesNullForAFindingWithoutUserFrames) {
  const nlohmann::json j = to_json(crash_from_signal(11));
  EXPECT_TRUE(j["top_frame"].is_null());
  EXPECT_EQ(j["kind"], "crash");
}

TEST(ToJson, DumpsBytesThatAreNotUtf8) {
  Finding f;
  f.kind = Kind::kCrash;
  f.title = "bad \xff\xfe bytes \xc3";
  f.raw = "\x80\x81 ok \xe2\x82\xac";
  std::string dumped;
  EXPECT_NO_THROW(dumped = to_json(f).dump());
  EXPECT_TRUE(has(dumped, "\xe2\x82\xac"));  // valid UTF-8 is kept
}

TEST(ToJson, DumpsEveryRecordedLog) {
  std::vector<std::string> dirs = {"logs/racelings"};
  for (const std::string& c : recorded_compilers()) dirs.push_back("logs/" + c);
  std::size_t total = 0;
  for (const std::string& dir : dirs) {
    for (const std::string& name : log_names(dir)) {
      const std::string text = read_testdata(dir + "/" + name + ".log");
      auto findings = parse_reports(text);
      for (Finding& f : parse_build_errors(text)) findings.push_back(std::move(f));
      ASSERT_FALSE(findings.empty()) << dir << "/" << name;
      const nlohmann::json j = to_json(findings);
      EXPECT_NO_THROW((void)j.dump()) << dir << "/" << name;
      for (const Finding& f : findings) EXPECT_FALSE(render(f, true).empty());
      total += findings.size();
    }
  }
  EXPECT_GT(total, 60u);
}

}  // namespace
}  // namespace racelings::report
