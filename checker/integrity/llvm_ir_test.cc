#include "checker/integrity/llvm_ir.h"

#include <gtest/gtest.h>

#include <string>

#include "checker/integrity/instrumentation_scan.h"

namespace racelings::checker {
namespace {

// The shapes clang 19 writes (-S -emit-llvm -Xclang -disable-llvm-passes -g),
// cut down: one instrumented function, one with no_sanitize("thread"), a
// compiler helper, a call through an invoke, a string that spells an
// attribute, and the debug information that places them.
const char* kModule = R"(@.str = private unnamed_addr constant [20 x i8] c"no_sanitize_address\00", align 1
@g = dso_local global i32 0, no_sanitize_address, align 4, !dbg !30

define dso_local void @_Z7watchedv() #0 !dbg !10 {
  call void @_Z4workv(), !dbg !20
  ret void, !dbg !20
}

define dso_local void @_Z6hiddenv() #1 personality ptr @__gxx_personality_v0 !dbg !11 {
  invoke void @"\01AnnotateIgnoreWritesBegin"(ptr @.str, i32 7)
          to label %ok unwind label %bad, !dbg !21
ok:
  ret void
}

define linkonce_odr hidden void @__clang_call_terminate(ptr noundef %0) #2 comdat {
  ret void
}

declare void @_Z4workv() #0
declare void @"\01AnnotateIgnoreWritesBegin"(ptr, i32)

attributes #0 = { mustprogress noinline sanitize_thread uwtable "frame-pointer"="all" }
attributes #1 = { mustprogress noinline uwtable "frame-pointer"="all" }
attributes #2 = { noinline noreturn nounwind }

!2 = !DIFile(filename: "exercises/01_a/exercise.cc", directory: "/proc/self/cwd")
!3 = !DIFile(filename: "./primitives/thread.h", directory: "/proc/self/cwd")
!10 = distinct !DISubprogram(name: "watched", linkageName: "_Z7watchedv", scope: !2, file: !2, line: 4, type: !9, scopeLine: 4, spFlags: DISPFlagDefinition, unit: !1)
!11 = distinct !DISubprogram(name: "hidden", linkageName: "_Z6hiddenv", scope: !3, file: !3, line: 40, type: !9, scopeLine: 41, spFlags: DISPFlagDefinition, unit: !1)
!20 = !DILocation(line: 5, column: 3, scope: !10)
!21 = !DILocation(line: 42, column: 3, scope: !22)
!22 = distinct !DILexicalBlock(scope: !11, file: !3, line: 41, column: 1)
!30 = !DIGlobalVariableExpression(var: !31, expr: !DIExpression())
!31 = distinct !DIGlobalVariable(name: "g", scope: !1, file: !2, line: 2, type: !9, isLocal: false, isDefinition: true)
)";

const IrSymbol* find(const IrModule& m, const std::string& name) {
  for (const IrSymbol& s : m.symbols()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

TEST(LlvmIr, FunctionsCarryTheirAttributeGroupAndPlace) {
  IrModule m = IrModule::parse(kModule);
  const IrSymbol* watched = find(m, "_Z7watchedv");
  ASSERT_NE(watched, nullptr);
  EXPECT_TRUE(watched->defined);
  EXPECT_EQ(watched->attributes.count("sanitize_thread"), 1u);
  ASSERT_TRUE(watched->location.has_value());
  EXPECT_EQ(watched->location->file, "exercises/01_a/exercise.cc");
  EXPECT_EQ(watched->location->line, 4);
  const IrSymbol* hidden = find(m, "_Z6hiddenv");
  ASSERT_NE(hidden, nullptr);
  EXPECT_EQ(hidden->attributes.count("sanitize_thread"), 0u);
  EXPECT_EQ(hidden->location->file, "./primitives/thread.h");
}

TEST(LlvmIr, AnAssemblerLabelIsTheSymbolAndAnInvokeIsPlacedByItsSecondLine) {
  IrModule m = IrModule::parse(kModule);
  const IrSymbol* annotation = find(m, "AnnotateIgnoreWritesBegin");
  ASSERT_NE(annotation, nullptr);
  EXPECT_FALSE(annotation->defined);
  auto use = m.first_use("AnnotateIgnoreWritesBegin");
  ASSERT_TRUE(use.has_value());
  EXPECT_EQ(use->line, 42);
  EXPECT_EQ(use->file, "./primitives/thread.h") << "through the lexical block to its file";
}

TEST(LlvmIr, GlobalsKeepTheirKeywordsButNotWhatTheirStringsSpell) {
  IrModule m = IrModule::parse(kModule);
  EXPECT_EQ(find(m, "g")->attributes.count("no_sanitize_address"), 1u);
  EXPECT_EQ(find(m, "g")->location->line, 2);
  EXPECT_EQ(find(m, ".str")->attributes.count("no_sanitize_address"), 0u);
}

TEST(Instrumentation, EveryUninstrumentedFunctionButTheCompilersHelpersIsFlagged) {
  IrModule m = IrModule::parse(kModule);
  auto violations = scan_instrumentation(m, "tsan", "exercises/01_a/exercise.cc");
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, "uninstrumented");
  EXPECT_EQ(violations[0].line, 0) << "defined in a header: no line of the student's";
  EXPECT_NE(violations[0].reason.find("hidden()"), std::string::npos);
  EXPECT_NE(violations[0].reason.find("./primitives/thread.h:40"), std::string::npos);
}

TEST(Instrumentation, UnderAddressSanitizerAnUncheckedGlobalIsFlaggedToo) {
  IrModule m = IrModule::parse(kModule);
  int globals = 0;
  for (const auto& v : scan_instrumentation(m, "asan", "exercises/01_a/exercise.cc")) {
    if (v.reason.find("variable `g`") != std::string::npos) {
      ++globals;
      EXPECT_EQ(v.line, 2);
    }
  }
  EXPECT_EQ(globals, 1);
}

}  // namespace
}  // namespace racelings::checker
