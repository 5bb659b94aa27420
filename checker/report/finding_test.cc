// Tests for finding.h: kind names, path normalisation, frame classification
// and folding.

#include "checker/report/finding.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace racelings::report {
namespace {

Frame frame_at(std::string file, int line = 1, std::string function = "f", std::string module = "") {
  Frame f;
  f.function = std::move(function);
  f.file = std::move(file);
  f.line = line;
  f.module = std::move(module);
  return f;
}

TEST(KindName, SpellsEveryKindAsTheVocabularyDoes) {
  const std::vector<std::string> expected = {"data race",
                                             "lock-order inversion",
                                             "deadlock",
                                             "livelock",
                                             "thread leak",
                                             "mutex misuse",
                                             "heap-use-after-free",
                                             "stack-use-after-scope",
                                             "stack-use-after-return",
                                             "double free",
                                             "leak",
                                             "signal-unsafe call",
                                             "test failure",
                                             "timeout",
                                             "crash",
                                             "build error",
                                             "clean"};
  ASSERT_EQ(kAllKinds.size(), expected.size());
  for (std::size_t i = 0; i < kAllKinds.size(); ++i) {
    EXPECT_EQ(kind_name(kAllKinds[i]), expected[i]);
  }
}

TEST(ParseKind, RoundTripsEveryKindName) {
  std::set<std::string_view> seen;
  for (Kind k : kAllKinds) {
    EXPECT_EQ(parse_kind(kind_name(k)), k);
    EXPECT_TRUE(seen.insert(kind_name(k)).second) << "duplicate name " << kind_name(k);
  }
}

TEST(ParseKind, RejectsNamesOutsideTheVocabulary) {
  EXPECT_EQ(parse_kind("data-race"), std::nullopt);
  EXPECT_EQ(parse_kind("Data race"), std::nullopt);
  EXPECT_EQ(parse_kind(""), std::nullopt);
  EXPECT_EQ(parse_kind("lock-order-inversion"), std::nullopt);
}

TEST(NormalizePath, StripsTheBazelSandboxUpToTheWorkspace) {
  EXPECT_EQ(normalize_path("/root/.cache/bazel/_bazel_root/0123abcd/sandbox/"
                           "processwrapper-sandbox/42/execroot/racelings/exercises/"
                           "01_spawn_join/exercise.cc"),
            "exercises/01_spawn_join/exercise.cc");
  EXPECT_EQ(normalize_path("/root/.cache/bazel/_bazel_root/0123abcd/execroot/racelings/"
                           "exercises/01_spawn_join/exercise.cc"),
            "exercises/01_spawn_join/exercise.cc");
}

TEST(NormalizePath, StripsProcSelfCwdAndBazelOut) {
  EXPECT_EQ(normalize_path("/proc/self/cwd/exercises/01_spawn_join/exercise.cc"),
            "exercises/01_spawn_join/exercise.cc");
  EXPECT_EQ(normalize_path("bazel-out/k8-fastbuild/bin/exercises/01_spawn_join/gen.cc"),
            "exercises/01_spawn_join/gen.cc");
  EXPECT_EQ(normalize_path("/x/execroot/racelings/bazel-out/k8-opt/bin/exercises/a/b.cc"), "exercises/a/b.cc");
}

TEST(NormalizePath, StripsRunfilesUpToTheWorkspace) {
  EXPECT_EQ(normalize_path("/x/bazel-out/k8-fastbuild/bin/exercises/a/a_test.runfiles/"
                           "racelings/exercises/a/data.txt"),
            "exercises/a/data.txt");
}

TEST(NormalizePath, ResolvesDotDotSegments) {
  EXPECT_EQ(normalize_path("/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/"
                           "bits/invoke.h"),
            "/usr/include/c++/12/bits/invoke.h");
  EXPECT_EQ(normalize_path("csu/../sysdeps/nptl/libc_start_call_main.h"), "sysdeps/nptl/libc_start_call_main.h");
  EXPECT_EQ(normalize_path("../sysdeps/nptl/libc_start_call_main.h"), "../sysdeps/nptl/libc_start_call_main.h");
  EXPECT_EQ(normalize_path("./exercises/./a.cc"), "exercises/a.cc");
}

TEST(NormalizePath, LeavesWorkspacePathsAlone) {
  EXPECT_EQ(normalize_path("exercises/01_spawn_join/exercise.cc"), "exercises/01_spawn_join/exercise.cc");
  EXPECT_EQ(normalize_path(""), "");
}

TEST(ClassifyFrame, CountsTheStudentsFilesAsUser) {
  EXPECT_EQ(classify_frame(frame_at("exercises/01_spawn_join/exercise.cc")), FrameCategory::kUser);
  EXPECT_EQ(classify_frame(frame_at("exercises/01_spawn_join/exercise_test.cc")), FrameCategory::kUser);
  // A file of the student's that happens to be called like a runtime file.
  EXPECT_EQ(classify_frame(frame_at("checker/testdata/programs/tsan_data_race.cc")), FrameCategory::kUser);
  // A user function with a std:: name in the user's file is still the user's.
  EXPECT_EQ(classify_frame(frame_at("exercises/a.cc", 3, "std::hash<Point>::operator()")), FrameCategory::kUser);
}

TEST(ClassifyFrame, RecognisesTheStandardLibrary) {
  EXPECT_EQ(classify_frame(frame_at("/usr/include/c++/12/bits/std_thread.h")), FrameCategory::kStandardLibrary);
  EXPECT_EQ(classify_frame(frame_at("/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h")),
            FrameCategory::kStandardLibrary);
  EXPECT_EQ(classify_frame(frame_at("", 0, "std::thread::_M_start_thread(...)")), FrameCategory::kStandardLibrary);
  EXPECT_EQ(classify_frame(frame_at("", 0, "", "libstdc++.so.6")), FrameCategory::kStandardLibrary);
}

TEST(ClassifyFrame, RecognisesGoogleTest) {
  EXPECT_EQ(classify_frame(frame_at("external/googletest/googletest/src/gtest.cc")), FrameCategory::kGoogleTest);
  EXPECT_EQ(classify_frame(frame_at("/usr/include/gtest/gtest.h")), FrameCategory::kGoogleTest);
  EXPECT_EQ(classify_frame(frame_at("", 0, "testing::Test::Run()")), FrameCategory::kGoogleTest);
}

TEST(ClassifyFrame, RecognisesTheSanitizerRuntime) {
  EXPECT_EQ(classify_frame(frame_at("../../../../src/libsanitizer/sanitizer_common/"
                                    "sanitizer_common_interceptors.inc")),
            FrameCategory::kSanitizerRuntime);
  EXPECT_EQ(classify_frame(frame_at("/build/llvm/compiler-rt/lib/tsan/rtl/tsan_rtl.cpp")),
            FrameCategory::kSanitizerRuntime);
  EXPECT_EQ(classify_frame(frame_at("crtstuff.c", 0, "__tsan::CallUserSignalHandler(...)")),
            FrameCategory::kSanitizerRuntime);
  EXPECT_EQ(classify_frame(frame_at("", 0, "__interceptor_pthread_mutex_lock")), FrameCategory::kSanitizerRuntime);
  EXPECT_EQ(classify_frame(frame_at("", 0, "pthread_create", "libtsan.so.2")), FrameCategory::kSanitizerRuntime);
}

TEST(ClassifyFrame, RecognisesLibc) {
  EXPECT_EQ(classify_frame(frame_at("sysdeps/nptl/libc_start_call_main.h")), FrameCategory::kLibc);
  EXPECT_EQ(classify_frame(frame_at("../sysdeps/unix/sysv/linux/x86_64/clone3.S")), FrameCategory::kLibc);
  EXPECT_EQ(classify_frame(frame_at("", 0, "start_thread")), FrameCategory::kLibc);
  EXPECT_EQ(classify_frame(frame_at("", 0, "clone")), FrameCategory::kLibc);
  EXPECT_EQ(classify_frame(frame_at("", 0, "", "libc.so.6")), FrameCategory::kLibc);
}

TEST(ClassifyFrame, FoldsAwayThePrimitivesInternals) {
  EXPECT_EQ(classify_frame(frame_at("primitives/mutex.h")), FrameCategory::kPrimitives);
  EXPECT_EQ(classify_frame(frame_at("/proc/self/cwd/primitives/detector.cc")), FrameCategory::kPrimitives);
  EXPECT_EQ(classify_frame(frame_at(normalize_path("/proc/self/cwd/primitives/detector.cc"))),
            FrameCategory::kPrimitives);
}

TEST(ClassifyFrame, NeverCallsAFrameWithoutASourceFileTheUsers) {
  EXPECT_EQ(classify_frame(frame_at("", 0, "main", "exercise_test")), FrameCategory::kUnknown);
  EXPECT_FALSE(is_user_frame(frame_at("", 0, "")));
}

TEST(Location, ShowsWhatIsKnown) {
  Frame f = frame_at("a.cc", 12);
  EXPECT_EQ(location(f), "a.cc:12");
  f.column = 5;
  EXPECT_EQ(location(f), "a.cc:12:5");
  EXPECT_EQ(location(frame_at("a.cc", 0)), "a.cc");
  EXPECT_EQ(location(frame_at("", 0)), "");
}

TEST(TopUserFrame, SkipsLibraryFramesAcrossStacks) {
  Finding finding;
  finding.stacks.push_back(
      Stack{"Mutex M1 acquired here",
            {frame_at("", 0, "pthread_mutex_lock"), frame_at("/usr/include/c++/12/bits/std_mutex.h", 100)}});
  finding.stacks.push_back(
      Stack{"Thread T1 created at",
            {frame_at("primitives/thread.h", 20), frame_at("exercises/20_bank/exercise.cc", 31, "transfer")}});
  const auto top = top_user_frame(finding);
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->file, "exercises/20_bank/exercise.cc");
  EXPECT_EQ(top->line, 31);
  EXPECT_EQ(top_user_frame(Finding{}), std::nullopt);
}

TEST(Fold, PutsTheStudentsFramesFirstAndKeepsTheRestInOrder) {
  const std::vector<Frame> frames = {
      frame_at("", 0, "pthread_mutex_lock"),   frame_at("/usr/include/c++/12/bits/std_mutex.h", 100),
      frame_at("exercises/a.cc", 10, "inner"), frame_at("primitives/mutex.h", 88),
      frame_at("exercises/a.cc", 20, "outer"), frame_at("sysdeps/nptl/x.h", 58),
  };
  const Folded folded = fold(frames);
  ASSERT_EQ(folded.frames.size(), frames.size());
  EXPECT_EQ(folded.shown, 2u);
  EXPECT_EQ(folded.hidden(), 4u);
  EXPECT_EQ(folded.frames[0].function, "inner");
  EXPECT_EQ(folded.frames[1].function, "outer");
  EXPECT_EQ(folded.frames[2].function, "pthread_mutex_lock");
  EXPECT_EQ(folded.frames[5].file, "sysdeps/nptl/x.h");
}

TEST(FoldedLabel, CountsHiddenFramesInWords) {
  EXPECT_EQ(folded_label(0), "");
  EXPECT_EQ(folded_label(1), "(+1 library frame)");
  EXPECT_EQ(folded_label(5), "(+5 library frames)");
}

}  // namespace
}  // namespace racelings::report
