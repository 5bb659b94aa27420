// main() for every test in the project: GoogleTest plus the test watchdog,
// so that a hanging test fails with a report instead of hanging, and a test
// binary fails when the deadlock detector reported anything (as a sanitizer
// makes its test fail with exit code 66). At the very end it writes the
// completion record that proves every test ran (checker/integrity/completion.h).
// Under RACELINGS_EXPLORE or RACELINGS_SCHEDULE the tests run under the
// controlled scheduler (primitives/schedule/README.md).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "primitives/detector.h"
#include "primitives/schedule/explorer.h"
#include "primitives/schedule/schedule.h"
#include "primitives/watchdog.h"

// Sanitizer hooks a program may define to change the sanitizer's options.
// Ours come from the environment only, so a non-empty answer means the code
// under test tries to silence its sanitizer.
extern "C" const char* __tsan_default_options() __attribute__((weak));
extern "C" const char* __asan_default_options() __attribute__((weak));
extern "C" const char* __lsan_default_options() __attribute__((weak));
extern "C" const char* __ubsan_default_options() __attribute__((weak));
extern "C" const char* __tsan_default_suppressions() __attribute__((weak));
extern "C" const char* __lsan_default_suppressions() __attribute__((weak));

namespace {

int check_sanitizer_options() {
  struct Hook {
    const char* name;
    const char* (*fn)();
  };
  const Hook hooks[] = {
      {"__tsan_default_options", __tsan_default_options},
      {"__asan_default_options", __asan_default_options},
      {"__lsan_default_options", __lsan_default_options},
      {"__ubsan_default_options", __ubsan_default_options},
      {"__tsan_default_suppressions", __tsan_default_suppressions},
      {"__lsan_default_suppressions", __lsan_default_suppressions},
  };
  int bad = 0;
  for (const Hook& h : hooks) {
    if (h.fn == nullptr) continue;
    const char* value = h.fn();
    if (value != nullptr && *value != '\0') {
      std::fprintf(stderr,
                   "racelings: the code under test defines %s (returning \"%s\"), which changes how the "
                   "sanitizer reports bugs; that is not allowed in an exercise. Remove it.\n",
                   h.name, value);
      ++bad;
    }
  }
  return bad;
}

// The completion record, written only here, after every test and the
// detector's verdict: the runner gives the nonce and the file. Its format is
// parsed by checker/integrity/completion.cc.
void write_completion_record(int result) {
  const char* nonce = std::getenv("RACELINGS_COMPLETION_NONCE");
  const char* path = std::getenv("RACELINGS_COMPLETION_FILE");
  if (nonce == nullptr || *nonce == '\0' || path == nullptr || *path == '\0') return;
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  std::FILE* file = std::fopen(path, "w");
  if (file == nullptr) {
    std::fprintf(stderr, "racelings: cannot write the completion record to %s: %s\n", path, std::strerror(errno));
    return;
  }
  std::fprintf(file, "racelings-completion nonce=%s result=%d ran=%d total=%d failed=%d\n", nonce, result,
               unit.successful_test_count() + unit.failed_test_count(),
               unit.total_test_count() - unit.disabled_test_count(), unit.failed_test_count());
  std::fclose(file);
}

// What the explorer writes when every schedule passed: `ran` is the fewest
// tests any schedule's child ran, and none failed.
void write_explored_completion_record(int result, int ran) {
  const char* nonce = std::getenv("RACELINGS_COMPLETION_NONCE");
  const char* path = std::getenv("RACELINGS_COMPLETION_FILE");
  if (nonce == nullptr || *nonce == '\0' || path == nullptr || *path == '\0') return;
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  if (ran < 0) return;
  if (std::FILE* file = std::fopen(path, "w")) {
    std::fprintf(file, "racelings-completion nonce=%s result=%d ran=%d total=%d failed=0\n", nonce, result, ran,
                 unit.total_test_count() - unit.disabled_test_count());
    std::fclose(file);
  }
}

// Tells the controlled scheduler where each test starts (its step bound is
// per test) and marks a failed assertion in its step log, at the step where
// it failed.
class FailureMarker : public testing::EmptyTestEventListener {
 public:
  void OnTestStart(const testing::TestInfo& info) override {
    racelings::schedule::begin_test(std::string(info.test_suite_name()) + "." + info.name());
  }
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::string at = result.file_name() != nullptr ? std::string(result.file_name()) : std::string();
    if (!at.empty() && result.line_number() > 0) at += ":" + std::to_string(result.line_number());
    racelings::schedule::note_failure_at("test failure", result.summary(), at);
  }
};

// One run of every test: what the process does, or what each child process
// does under the explorer (each installs its own watchdog).
int run_all_tests() {
  racelings::install_test_watchdog();
  if (racelings::schedule::controlled()) testing::UnitTest::GetInstance()->listeners().Append(new FailureMarker);
  int result = RUN_ALL_TESTS();
  int reports = racelings::detector::reports_so_far();
  if (reports > 0) {
    std::fprintf(stderr, "racelings: the deadlock detector printed %d report%s: failing the test.\n", reports,
                 reports == 1 ? "" : "s");
    return 66;
  }
  // Proof for the runner that the tests ran to the end (an early exit() in
  // the code under test never gets here).
  write_completion_record(result);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (check_sanitizer_options() != 0) return 1;
  // RACELINGS_EXPLORE and RACELINGS_SCHEDULE run the tests under the
  // controlled scheduler (primitives/schedule/README.md).
  auto tests_ran = [] {
    const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
    return unit.successful_test_count() + unit.failed_test_count();
  };
  return racelings::schedule::run_tests({run_all_tests, tests_ran, write_explored_completion_record});
}
