// Tests for thread.h: spawn, JoinHandle, Builder, scope, current_thread_name.

#include "primitives/thread.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "primitives/detector.h"
#include "primitives/test_util.h"
#include "primitives/testing.h"

namespace racelings {
namespace {

using detector::WaitKind;
using testing_util::Counted;
using testing_util::eventually;
using testing_util::eventually_blocked;
using testing_util::kMainThread;
using testing_util::ReportCapture;
using testing_util::stress_iterations;

// Destroyed in the spawned thread: notes whether the thread had already
// left the detector (ended) by then. Moved-from copies note nothing.
class EndProbe {
 public:
  explicit EndProbe(std::atomic<int>* out) : out_(out) {}
  EndProbe(EndProbe&& other) noexcept : out_(std::exchange(other.out_, nullptr)) {}
  EndProbe(const EndProbe&) = delete;
  EndProbe& operator=(const EndProbe&) = delete;
  EndProbe& operator=(EndProbe&&) = delete;
  ~EndProbe() {
    if (out_ != nullptr) out_->store(detector::thread_finished(*detector::self()) ? 1 : 0);
  }

 private:
  std::atomic<int>* out_;
};

TEST(Thread, AClosuresCapturesDieBeforeItsThreadEnds) {
  // Their destructors may do what other threads see (a captured Sender's
  // close): the thread must still count as running then.
  std::atomic<int> ended_at_capture_death{-1};
  auto h = spawn([probe = EndProbe(&ended_at_capture_death)] { (void)probe; });
  h.join();
  EXPECT_EQ(ended_at_capture_death.load(), 0);
}

TEST(Thread, JoinReturnsWhatTheThreadReturned) {
  auto h = spawn([] { return 6 * 7; });
  EXPECT_EQ(h.join(), 42);
}

TEST(Thread, JoinOfAVoidThreadWaitsForItsWork) {
  int written = 0;
  auto h = spawn([&] { written = 1; });
  h.join();
  EXPECT_EQ(written, 1);
}

TEST(Thread, JoinRethrowsTheThreadsException) {
  auto h = spawn([]() -> int { throw std::runtime_error("boom"); });
  try {
    h.join();
    FAIL() << "join() should have rethrown";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
}

TEST(Thread, JoinResultIsOkWithTheValue) {
  auto h = spawn([] { return std::string("done"); });
  auto r = h.join_result();
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.unwrap(), "done");
}

TEST(Thread, JoinResultOfAVoidThreadIsOk) {
  auto h = spawn([] {});
  EXPECT_TRUE(h.join_result().is_ok());
}

TEST(Thread, JoinResultTurnsAnExceptionIntoAnErrWithItsWhat) {
  auto h = spawn([] { throw std::invalid_argument("bad input"); });
  auto r = h.join_result();
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error().what(), "bad input");
  EXPECT_THROW(r.error().rethrow(), std::invalid_argument);
}

TEST(Thread, JoinResultNamesAnExceptionThatIsNotAStdException) {
  auto h = spawn([]() -> int { throw 17; });
  auto r = h.join_result();
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error().what(), "an exception that is not a std::exception");
}

TEST(Thread, JoiningTwiceIsALogicError) {
  auto h = spawn([] {});
  h.join();
  EXPECT_FALSE(h.joinable());
  EXPECT_THROW(h.join(), std::logic_error);
}

TEST(Thread, DetachingAJoinedOrDetachedHandleIsALogicError) {
  auto joined = spawn([] {});
  joined.join();
  EXPECT_THROW(joined.detach(), std::logic_error);
  std::atomic<bool> done{false};
  auto detached = spawn([&] { done.store(true); });
  detached.detach();
  EXPECT_THROW(detached.detach(), std::logic_error);
  EXPECT_THROW(detached.join(), std::logic_error);
  while (!done.load()) std::this_thread::yield();  // `done` must outlive the thread.
}

TEST(Thread, DetachedThreadRunsOnItsOwn) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  auto h = spawn([done] { done->store(true, std::memory_order_release); });
  h.detach();
  EXPECT_FALSE(h.joinable());
  EXPECT_TRUE(eventually([&] { return done->load(std::memory_order_acquire); }));
  EXPECT_THROW(h.detach(), std::logic_error);
}

TEST(Thread, IsFinishedTurnsTrueOnlyWhenTheFunctionReturned) {
  std::atomic<bool> go{false};
  auto h = spawn([&] {
    while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
  });
  EXPECT_FALSE(h.is_finished());
  go.store(true, std::memory_order_release);
  EXPECT_TRUE(eventually([&] { return h.is_finished(); }));
  h.join();
}

TEST(Thread, DroppingAnUnjoinedHandleIsReportedAsAThreadLeak) {
  ReportCapture capture;
  auto done = std::make_shared<std::atomic<bool>>(false);
  {
    auto h = Builder().name("forgotten").spawn([done] { done->store(true, std::memory_order_release); });
  }
  EXPECT_EQ(capture.reports().size(), 1u);
  std::string text = capture.text();
  EXPECT_NE(text.find("WARNING: racelings: thread leak"), std::string::npos) << text;
  EXPECT_NE(text.find("'forgotten'"), std::string::npos) << text;
  EXPECT_NE(text.find("thread_test.cc:"), std::string::npos) << text;
  // The leaked thread was detached and still runs to its end.
  EXPECT_TRUE(eventually([&] { return done->load(std::memory_order_acquire); }));
}

TEST(Thread, AssigningOverAnUnjoinedHandleIsReportedAsAThreadLeak) {
  ReportCapture capture;
  auto h = spawn([] {});
  h = spawn([] {});
  h.join();
  EXPECT_NE(capture.text().find("WARNING: racelings: thread leak"), std::string::npos);
}

TEST(Thread, JoinedOrDetachedHandlesAreNotLeaks) {
  ReportCapture capture;
  {
    auto a = spawn([] {});
    auto b = spawn([] {});
    a.join();
    b.detach();
    auto moved_from = spawn([] {});
    auto target = std::move(moved_from);
    target.join();
  }
  EXPECT_EQ(capture.text(), "");
}

// ThreadStats counts a thread from its spawn to its join, so the figure is
// the program's structure, not the machine's timing: here the first thread
// has surely ended before the second starts, and they still count as two.
TEST(Thread, ThreadsStartedBeforeEitherIsJoinedCountAsRunningTogether) {
  auto stats = testing::count_threads([] {
    auto first = spawn([] {});
    while (!first.is_finished()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto second = spawn([] {});
    first.join();
    second.join();
  });
  EXPECT_EQ(stats.spawned, 2);
  EXPECT_EQ(stats.max_running, 2);
}

TEST(Thread, ThreadsJoinedOneAfterTheOtherNeverCountAsRunningTogether) {
  auto stats = testing::count_threads([] {
    spawn([] {}).join();
    spawn([] {}).join();
    scope([](Scope& s) { s.spawn([] {}).join(); });
    scope([](Scope& s) { s.spawn([] {}); });
  });
  EXPECT_EQ(stats.spawned, 4);
  EXPECT_EQ(stats.max_running, 1);
}

TEST(Thread, ADetachedThreadCountsUntilItEnds) {
  // Shared with the detached thread, which must not touch this test's stack.
  struct Flags {
    std::atomic<bool> release{false};
    std::atomic<bool> done{false};
  };
  auto flags = std::make_shared<Flags>();
  auto stats = testing::count_threads([&] {
    auto h = spawn([flags] {
      while (!flags->release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      flags->done.store(true);
    });
    h.detach();
    spawn([] {}).join();
    flags->release.store(true);
  });
  while (!flags->done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(stats.spawned, 2);
  EXPECT_EQ(stats.max_running, 2);
}

// A thread still running from before the count (a detached one of an earlier
// test, say) is not one of the counted section's threads.
TEST(Thread, AThreadFromBeforeTheCountIsNotCounted) {
  struct Flags {
    std::atomic<bool> release{false};
    std::atomic<bool> done{false};
  };
  auto flags = std::make_shared<Flags>();
  auto earlier = spawn([flags] {
    while (!flags->release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    flags->done.store(true);
  });
  earlier.detach();
  auto stats = testing::count_threads([] { spawn([] {}).join(); });
  flags->release.store(true);
  while (!flags->done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(stats.spawned, 1);
  EXPECT_EQ(stats.max_running, 1);
}

TEST(Thread, BuilderNameIsVisibleInsideTheThreadAndOnItsHandle) {
  auto h = Builder().name("worker").spawn([] { return std::string(current_thread_name()); });
  EXPECT_EQ(h.name(), "worker");
  EXPECT_EQ(h.join(), "worker");
}

TEST(Thread, NamesLongerThanTheOsLimitAreKeptWhole) {
  const std::string name = "a-name-longer-than-fifteen-characters";
  auto h = Builder().name(name).spawn([] {
    char os_name[32] = {};
    pthread_getname_np(pthread_self(), os_name, sizeof(os_name));
    return std::make_pair(std::string(current_thread_name()), std::string(os_name));
  });
  auto [ours, os] = h.join();
  EXPECT_EQ(ours, name);
  EXPECT_EQ(os, name.substr(0, 15));
}

TEST(Thread, AnUnnamedThreadHasAnEmptyNameAndMainIsCalledMain) {
  EXPECT_EQ(current_thread_name(), "main");
  auto h = spawn([] { return std::string(current_thread_name()); });
  EXPECT_EQ(h.join(), "");
}

TEST(Thread, BuilderStackSizeIsHonoured) {
  const size_t requested = 1024 * 1024;  // Above the sanitizer floor, below glibc's 8 MiB default.
  auto h = Builder().name("small-stack").stack_size(requested).spawn([] {
    pthread_attr_t attr;
    size_t size = 0;
    pthread_getattr_np(pthread_self(), &attr);
    pthread_attr_getstacksize(&attr, &size);
    pthread_attr_destroy(&attr);
    return size;
  });
  size_t size = h.join();
  EXPECT_GE(size, requested);
  EXPECT_LT(size, 2 * requested);
}

TEST(Thread, ScopeJoinsEveryThreadBeforeReturning) {
  std::atomic<int> finished{0};
  scope([&](Scope& s) {
    for (int i = 0; i < 4; ++i) {
      s.spawn([&] {
        // Ends only once main waits in the scope's join.
        EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kJoin)) << "the scope never joined";
        finished.fetch_add(1, std::memory_order_relaxed);
      });
    }
  });
  EXPECT_EQ(finished.load(std::memory_order_relaxed), 4);
}

TEST(Thread, ScopedThreadsMayBorrowTheCallersLocals) {
  std::vector<int> squares(8, 0);  // Each thread writes its own element.
  int base = 10;  // A local the threads read.
  int total = scope([&](Scope& s) {
    for (size_t i = 0; i < squares.size(); ++i) {
      s.spawn([&squares, &base, i] { squares[i] = base + static_cast<int>(i * i); });
    }
    return 1;
  });
  EXPECT_EQ(total, 1);
  for (size_t i = 0; i < squares.size(); ++i) EXPECT_EQ(squares[i], base + static_cast<int>(i * i));
}

TEST(Thread, ScopedJoinHandleReturnsTheValue) {
  int got = scope([](Scope& s) {
    auto h = s.spawn([] { return 5; });
    EXPECT_EQ(h.join(), 5);
    EXPECT_TRUE(h.is_finished());
    EXPECT_THROW(h.join(), std::logic_error);
    return 7;
  });
  EXPECT_EQ(got, 7);
}

TEST(Thread, ScopePropagatesTheExceptionOfAThreadNobodyJoined) {
  std::atomic<bool> other_ran{false};
  try {
    scope([&](Scope& s) {
      s.spawn([] { throw std::runtime_error("scoped boom"); });
      s.spawn([&] { other_ran.store(true, std::memory_order_relaxed); });
    });
    FAIL() << "scope() should have rethrown";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "scoped boom");
  }
  EXPECT_TRUE(other_ran.load(std::memory_order_relaxed));
}

TEST(Thread, ScopeDoesNotRethrowAnExceptionItsHandleAlreadySaw) {
  bool saw = false;
  EXPECT_NO_THROW(scope([&](Scope& s) {
    auto h = s.spawn([] { throw std::runtime_error("seen"); });
    saw = h.join_result().is_err();
  }));
  EXPECT_TRUE(saw);
}

TEST(Thread, ScopeJoinsItsThreadsEvenWhenTheBodyThrows) {
  std::atomic<bool> finished{false};
  EXPECT_THROW(scope([&](Scope& s) {
                 s.spawn([&] {
                   EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kJoin)) << "the scope never joined";
                   finished.store(true, std::memory_order_relaxed);
                 });
                 throw std::logic_error("body failed");
               }),
               std::logic_error);
  EXPECT_TRUE(finished.load(std::memory_order_relaxed));
}

TEST(Thread, BuilderSpawnScopedNamesAScopedThread) {
  std::string seen;
  scope([&](Scope& s) { Builder().name("scoped-worker").spawn_scoped(s, [&] { seen = current_thread_name(); }); });
  EXPECT_EQ(seen, "scoped-worker");
}

TEST(Thread, ThreadResultsAreNeitherLeakedNorDestroyedTwice) {
  Counted::reset();
  {
    auto h = spawn([] { return Counted(3); });
    EXPECT_EQ(h.join().value(), 3);
    auto never_joined_result = spawn([] { return Counted(4); });
    auto r = never_joined_result.join_result();
    EXPECT_EQ(r.unwrap().value(), 4);
    auto thrower = spawn([]() -> Counted { throw std::runtime_error("no value"); });
    EXPECT_TRUE(thrower.join_result().is_err());
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST(Thread, ManySpawnsAndJoinsUnderStress) {
  const int rounds = stress_iterations(200);
  std::atomic<int> sum{0};
  for (int r = 0; r < rounds; ++r) {
    std::vector<JoinHandle<int>> hs;
    for (int i = 0; i < 4; ++i) hs.push_back(spawn([i] { return i; }));
    for (auto& h : hs) sum.fetch_add(h.join(), std::memory_order_relaxed);
  }
  EXPECT_EQ(sum.load(), rounds * 6);
}

}  // namespace
}  // namespace racelings
