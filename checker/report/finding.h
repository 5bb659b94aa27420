// checker/report/finding.h
// -----------------------------------------------------------------------------
//
// What the checker found in a program's output: a `Finding` of one `Kind` (the
// checker's fixed vocabulary, see shared/DESIGN.md "Findings"), with the
// threads involved, the stacks the tool printed, and the text it came from.
//
// Helpers here turn a frame into something a student can read: paths lose
// Bazel's sandbox prefixes (`normalize_path`), frames are sorted into the
// student's own and everybody else's (`classify_frame`, `fold`), and
// `top_user_frame` names the line in the student's file where the problem
// shows.
//
// Rust equivalent: none in the seeds; this plays the part of the `Display`
// impl that rustlings puts on a compiler diagnostic.

#ifndef RACELINGS_CHECKER_REPORT_FINDING_H_
#define RACELINGS_CHECKER_REPORT_FINDING_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace racelings::report {

// Whether `s` contains `part` (string_view::contains is C++23's).
inline bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// The checker's vocabulary. The string forms (`kind_name`) are part of the
// interface: they appear in reports, JSON and the racelings report blocks.
enum class Kind {
  kDataRace,             // "data race"
  kLockOrderInversion,   // "lock-order inversion"
  kDeadlock,             // "deadlock"
  kLivelock,             // "livelock"
  kThreadLeak,           // "thread leak"
  kMutexMisuse,          // "mutex misuse"
  kHeapUseAfterFree,     // "heap-use-after-free"
  kStackUseAfterScope,   // "stack-use-after-scope"
  kStackUseAfterReturn,  // "stack-use-after-return"
  kDoubleFree,           // "double free"
  kLeak,                 // "leak"
  kSignalUnsafeCall,     // "signal-unsafe call"
  kTestFailure,          // "test failure"
  kTimeout,              // "timeout"
  kCrash,                // "crash"
  kBuildError,           // "build error"
  kClean,                // "clean"
};

// Every kind, in the order above.
inline constexpr std::array<Kind, 17> kAllKinds = {
    Kind::kDataRace,
    Kind::kLockOrderInversion,
    Kind::kDeadlock,
    Kind::kLivelock,
    Kind::kThreadLeak,
    Kind::kMutexMisuse,
    Kind::kHeapUseAfterFree,
    Kind::kStackUseAfterScope,
    Kind::kStackUseAfterReturn,
    Kind::kDoubleFree,
    Kind::kLeak,
    Kind::kSignalUnsafeCall,
    Kind::kTestFailure,
    Kind::kTimeout,
    Kind::kCrash,
    Kind::kBuildError,
    Kind::kClean,
};

// kind_name(): the string form, e.g. "lock-order inversion".
std::string_view kind_name(Kind kind);

// parse_kind(): the inverse of kind_name(); exact match only.
std::optional<Kind> parse_kind(std::string_view name);

// One frame of a stack. `file` is normalised (see normalize_path); `line` and
// `column` are 0 when unknown; `module` is the binary or library's file name
// when the tool printed one (e.g. "libc.so.6").
struct Frame {
  int index = 0;
  std::string function, file;
  int line = 0, column = 0;
  std::string module;
};

// A stack with the line the tool printed above it, without its final colon,
// e.g. "Write of size 4 at 0x7b04... by thread T1".
struct Stack {
  std::string heading;
  std::vector<Frame> frames;
};

// A thread named in a report: `id` is what the tool calls it ("T1", "main
// thread"), `name` what the program named it (pthread_setname_np or
// racelings' thread::Builder), `created_at` the "file:line" of the first of
// the student's frames in the stack that created it, when the report has one.
struct ThreadInfo {
  std::string id;
  std::string name;
  std::string created_at;
};

// One problem found in a program's output.
struct Finding {
  Kind kind = Kind::kClean;
  // Who reported it: "ThreadSanitizer", "AddressSanitizer", "LeakSanitizer",
  // "UndefinedBehaviorSanitizer", "racelings" (our primitives, and crashes
  // recognised from output or exit signals), "gtest", or for build errors
  // "compiler" / "linker".
  std::string tool;
  std::string title;    // the WARNING/ERROR line's text, without pid
  std::string summary;  // the SUMMARY line, paths normalised
  std::vector<ThreadInfo> threads;
  std::vector<Stack> stacks;
  // Lines of the report that are neither headings nor frames, e.g.
  // "Location is global 'counter' of size 4 at 0x...".
  std::vector<std::string> notes;
  std::string raw;  // the block's text as printed (capped, see kMaxRawBytes)
  int count = 1;    // how many identical findings merge_findings() merged
};

// Bounds that keep memory use flat whatever the input.
inline constexpr std::size_t kMaxFramesPerStack = 64;
inline constexpr std::size_t kMaxStacksPerFinding = 16;
inline constexpr std::size_t kMaxThreadsPerFinding = 32;
inline constexpr std::size_t kMaxNotesPerFinding = 16;
inline constexpr std::size_t kMaxRawBytes = 16 * 1024;

// normalize_path(): removes what Bazel and the toolchain put in front of a
// workspace path, so that every tool's frames name the same file the same way:
//   /root/.cache/bazel/_bazel_root/<hash>/sandbox/processwrapper-sandbox/3/
//     execroot/racelings/exercises/x.cc       -> exercises/x.cc
//   /proc/self/cwd/exercises/x.cc             -> exercises/x.cc
//   bazel-out/k8-fastbuild/bin/exercises/x.pb -> exercises/x.pb
//   .../x_test.runfiles/racelings/exercises/x -> exercises/x
//   /usr/bin/../lib/gcc/../../include/c++/12/bits/invoke.h (".." resolved)
std::string normalize_path(std::string_view path);

// Where a frame's code comes from. Everything but kUser is folded away when a
// finding is shown to a student.
enum class FrameCategory {
  kUser,              // the student's own files
  kStandardLibrary,   // /usr/include/c++, bits/, std:: functions, libstdc++
  kGoogleTest,        // googletest, gtest, testing::
  kSanitizerRuntime,  // compiler-rt, sanitizer_common, tsan_, asan_, interceptors
  kLibc,              // libc.so, sysdeps, clone, start_thread
  kPrimitives,        // racelings' own primitives/ internals
  kUnknown,           // no source file and nothing else to tell
};

std::string_view category_name(FrameCategory category);
FrameCategory classify_frame(const Frame& frame);
inline bool is_user_frame(const Frame& frame) { return classify_frame(frame) == FrameCategory::kUser; }

// location(): "file:line:column", "file:line" or "file" (empty if no file).
std::string location(const Frame& frame);

// top_user_frame(): the first frame, across the finding's stacks in order,
// that is in the student's own files; nullopt if there is none.
std::optional<Frame> top_user_frame(const Finding& finding);

// fold(): the frames of a stack, the student's own first (in their original
// order), then the rest (also in order). `shown` is how many lead.
struct Folded {
  std::vector<Frame> frames;
  std::size_t shown = 0;
  std::size_t hidden() const { return frames.size() - shown; }
};
Folded fold(const std::vector<Frame>& frames);

// folded_label(): "(+5 library frames)", "(+1 library frame)", or "" for 0.
std::string folded_label(std::size_t hidden);

}  // namespace racelings::report

#endif  // RACELINGS_CHECKER_REPORT_FINDING_H_
