// test_util.h
// -----------------------------------------------------------------------------
//
// Helpers for the tests of primitives/async: `Counted`, a value that counts its
// constructions and destructions (to prove that frames and values are neither
// leaked nor destroyed twice, as cppcoro's tests do), a fixture running a
// test on both runtime kinds, and `scaled()` for stress loop counts.

#ifndef RACELINGS_PRIMITIVES_ASYNC_TEST_UTIL_H_
#define RACELINGS_PRIMITIVES_ASYNC_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <utility>

#include "primitives/async/async.h"

namespace racelings {
namespace async {
namespace testing_util {

// Counted: every live Counted is counted; a destructor that runs twice on
// the same object is caught by its `alive_` mark.
class Counted {
 public:
  explicit Counted(int value = 0) : value_(value) { created_.fetch_add(1, std::memory_order_relaxed); }
  Counted(const Counted& o) : value_(o.value_) { created_.fetch_add(1, std::memory_order_relaxed); }
  Counted(Counted&& o) noexcept : value_(o.value_) { created_.fetch_add(1, std::memory_order_relaxed); }
  Counted& operator=(const Counted&) = default;
  Counted& operator=(Counted&&) = default;
  ~Counted() {
    if (alive_ != kAlive) double_destroyed_.fetch_add(1, std::memory_order_relaxed);
    alive_ = 0;
    destroyed_.fetch_add(1, std::memory_order_relaxed);
  }

  int value() const { return value_; }

  static void reset() {
    created_ = 0;
    destroyed_ = 0;
    double_destroyed_ = 0;
  }
  static long alive() { return created_.load() - destroyed_.load(); }
  static long created() { return created_.load(); }
  static long double_destroyed() { return double_destroyed_.load(); }

 private:
  static constexpr unsigned kAlive = 0xA11CE;
  // Relaxed: counters read after the runtime or the threads are done.
  static inline std::atomic<long> created_{0};
  static inline std::atomic<long> destroyed_{0};
  static inline std::atomic<long> double_destroyed_{0};
  unsigned alive_ = kAlive;
  int value_;
};

enum class Mode { kCurrentThread, kMultiThread };

inline std::string mode_name(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::kCurrentThread ? "CurrentThread" : "MultiThread";
}

// Runs each TEST_P on a current-thread runtime and on a 4-worker runtime.
class BothModes : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override { Counted::reset(); }
  Runtime make_runtime() const {
    return GetParam() == Mode::kCurrentThread ? Runtime::current_thread() : Runtime::multi_thread(4);
  }
};

// Loop counts for stress tests: RACELINGS_STRESS_SCALE multiplies them
// (default 1); sanitizers slow every operation, so they get a tenth.
inline long scaled(long n) {
  double scale = 1.0;
  if (const char* s = std::getenv("RACELINGS_STRESS_SCALE")) scale = std::atof(s);
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
  scale /= 10;
#endif
#endif
  long v = static_cast<long>(static_cast<double>(n) * scale);
  return v < 1 ? 1 : v;
}

}  // namespace testing_util
}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_TEST_UTIL_H_
