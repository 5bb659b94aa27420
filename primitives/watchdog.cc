#include "primitives/watchdog.h"

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "primitives/detector.h"
#include "primitives/plain_mutex.h"
#include "primitives/schedule/schedule.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace {

constexpr double kControlledScheduleFactor = 6;

// Arms a deadline when a test starts and disarms it when the test ends; a
// detached thread (not known to the primitives) watches the deadline. The
// state is never destroyed: the thread waits on it until the process ends
// (destroying a condition variable with a waiter blocks in glibc).
class Watchdog {
 public:
  explicit Watchdog(double seconds) : seconds_(seconds) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(
        &thread, &attr,
        [](void* self) -> void* {
          pthread_setname_np(pthread_self(), "racelings-dog");
          static_cast<Watchdog*>(self)->watch();
          return nullptr;
        },
        this);
    pthread_attr_destroy(&attr);
  }

  // The watchdog is a helper, not part of the program under test: under the
  // controlled scheduler it runs Uncontrolled, on the machine's clock.
  void start(const testing::TestInfo& info) {
    schedule::Uncontrolled uncontrolled;
    internal::PlainLock lock(mu_);
    test_ = std::string(info.test_suite_name()) + "." + info.name();
    deadline_ = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(schedule::real_steady_now_ns())) +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(seconds_));
    armed_ = true;
    cv_.notify_all();
  }

  void end() {
    schedule::Uncontrolled uncontrolled;
    internal::PlainLock lock(mu_);
    // The limit passed and the report is being printed (which takes a while
    // under a sanitizer, which symbolizes the stack): the test timed out even
    // if it finishes now. Wait here for the watchdog to end the process.
    cv_.wait(lock.native(), [&]() REQUIRES(mu_) { return !fired_; });
    armed_ = false;
    cv_.notify_all();
  }

 private:
  void watch() {
    schedule::Uncontrolled uncontrolled;
    internal::PlainLock lock(mu_);
    for (;;) {
      cv_.wait(lock.native(), [&]() REQUIRES(mu_) { return armed_; });
      if (cv_.wait_until(lock.native(), deadline_, [&]() REQUIRES(mu_) { return !armed_; })) continue;
      fired_ = true;  // Never reset: this thread ends the process below.
      std::string test = test_;
      lock.unlock();
      detector::report_timeout(test, seconds_);
      std::string line = "[  FAILED  ] " + test + " (timeout: no result after " +
                         std::to_string(static_cast<int>(seconds_)) + " s; see the report above)\n";
      std::fflush(stdout);
      (void)!::write(STDOUT_FILENO, line.data(), line.size());
      std::_Exit(1);
    }
  }

  const double seconds_;
  internal::PlainMutex mu_;
  std::condition_variable cv_;
  bool armed_ GUARDED_BY(mu_) = false;
  bool fired_ GUARDED_BY(mu_) = false;  // The limit passed: the timeout is being reported.
  std::string test_ GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point deadline_ GUARDED_BY(mu_);
};

// The listener GoogleTest owns (and deletes at exit); the watchdog outlives it.
class WatchdogListener : public testing::EmptyTestEventListener {
 public:
  explicit WatchdogListener(Watchdog* dog) : dog_(dog) {}
  void OnTestStart(const testing::TestInfo& info) override { dog_->start(info); }
  void OnTestEnd(const testing::TestInfo&) override { dog_->end(); }

 private:
  Watchdog* dog_;
};

}  // namespace

void install_test_watchdog(double default_seconds) {
  double seconds = default_seconds;
  if (const char* env = std::getenv("RACELINGS_TEST_TIMEOUT_S"); env != nullptr && *env != '\0') {
    seconds = std::atof(env);
  }
  if (seconds <= 0) return;
  // Under the controlled scheduler threads take turns, and every turn costs
  // a wake-up that a loaded machine can delay: the limit is for hangs (a
  // spin with no scheduling point), not for a slow schedule.
  if (schedule::controlled()) seconds *= kControlledScheduleFactor;
  // GoogleTest owns and deletes listeners it is given.
  testing::UnitTest::GetInstance()->listeners().Append(new WatchdogListener(new Watchdog(seconds)));
}

}  // namespace racelings
