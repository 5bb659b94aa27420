#include "checker/integrity/source_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace racelings::checker {
namespace {

const char* kPristine = R"(
#include "primitives/thread.h"
namespace exercise {
long run() {
  auto h = racelings::spawn([] { return 1L; });
  return h.join();
}
}
)";

std::vector<std::string> rules(const std::string& submitted) {
  std::vector<std::string> out;
  for (const auto& v : scan_submission(submitted, kPristine)) out.push_back(v.rule);
  return out;
}

TEST(Integrity, AnHonestFixPasses) {
  std::string fixed = kPristine;
  fixed += "// a comment that mentions exit( and __tsan_default_options is fine\n";
  fixed += "const char* note = \"abort() in a string is fine too\";\n";
  EXPECT_TRUE(rules(fixed).empty());
}

TEST(Integrity, EachWayOfSilencingOrSkippingTheCheckerIsFlagged) {
  struct Case {
    std::string code;
    std::string rule;
  } cases[] = {
      {R"(extern "C" const char* __tsan_default_options() { return "report_bugs=0"; })", "sanitizer-options"},
      {R"(extern "C" const char* __asan_default_options() { return ""; })", "sanitizer-options"},
      {"void f() { __tsan_ignore_thread_begin(); }", "sanitizer-interface"},
      {"void f() { AnnotateIgnoreWritesBegin(__FILE__, __LINE__); }", "sanitizer-annotation"},
      {"__attribute__((no_sanitize(\"thread\"))) void f() {}", "no-sanitize"},
      {"__attribute__((disable_sanitizer_instrumentation)) void f() {}", "no-sanitize"},
      {"void f() { std::exit(0); }", "early-exit"},
      {"void f() { _exit(0); }", "early-exit"},
      {"void f() { std::quick_exit(0); }", "early-exit"},
      {"auto e = &std::exit;", "early-exit"},
      {"void f() { racelings::detector::reset_thread_stats(); }", "detector-internals"},
      {"void f() { ::testing::GTEST_FLAG(repeat) = 0; }", "test-framework"},
      {"void f() { setenv(\"TSAN_OPTIONS\", \"report_bugs=0\", 1); }", "environment"},
      {"void f() { fork(); }", "process-control"},
      {"__attribute__((constructor)) void early() {}", "constructor"},
      {"void f() { syscall(231, 0); }", "raw-exit"},
      {"void f() { pthread_exit(nullptr); }", "raw-exit"},
      {"extern char** environ;", "environ"},
      {"void f() { std::filesystem::remove(\"x\"); }", "file-access"},
      {"void f() { unlink(\"x\"); }", "file-access"},
      {"void f() { asm volatile(\"\"); }", "inline-asm"},
      {"int main() { return 0; }", "main"},
      {"#include \"exercises/01_spawn_join/test.cc\"", "include-test"},
      {"#pragma clang diagnostic ignored \"-Wthread-safety\"", "pragma"},
      // Spellings a regex on the first attribute or one spelling would miss.
      {"__attribute__((__no_sanitize_thread__)) void f() {}", "no-sanitize"},
      {"__attribute__((no_address_safety_analysis)) void f() {}", "no-sanitize"},
      {"[[clang::no_sanitize(\"address\")]] void f() {}", "no-sanitize"},
      {"__attribute__((used, constructor)) void early() {}", "constructor"},
      {"__attribute__((nodebug)) void hidden() {}", "no-debug-info"},
      {"[[gnu::destructor]] void late() {}", "constructor"},
      {"extern \"C\" int __lsan_is_turned_off() { return 1; }", "sanitizer-options"},
      {"extern \"C\" void __tsan_on_finalize(int) {}", "sanitizer-options"},
      {"namespace __tsan { bool OnReport(const void*, bool) { return true; } }", "sanitizer-interface"},
      {"void f() { WTFAnnotateBenignRaceSized(nullptr, 0, \"\"); }", "sanitizer-annotation"},
      {"void f() { __sanitizer_set_report_path(\"/dev/null\"); }", "sanitizer-interface"},
      {"_Pragma(\"clang attribute push(__attribute__((cold)), apply_to = function)\")", "pragma"},
      {"#pragma redefine_extname quiet __tsan_acquire", "pragma"},
      {"#line 1 \"primitives/thread.h\"", "line-directive"},
      {"# 7 \"primitives/thread.h\"", "line-directive"},
      {"#include \"solutions/01_spawn_join/solution.cc\"", "include-other"},
      {"#include </etc/passwd>", "include-other"},
      {"#include_next <vector>", "include-other"},
      {"#define H <vector>\n#include H", "include-other"},
      {"void* p = mmap(nullptr, 4096, 3, 0x21, -1, 0);", "memory-mapping"},
      {"int fd = memfd_create(\"x\", 0);", "memory-mapping"},
  };
  for (const Case& c : cases) {
    std::string submitted = std::string(kPristine) + c.code + "\n";
    auto found = rules(submitted);
    EXPECT_NE(std::find(found.begin(), found.end(), c.rule), found.end()) << c.code;
  }
}

TEST(Integrity, ThePrimitivesAndTheStandardLibraryMayBeIncluded) {
  std::string submitted = "#include <atomic>\n#include \"primitives/mutex.h\"\n" + std::string(kPristine);
  EXPECT_TRUE(rules(submitted).empty());
}

TEST(Integrity, AMacroDefinedBeforeAnIncludeIsFlaggedAtItsLine) {
  std::string submitted = "#include <vector>\n#define inline\n#include \"primitives/mutex.h\"\n" +
                          std::string(kPristine);
  auto violations = scan_submission(submitted, kPristine);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].rule, "macro-before-include");
  EXPECT_EQ(violations[0].line, 2);
  // After the last #include, a macro is the student's own business.
  std::string after = std::string(kPristine) + "#define TWICE(x) ((x) + (x))\n";
  EXPECT_TRUE(rules(after).empty());
}

TEST(Integrity, RemovingEveryThreadIsFlagged) {
  const char* sequential = R"(
namespace exercise {
long run() { return 1L; }
}
)";
  auto violations = scan_submission(sequential, kPristine);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, "removed-concurrency");
}

TEST(Integrity, WhatTheHandedOutExerciseAlreadyDoesIsAllowed) {
  std::string pristine = std::string(kPristine) + "void fail() { std::abort(); }\n";
  EXPECT_TRUE(scan_submission(pristine, pristine).empty());
}

TEST(Integrity, ViolationsNameTheirLine) {
  std::string submitted = std::string(kPristine) + "\n\nvoid f() { std::exit(3); }\n";
  auto violations = scan_submission(submitted, kPristine);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].line, 11);
}

TEST(Integrity, CommentsAndStringsAreBlankedButLinesKept) {
  std::string in = "a // x\nb /* y\n z */ c \"s\\\"t\" 'q' R\"d(raw)d\" 1'000\n";
  std::string out = strip_comments_and_strings(in);
  EXPECT_EQ(out.size(), in.size());
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), std::count(in.begin(), in.end(), '\n'));
  EXPECT_EQ(out.find('x'), std::string::npos);
  EXPECT_EQ(out.find('y'), std::string::npos);
  EXPECT_EQ(out.find("raw"), std::string::npos);
  EXPECT_EQ(out.find('q'), std::string::npos);
  EXPECT_NE(out.find('c'), std::string::npos);
  EXPECT_NE(out.find("1'000"), std::string::npos);
}

}  // namespace
}  // namespace racelings::checker
