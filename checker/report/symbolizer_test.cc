// A sanitizer run without its symbolizer is said plainly, and the runtime's
// own messages are never taken for a compiler's (issue #15).

#include "checker/report/symbolizer.h"

#include <gtest/gtest.h>

#include "checker/report/report_parser.h"

namespace racelings::report {
namespace {

// As printed by a TSan-built exercise whose external_symbolizer_path names a
// file that is not there (llvm-19 not installed).
constexpr std::string_view kNoSymbolizer =
    "==27406==WARNING: invalid path to external symbolizer!\n"
    "==27406==WARNING: Failed to use and restart external symbolizer!\n"
    "==================\n"
    "WARNING: ThreadSanitizer: data race (pid=27406)\n"
    "  Write of size 8 at 0x7ffdd7c8eac0 by thread T2:\n"
    "    #0 <null> <null> (test_bin+0x143920) (BuildId: fe37bec6d518fb65)\n"
    "    #1 <null> <null> (test_bin+0xc0637) (BuildId: fe37bec6d518fb65)\n"
    "\n"
    "  Previous read of size 8 at 0x7ffdd7c8eac0 by main thread:\n"
    "    #0 <null> <null> (test_bin+0x1435a7) (BuildId: fe37bec6d518fb65)\n"
    "\n"
    "SUMMARY: ThreadSanitizer: data race (/tmp/test_bin+0x143920)\n"
    "==================\n";

// With the symbolizer there, as printed by the same program.
constexpr std::string_view kSymbolized =
    "WARNING: ThreadSanitizer: data race (pid=1)\n"
    "  Write of size 8 at 0x7ffdd7c8eac0 by thread T2:\n"
    "    #0 exercise::sum() exercises/01_spawn_join/exercise.cc:21:11 (test_bin+0x143920)\n"
    "SUMMARY: ThreadSanitizer: data race exercises/01_spawn_join/exercise.cc:21:11 in exercise::sum()\n";

TEST(Symbolizer, AMissingSymbolizerIsSaidWithWhatIsLostAndThePackageThatFixesIt) {
  std::string warning = symbolizer_warning(kNoSymbolizer);
  EXPECT_NE(warning.find("could not turn addresses into files and lines"), std::string::npos) << warning;
  EXPECT_NE(warning.find("apt-get install llvm-19"), std::string::npos) << warning;
  EXPECT_NE(warning.find("/usr/lib/llvm-19/bin/llvm-symbolizer"), std::string::npos) << warning;
}

TEST(Symbolizer, ASymbolizerThatDidNotStartIsSaidToo) {
  // A symbolizer that could not run (here a proxy missing a shared library),
  // with a report that still names some lines.
  EXPECT_NE(symbolizer_warning("/tmp/p/llvm-symbolizer: error while loading shared libraries: libx.so\n"
                               "==22224==WARNING: external symbolizer didn't start up correctly!\n"
                               "    #0 exercise::sum() exercises/01_spawn_join/exercise.cc:21:11\n"),
            "");
}

TEST(Symbolizer, FramesThatAreAllNullWithoutAWarningAreNoticedToo) {
  std::string_view quiet = kNoSymbolizer.substr(kNoSymbolizer.find("=================="));
  EXPECT_NE(symbolizer_warning(quiet), "");
}

TEST(Symbolizer, ASymbolizedReportGetsNoWarning) {
  EXPECT_EQ(symbolizer_warning(kSymbolized), "");
  EXPECT_EQ(symbolizer_warning(""), "");
}

TEST(Symbolizer, TheRuntimesOwnMessagesAreNotBuildErrors) {
  EXPECT_TRUE(parse_build_errors("==27406==WARNING: invalid path to external symbolizer!\n").empty());
  EXPECT_TRUE(parse_build_errors("/usr/bin/llvm-symbolizer-19: error: '[stack]': No such file or directory\n").empty());
  EXPECT_TRUE(parse_build_errors(kNoSymbolizer).empty());
  // A real compiler error next to them is still found.
  auto errors = parse_build_errors(
      "/usr/bin/llvm-symbolizer-19: error: '[stack]': No such file or directory\n"
      "exercises/01_spawn_join/exercise.cc:3:1: error: unknown type name 'x'\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].kind, Kind::kBuildError);
}

TEST(Symbolizer, RecognisesRuntimeLines) {
  EXPECT_TRUE(is_sanitizer_runtime_line("==1==ERROR: AddressSanitizer: heap-use-after-free"));
  EXPECT_TRUE(is_sanitizer_runtime_line("  /usr/lib/llvm-19/bin/llvm-symbolizer: error: 'x': No such file"));
  EXPECT_FALSE(is_sanitizer_runtime_line("a.cc:1:2: error: expected ';'"));
  EXPECT_FALSE(is_sanitizer_runtime_line("== not a banner"));
  EXPECT_FALSE(is_sanitizer_runtime_line("ld.lld: error: undefined symbol: f()"));
}

}  // namespace
}  // namespace racelings::report
