// The parser on hostile input: binary garbage, one huge line, more findings
// than it keeps, frames and text past their caps. Nothing may crash, hang or
// grow without bound.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "checker/report/report_parser.h"
#include "checker/report/testdata.h"

namespace racelings::report {
namespace {

using testing::read_testdata;

// Input size for the big-input tests; RACELINGS_PARSER_MB scales it.
std::size_t big_input_bytes() {
  const char* mb = std::getenv("RACELINGS_PARSER_MB");
  const long n = mb != nullptr ? std::atol(mb) : 16;
  return static_cast<std::size_t>(n > 0 ? n : 16) << 20;
}

TEST(ParseReports, SurvivesBinaryGarbageMixedWithReportFragments) {
  std::mt19937 random(12345);
  const std::vector<std::string> fragments = {"==================\n",
                                              "WARNING: ThreadSanitizer: data race (pid=1)\n",
                                              "    #0 ",
                                              "SUMMARY: ",
                                              "[ RUN      ] A.B\n",
                                              "[  FAILED  ] A.B (1 ms)\n",
                                              ": runtime error: ",
                                              "x.cc:1: Failure\n",
                                              "WARNING: racelings: deadlock (pid=1)\n",
                                              "#",
                                              ":",
                                              "\n",
                                              "\x1b[",
                                              "Segmentation fault\n",
                                              "  what():  ",
                                              "  Thread T",
                                              " 'x' ",
                                              " created by "};
  std::string input;
  const std::size_t size = big_input_bytes();
  input.reserve(size + 64);
  while (input.size() < size) {
    if (random() % 8 == 0) {
      input += fragments[random() % fragments.size()];
    } else {
      input.push_back(static_cast<char>(random() & 0xff));
    }
  }
  const auto findings = parse_reports(input);
  EXPECT_LE(findings.size(), kMaxFindings);
  for (const Finding& f : findings) {
    EXPECT_LE(f.raw.size(), kMaxRawBytes);
    EXPECT_LE(f.stacks.size(), kMaxStacksPerFinding);
    EXPECT_LE(f.threads.size(), kMaxThreadsPerFinding);
    EXPECT_LE(f.notes.size(), kMaxNotesPerFinding);
    for (const Stack& s : f.stacks) EXPECT_LE(s.frames.size(), kMaxFramesPerStack);
  }
  parse_build_errors(input);  // must simply return
}

TEST(ParseReports, HandlesOneHugeLineWithoutNewlines) {
  std::string input = "WARNING: ThreadSanitizer: data race (pid=1)";
  input.append(big_input_bytes(), 'x');
  const auto findings = parse_reports(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_LE(findings[0].title.size(), 1024u);
  EXPECT_LE(findings[0].raw.size(), kMaxRawBytes);
  EXPECT_LE(parse_build_errors(input).size(), 1u);
}

TEST(ParseReports, MergesPastTheFindingLimitInsteadOfGrowing) {
  const std::string race = read_testdata("logs/clang-19/tsan_data_race.log");
  std::string input;
  const std::size_t runs = kMaxFindings + 500;
  for (std::size_t i = 0; i < runs; ++i) input += race;
  const auto findings = parse_reports(input);
  ASSERT_EQ(findings.size(), kMaxFindings);
  int total = 0;
  for (const Finding& f : findings) total += f.count;
  EXPECT_EQ(total, static_cast<int>(runs));
  EXPECT_EQ(merge_findings(findings).at(0).count, static_cast<int>(runs));
}

TEST(ParseReports, CapsFramesStacksAndRawText) {
  std::string input = "WARNING: ThreadSanitizer: data race (pid=1)\n";
  for (int s = 0; s < 40; ++s) {
    input += "  Read of size 4 at 0x1 by thread T" + std::to_string(s) + ":\n";
    for (int f = 0; f < 200; ++f) {
      input += "    #" + std::to_string(f) + " f() exercises/a.cc:" + std::to_string(f + 1) + ":1 (x+0x1)\n";
    }
    input += "\n";
  }
  const auto findings = parse_reports(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].stacks.size(), kMaxStacksPerFinding);
  for (const Stack& s : findings[0].stacks) EXPECT_EQ(s.frames.size(), kMaxFramesPerStack);
  EXPECT_LE(findings[0].raw.size(), kMaxRawBytes);
  EXPECT_EQ(findings[0].threads.size(), kMaxStacksPerFinding);  // one per kept heading
}

}  // namespace
}  // namespace racelings::report
