#include "checker/integrity/preprocessed_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace racelings::checker {
namespace {

const std::string kMain = "exercises/01_a/exercise.cc";

// What `clang -E` writes for a file that includes one header and pastes a
// hook's name on its line 4.
const char* kExpanded = R"(# 1 "exercises/01_a/exercise.cc"
# 1 "<built-in>" 1
# 1 "<built-in>" 3
# 1 "<command line>" 1
# 1 "<built-in>" 2
# 1 "exercises/01_a/exercise.cc" 2
# 1 "./primitives/thread.h" 1
namespace racelings { void spawn(); }
# 2 "exercises/01_a/exercise.cc" 2


extern "C" const char* __tsan_default_suppressions() { return "race:f"; }
void f() { racelings::spawn(); }
)";

const char* kReference = "#include \"primitives/thread.h\"\nvoid f() { racelings::spawn(); }\n";

TEST(Preprocessed, LinesMapBackToTheMainFile) {
  PreprocessedSource p = parse_preprocessed(kExpanded, kMain);
  ASSERT_EQ(p.main_lines.count(4), 1u);
  EXPECT_NE(p.main_lines.at(4).find("__tsan_default_suppressions"), std::string::npos);
  EXPECT_EQ(p.main_lines.count(1), 0u) << "the header's line is not the main file's";
  ASSERT_GE(p.files.size(), 2u);
  EXPECT_EQ(p.files.back().first, "./primitives/thread.h");
  EXPECT_EQ(p.files.back().second, 1) << "included from line 1";
}

TEST(Preprocessed, APastedHookIsFoundAtTheStudentsLine) {
  auto violations = scan_preprocessed(kExpanded, kMain, kReference);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].rule, "sanitizer-options");
  EXPECT_EQ(violations[0].line, 4);
  EXPECT_EQ(violations[0].layer, IntegrityLayer::kPreprocessed);
  EXPECT_NE(violations[0].reason.find("after its macros are expanded"), std::string::npos);
}

TEST(Preprocessed, HeadersOutsideTheProjectAndTheSystemAreFlagged) {
  std::string text = std::string(kExpanded) +
                     "# 1 \"./primitives/../solutions/01_a/solution.cc\" 1\n"
                     "int g;\n"
                     "# 7 \"exercises/01_a/exercise.cc\" 2\n";
  auto violations = scan_preprocessed(text, kMain, kReference);
  bool found = false;
  for (const auto& v : violations) {
    if (v.rule == "included-file") {
      found = true;
      EXPECT_EQ(v.line, 6) << "the line after the main file's last, where the marker is";
      EXPECT_NE(v.reason.find("solutions/01_a/solution.cc"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
}

TEST(Preprocessed, SystemAndProjectHeadersAndAnHonestFileAreClean) {
  std::string text =
      "# 1 \"exercises/01_a/exercise.cc\"\n"
      "# 1 \"/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/vector\" 1 3\n"
      "namespace std { template <class T> class vector; }\n"
      "#pragma GCC visibility push(default)\n"
      "# 2 \"exercises/01_a/exercise.cc\" 2\n"
      "# 1 \"./primitives/thread.h\" 1\n"
      "namespace racelings { void spawn(); }\n"
      "# 3 \"exercises/01_a/exercise.cc\" 2\n"
      "void f() { racelings::spawn(); }\n";
  EXPECT_TRUE(scan_preprocessed(text, kMain, kReference).empty());
}

TEST(Preprocessed, APathThatClimbsOutOfUsrIsNotASystemHeader) {
  std::string text =
      "# 1 \"exercises/01_a/exercise.cc\"\n"
      "# 1 \"/usr/../work/solutions/01_a/solution.cc\" 1\n"
      "int g;\n"
      "# 2 \"exercises/01_a/exercise.cc\" 2\n";
  auto violations = scan_preprocessed(text, kMain, kReference);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, "included-file");
}

}  // namespace
}  // namespace racelings::checker
