// both_modes.h
// -----------------------------------------------------------------------------
//
// The fixture of the tests of primitives/async that run on both runtime
// kinds (testonly): a file that includes it runs its TEST_P(BothModes, ...)
// tests on a current-thread and on a multi-thread runtime. The helpers every test shares (`Counted`, `scaled()`)
// are in primitives/test_util.h.

#ifndef RACELINGS_PRIMITIVES_ASYNC_BOTH_MODES_H_
#define RACELINGS_PRIMITIVES_ASYNC_BOTH_MODES_H_

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "primitives/async/async.h"
#include "primitives/test_util.h"

namespace racelings {
namespace async {
namespace testing_util {

using racelings::testing_util::Counted;
using racelings::testing_util::scaled;

enum class Mode { kCurrentThread, kMultiThread };

inline std::string mode_name(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::kCurrentThread ? "CurrentThread" : "MultiThread";
}

// ThreadsSeen: the OS threads on which a test's tasks ran. On a
// multi-thread runtime, `arrive()` holds the first task's worker until a task
// arrives from another thread, so that the test can only pass if the runtime
// really runs tasks on several threads at once (no timing: a runtime that
// used one thread would hang, and the watchdog fail the test). On a
// current-thread runtime it only notes the thread.
class ThreadsSeen {
 public:
  explicit ThreadsSeen(Mode mode) : mode_(mode) {}
  void arrive() {
    std::unique_lock<std::mutex> lock(mu_);
    seen_.insert(std::this_thread::get_id());
    changed_.notify_all();
    if (mode_ == Mode::kMultiThread) changed_.wait(lock, [&] { return seen_.size() >= 2; });
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.size();
  }

 private:
  const Mode mode_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::set<std::thread::id> seen_;
};

// Inside a task: polls `pred` every millisecond, sleeping in between so that
// other tasks run, until it holds or a generous limit passes (false then; the
// limit is no timing claim, only a way to fail instead of hanging). Tests wait
// with it for a situation, such as `handle.is_suspended()`.
template <typename Pred>
Task<bool> eventually_in_task(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) co_return pred();
    co_await sleep_for(std::chrono::milliseconds(1));
  }
  co_return true;
}

// Runs each TEST_P on a current-thread runtime and on a 4-worker runtime.
class BothModes : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override { Counted::reset(); }
  Runtime make_runtime() const {
    return GetParam() == Mode::kCurrentThread ? Runtime::current_thread() : Runtime::multi_thread(4);
  }
  // The tasks ran on one thread (current-thread) or on several (multi-thread).
  void expect_threads_used(const ThreadsSeen& seen) const {
    if (GetParam() == Mode::kCurrentThread) {
      EXPECT_EQ(seen.count(), 1u);
    } else {
      EXPECT_GE(seen.count(), 2u);
    }
  }
};

// Every test file that includes this header runs its TEST_P(BothModes, ...)
// tests in both modes.
INSTANTIATE_TEST_SUITE_P(Modes, BothModes, ::testing::Values(Mode::kCurrentThread, Mode::kMultiThread), mode_name);

}  // namespace testing_util
}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_BOTH_MODES_H_
