// Tests of parse_build_errors() beyond the recorded logs (those are in
// report_parser_test.cc), and of crash_from_signal().

#include <gtest/gtest.h>

#include <csignal>
#include <optional>
#include <string>

#include "checker/report/report_parser.h"
#include "checker/report/testdata.h"

namespace racelings::report {
namespace {

using testing::read_testdata;
using testing::recorded_compilers;

TEST(ParseBuildErrors, AttachesNotesAndTheFunctionGccNames) {
  const auto findings = parse_build_errors(read_testdata("logs/g++-12/build_error.log"));
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].stacks.at(0).frames.at(0).function, "int main()");
  ASSERT_EQ(findings[1].notes.size(), 1u);
  EXPECT_EQ(findings[1].notes[0], "/usr/include/c++/12/bits/std_mutex.h:94:5: declared here");
}

TEST(ParseBuildErrors, NamesTheFunctionThatHasTheUndefinedReference) {
  for (const std::string& compiler : recorded_compilers()) {
    const auto findings = parse_build_errors(read_testdata("logs/" + compiler + "/link_error.log"));
    ASSERT_EQ(findings.size(), 1u) << compiler;
    EXPECT_EQ(findings[0].tool, "linker");
    EXPECT_EQ(findings[0].stacks.at(0).frames.at(0).function, "main");
    EXPECT_NE(findings[0].title.find("shared_total(int)"), std::string::npos);
  }
}

TEST(ParseBuildErrors, IgnoresWarningsAndReportsABareLinkerFailureOnce) {
  EXPECT_TRUE(parse_build_errors("a.cc:1:2: warning: unused variable 'x' [-Wunused-variable]\n"
                                 "    1 | int x;\n")
                  .empty());
  const auto findings = parse_build_errors("collect2: error: ld returned 1 exit status\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].tool, "linker");
  const auto missing = parse_build_errors("clang: error: no such file or directory: 'x.cc'\n");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].tool, "compiler");
  EXPECT_EQ(top_user_frame(missing[0]), std::nullopt);
}

TEST(CrashFromSignal, NamesTheSignal) {
  const Finding segv = crash_from_signal(SIGSEGV);
  EXPECT_EQ(segv.kind, Kind::kCrash);
  EXPECT_EQ(segv.tool, "racelings");
  EXPECT_NE(segv.title.find("SIGSEGV"), std::string::npos);
  EXPECT_NE(crash_from_signal(SIGABRT).title.find("SIGABRT"), std::string::npos);
  EXPECT_NE(crash_from_signal(99).title.find("signal 99"), std::string::npos);
}

}  // namespace
}  // namespace racelings::report
