// test_util.h
// -----------------------------------------------------------------------------
//
// The one set of helpers for the tests of the primitives, primitives/parallel
// and primitives/async (testonly):
//
//   * `Counted`: a value type that counts its constructions and destructions
//     and notices a destruction of an object that is already dead, so a test
//     proves a primitive neither leaks values nor destroys them twice.
//   * `scaled(n, floor)` (and `stress_iterations(n)`): a loop count that
//     scales with the environment variable RACELINGS_STRESS_SCALE (default 1)
//     and shrinks under a sanitizer, which slows code down 5-15x (as loom's
//     tests do), and under schedule stress (RACELINGS_STRESS).
//   * `ReportCapture`: collects the detector's reports instead of printing
//     them, for reports that do not stop the program (inversions, leaks).
//   * `eventually(pred)`: waits (polling) until `pred()` holds or a generous
//     limit passes, for conditions that another thread makes true.
//   * `eventually_blocked(name, kind)`: waits until the thread of that name
//     is blocked in a primitive, instead of sleeping and hoping it got there.
//   * `contains_all(text, {...})`: whether a report holds every expected
//     part; a failure names each missing part, not only the first.

#ifndef RACELINGS_PRIMITIVES_TEST_UTIL_H_
#define RACELINGS_PRIMITIVES_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "primitives/detector.h"

namespace racelings {
namespace testing_util {

// True when the test is built with ThreadSanitizer or AddressSanitizer.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif
#else
inline constexpr bool kUnderSanitizer = false;
#endif

// True when the test is built with ThreadSanitizer.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderTsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kUnderTsan = true;
#else
inline constexpr bool kUnderTsan = false;
#endif
#else
inline constexpr bool kUnderTsan = false;
#endif

// RACELINGS_STRESS_SCALE as a number (default 1).
inline double stress_scale() {
  const char* env = std::getenv("RACELINGS_STRESS_SCALE");
  if (env == nullptr || *env == '\0') return 1.0;
  char* end = nullptr;
  double v = std::strtod(env, &end);
  return (end != nullptr && *end == '\0' && v > 0) ? v : 1.0;
}

// True when schedule stress (RACELINGS_STRESS) is on: every lock and steal
// may sleep, so loops shrink further.
inline bool schedule_stress() {
  const char* env = std::getenv("RACELINGS_STRESS");
  return env != nullptr && *env != '\0' && !(env[0] == '0' && env[1] == '\0');
}

// `base` iterations times RACELINGS_STRESS_SCALE, divided by 10 under a
// sanitizer and by 4 under schedule stress; at least `floor`.
template <typename N>
N scaled(N base, std::type_identity_t<N> floor = 1) {
  double n = static_cast<double>(base) * stress_scale();
  if (kUnderSanitizer) n /= 10;
  if (schedule_stress()) n /= 4;
  return std::max(floor, static_cast<N>(n));
}

inline int stress_iterations(int base) { return scaled(base); }

// Counted: an int-like value whose lifetimes are counted. Every live object
// holds a canary; destroying an object whose canary is gone counts as a
// double destruction. Counters are relaxed atomics: tests read them after
// joining every thread that touched the objects (join orders the writes).
class Counted {
 public:
  static int64_t created() { return constructed_.load(std::memory_order_relaxed); }
  static int64_t double_destroyed() { return double_destroyed_.load(std::memory_order_relaxed); }
  static int64_t alive() {
    return constructed_.load(std::memory_order_relaxed) - destroyed_.load(std::memory_order_relaxed);
  }
  static void reset() {
    constructed_.store(0, std::memory_order_relaxed);
    destroyed_.store(0, std::memory_order_relaxed);
    double_destroyed_.store(0, std::memory_order_relaxed);
  }

  explicit Counted(int value = 0) : value_(value) { born(); }
  Counted(const Counted& other) : value_(other.value_) { born(); }
  Counted(Counted&& other) noexcept : value_(other.value_) { born(); }
  Counted& operator=(const Counted& other) {
    value_ = other.value_;
    return *this;
  }
  Counted& operator=(Counted&& other) noexcept {
    value_ = other.value_;
    return *this;
  }
  ~Counted() {
    if (canary_ != kAlive) double_destroyed_.fetch_add(1, std::memory_order_relaxed);
    canary_ = kDead;
    destroyed_.fetch_add(1, std::memory_order_relaxed);
  }

  int value() const { return value_; }
  bool operator==(const Counted& other) const { return value_ == other.value_; }

 private:
  static constexpr uint64_t kAlive = 0xC0FFEE0DDBA11ULL;
  static constexpr uint64_t kDead = 0xDEADDEADDEADULL;
  void born() { constructed_.fetch_add(1, std::memory_order_relaxed); }

  static inline std::atomic<int64_t> constructed_{0};
  static inline std::atomic<int64_t> destroyed_{0};
  static inline std::atomic<int64_t> double_destroyed_{0};

  int value_;
  volatile uint64_t canary_ = kAlive;
};

// ReportCapture: while alive, the detector's reports are collected here (one
// capture at a time). The store lives for the whole process: the sink runs
// under the detector's own locks, and a mutex on the test's stack would hand
// its address, and so its lock-order history in ThreadSanitizer's eyes, to
// the next test's locks.
class ReportCapture {
 public:
  ReportCapture() {
    {
      std::lock_guard<std::mutex> lock(store().mu);
      store().reports.clear();
    }
    detector::set_report_sink_for_testing([](const std::string& text) {
      std::lock_guard<std::mutex> lock(store().mu);
      store().reports.push_back(text);
    });
  }
  ~ReportCapture() { detector::set_report_sink_for_testing(nullptr); }
  ReportCapture(const ReportCapture&) = delete;
  ReportCapture& operator=(const ReportCapture&) = delete;

  std::vector<std::string> reports() const {
    std::lock_guard<std::mutex> lock(store().mu);
    return store().reports;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(store().mu);
    store().reports.clear();
  }
  // All reports, one after another.
  std::string text() const {
    std::string all;
    for (const auto& r : reports()) all += r;
    return all;
  }

 private:
  struct Store {
    std::mutex mu;
    std::vector<std::string> reports;
  };
  static Store& store() {
    static Store* s = new Store;  // Never destroyed: see above.
    return *s;
  }
};

// Whether `text` contains `part` (std::string::contains is C++23's).
inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// Whether `text` contains every one of `parts`, for a report's expected
// lines: `EXPECT_TRUE(contains_all(block, {"'left'", "'right'"}))`. On
// failure the message quotes each missing part, then the text.
inline ::testing::AssertionResult contains_all(std::string_view text, std::initializer_list<std::string_view> parts) {
  std::string missing;
  for (std::string_view part : parts) {
    if (!contains(text, part)) missing.append("missing \"").append(part).append("\"\n");
  }
  if (missing.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << missing << "in:\n" << text;
}

// Polls `pred` every millisecond for up to `limit`; returns its last value.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// The name the detector gives the process's first thread, on which
// GoogleTest runs the tests.
inline constexpr std::string_view kMainThread = "main";

// Waits until the thread named `thread_name` (Builder::name, or kMainThread)
// is blocked in a primitive of kind `kind` (detector::waiting_in): a lock, a
// join, or kOther (condvar, channel, barrier, Once, a pool's join). False if
// it never got there within the limit, which is generous on purpose: the
// limit is no timing claim, only a way to fail with a message, not a hang.
inline bool eventually_blocked(std::string_view thread_name, detector::WaitKind kind,
                               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  return eventually([&] { return detector::waiting_in(thread_name) == kind; }, limit);
}

}  // namespace testing_util
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_TEST_UTIL_H_
