// checker/report/finding.cc: kind names, path normalisation, frame folding.

#include "checker/report/finding.h"

#include <algorithm>
#include <utility>

namespace racelings::report {
namespace {

constexpr std::array<std::pair<Kind, std::string_view>, 17> kKindNames = {{
    {Kind::kDataRace, "data race"},
    {Kind::kLockOrderInversion, "lock-order inversion"},
    {Kind::kDeadlock, "deadlock"},
    {Kind::kLivelock, "livelock"},
    {Kind::kThreadLeak, "thread leak"},
    {Kind::kMutexMisuse, "mutex misuse"},
    {Kind::kHeapUseAfterFree, "heap-use-after-free"},
    {Kind::kStackUseAfterScope, "stack-use-after-scope"},
    {Kind::kStackUseAfterReturn, "stack-use-after-return"},
    {Kind::kDoubleFree, "double free"},
    {Kind::kLeak, "leak"},
    {Kind::kSignalUnsafeCall, "signal-unsafe call"},
    {Kind::kTestFailure, "test failure"},
    {Kind::kTimeout, "timeout"},
    {Kind::kCrash, "crash"},
    {Kind::kBuildError, "build error"},
    {Kind::kClean, "clean"},
}};

// Whether `path` has `name` as one whole component ("a/name/b", "name/b").
bool has_component(std::string_view path, std::string_view name) {
  for (std::size_t at = path.find(name); at != std::string_view::npos; at = path.find(name, at + 1)) {
    const bool starts = at == 0 || path[at - 1] == '/';
    const std::size_t end = at + name.size();
    const bool ends = end == path.size() || path[end] == '/';
    if (starts && ends) return true;
  }
  return false;
}

std::string_view basename(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Drops the first path component ("racelings/x/y.cc" -> "x/y.cc").
std::string_view drop_component(std::string_view path) {
  const std::size_t slash = path.find('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
}

// Resolves "." and ".." lexically: "/usr/bin/../lib" -> "/usr/lib",
// "csu/../sysdeps/x.h" -> "sysdeps/x.h"; a leading ".." of a relative path stays.
std::string collapse_dots(std::string_view path) {
  const bool absolute = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(part);
      }
    } else {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out = absolute ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out;
}

bool is_sanitizer_function(std::string_view fn) {
  for (std::string_view prefix : {"__tsan", "__asan", "__lsan", "__ubsan", "__msan", "__sanitizer", "__interceptor",
                                  "__interception", "___interceptor"}) {
    if (fn.starts_with(prefix)) return true;
  }
  return false;
}

bool is_libc_function(std::string_view fn) {
  for (std::string_view name :
       {"clone", "clone3", "__clone", "__clone3", "start_thread", "_start", "__libc_start_main",
        "__libc_start_main_impl", "__libc_start_call_main", "call_init", "__GI_raise", "__GI_abort", "raise", "abort",
        "__pthread_kill_implementation", "__pthread_kill_internal", "__restore_rt"}) {
    if (fn == name) return true;
  }
  return false;
}

bool is_std_function(std::string_view fn) {
  for (std::string_view prefix :
       {"std::", "__gnu_cxx::", "__cxxabiv1::", "__cxa_", "__gthread", "operator new", "operator delete", "__gxx_"}) {
    if (fn.starts_with(prefix)) return true;
  }
  return false;
}

// Sanitizer runtime sources are tsan_*.cpp, asan_*.cpp, sanitizer_*.inc...
bool is_runtime_basename(std::string_view base) {
  for (std::string_view prefix : {"tsan_", "asan_", "lsan_", "ubsan_", "sanitizer_"}) {
    if (base.starts_with(prefix)) return true;
  }
  return false;
}

FrameCategory classify_file(std::string_view file) {
  const std::string_view base = basename(file);
  // A bare runtime file name, or one in a build tree outside the workspace;
  // the student's own "exercises/tsan_demo.cc" is not the runtime.
  const bool runtime_dir = file.find('/') == std::string_view::npos || file.starts_with("../") || file.starts_with("/");
  if (file.starts_with("primitives/") || contains(file, "/primitives/")) {
    return FrameCategory::kPrimitives;
  }
  if (contains(file, "compiler-rt") || contains(file, "sanitizer_common") || contains(file, "libsanitizer") ||
      contains(file, "interceptor") || has_component(file, "tsan") || has_component(file, "asan") ||
      has_component(file, "lsan") || has_component(file, "ubsan") || (runtime_dir && is_runtime_basename(base))) {
    return FrameCategory::kSanitizerRuntime;
  }
  if (has_component(file, "googletest") || has_component(file, "googlemock") || has_component(file, "gtest") ||
      has_component(file, "gmock") || base == "gtest.cc" || base == "gtest_main.cc" || base == "gmock_main.cc" ||
      base.starts_with("gtest-") || base.starts_with("gmock-")) {
    return FrameCategory::kGoogleTest;
  }
  if (contains(file, "sysdeps/") || file.starts_with("csu/") || contains(file, "/csu/") || file.starts_with("nptl/") ||
      contains(file, "/nptl/") || contains(file, "glibc") || contains(file, "libc.so")) {
    return FrameCategory::kLibc;
  }
  if (contains(file, "/c++/") || file.starts_with("bits/") || contains(file, "/bits/") ||
      file.starts_with("/usr/include/") || file.starts_with("/usr/lib/") || file.starts_with("/usr/local/include/") ||
      file.starts_with("/usr/src/") || file.starts_with("/lib/")) {
    return FrameCategory::kStandardLibrary;
  }
  return FrameCategory::kUser;
}

}  // namespace

std::string_view kind_name(Kind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "crash";
}

std::optional<Kind> parse_kind(std::string_view name) {
  for (const auto& [k, n] : kKindNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string normalize_path(std::string_view path) {
  std::string_view s = path;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);

  // .../execroot/<workspace>/rest -> rest (sandboxed or not).
  if (std::size_t at = s.rfind("/execroot/"); at != std::string_view::npos) {
    s = drop_component(s.substr(at + 10));
  } else if (s.starts_with("execroot/")) {
    s = drop_component(s.substr(9));
  }
  // .../<target>.runfiles/<workspace>/rest -> rest.
  if (std::size_t at = s.rfind(".runfiles/"); at != std::string_view::npos) {
    s = drop_component(s.substr(at + 10));
  }
  // /proc/self/cwd/rest -> rest (Bazel's debug prefix map).
  if (s.starts_with("/proc/self/cwd/")) s.remove_prefix(15);
  // bazel-out/<config>/bin/rest -> rest.
  if (std::size_t at = s.find("bazel-out/"); at != std::string_view::npos && (at == 0 || s[at - 1] == '/')) {
    std::string_view rest = drop_component(s.substr(at + 10));
    if (rest.starts_with("bin/")) {
      rest.remove_prefix(4);
    } else if (rest.starts_with("genfiles/")) {
      rest.remove_prefix(9);
    }
    s = rest;
  }
  if (s.empty()) return std::string();
  return collapse_dots(s);
}

std::string_view category_name(FrameCategory category) {
  switch (category) {
    case FrameCategory::kUser:
      return "user";
    case FrameCategory::kStandardLibrary:
      return "standard library";
    case FrameCategory::kGoogleTest:
      return "googletest";
    case FrameCategory::kSanitizerRuntime:
      return "sanitizer runtime";
    case FrameCategory::kLibc:
      return "libc";
    case FrameCategory::kPrimitives:
      return "primitives";
    case FrameCategory::kUnknown:
      return "unknown";
  }
  return "unknown";
}

FrameCategory classify_frame(const Frame& frame) {
  const std::string_view fn = frame.function;
  if (is_sanitizer_function(fn)) return FrameCategory::kSanitizerRuntime;
  if (!frame.file.empty()) {
    const FrameCategory by_file = classify_file(frame.file);
    if (by_file != FrameCategory::kUser) return by_file;
    // A bare file name without a line is a runtime's own object (crtstuff.c).
    if (frame.line == 0 && frame.file.find('/') == std::string::npos && (is_std_function(fn) || is_libc_function(fn))) {
      return is_libc_function(fn) ? FrameCategory::kLibc : FrameCategory::kStandardLibrary;
    }
    return FrameCategory::kUser;
  }
  // No source file: tell by the function's name, then by the module.
  if (fn.starts_with("testing::")) return FrameCategory::kGoogleTest;
  if (is_std_function(fn)) return FrameCategory::kStandardLibrary;
  if (is_libc_function(fn)) return FrameCategory::kLibc;
  const std::string_view module = frame.module;
  if (contains(module, "libtsan") || contains(module, "libasan") || contains(module, "libubsan") ||
      contains(module, "liblsan") || contains(module, "clang_rt")) {
    return FrameCategory::kSanitizerRuntime;
  }
  if (contains(module, "libstdc++") || contains(module, "libc++")) {
    return FrameCategory::kStandardLibrary;
  }
  if (contains(module, "libc.so") || contains(module, "libpthread") || contains(module, "ld-linux")) {
    return FrameCategory::kLibc;
  }
  if (contains(module, "libgtest") || contains(module, "libgmock")) {
    return FrameCategory::kGoogleTest;
  }
  return FrameCategory::kUnknown;
}

std::string location(const Frame& frame) {
  std::string out = frame.file;
  if (out.empty()) return out;
  if (frame.line > 0) {
    out += ':' + std::to_string(frame.line);
    if (frame.column > 0) out += ':' + std::to_string(frame.column);
  }
  return out;
}

std::optional<Frame> top_user_frame(const Finding& finding) {
  for (const Stack& stack : finding.stacks) {
    for (const Frame& frame : stack.frames) {
      if (is_user_frame(frame)) return frame;
    }
  }
  return std::nullopt;
}

Folded fold(const std::vector<Frame>& frames) {
  Folded out;
  out.frames.reserve(frames.size());
  for (const Frame& f : frames) {
    if (is_user_frame(f)) out.frames.push_back(f);
  }
  out.shown = out.frames.size();
  for (const Frame& f : frames) {
    if (!is_user_frame(f)) out.frames.push_back(f);
  }
  return out;
}

std::string folded_label(std::size_t hidden) {
  if (hidden == 0) return std::string();
  return "(+" + std::to_string(hidden) + (hidden == 1 ? " library frame)" : " library frames)");
}

}  // namespace racelings::report
