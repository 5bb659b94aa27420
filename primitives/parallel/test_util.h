// test_util.h
// -----------------------------------------------------------------------------
//
// Helpers for the parallel tests: stress loop counts that scale with
// RACELINGS_STRESS_SCALE (default 1) and shrink under a sanitizer, which
// makes every operation 5-20 times slower.

#ifndef RACELINGS_PRIMITIVES_PARALLEL_TEST_UTIL_H_
#define RACELINGS_PRIMITIVES_PARALLEL_TEST_UTIL_H_

#include <algorithm>
#include <cstddef>
#include <cstdlib>

namespace racelings {
namespace testing_util {

// True when built with ThreadSanitizer or AddressSanitizer.
constexpr bool kUnderSanitizer =
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
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

// `base` iterations scaled by RACELINGS_STRESS_SCALE, divided by 8 under a
// sanitizer and by 4 under schedule stress; at least `floor`.
inline size_t scaled(size_t base, size_t floor = 1) {
  double n = static_cast<double>(base) * stress_scale();
  if (kUnderSanitizer) n /= 8;
  if (schedule_stress()) n /= 4;
  return std::max(floor, static_cast<size_t>(n));
}

}  // namespace testing_util
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_PARALLEL_TEST_UTIL_H_
