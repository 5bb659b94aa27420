// Tests for detector.h, in process: the reports that do not stop the program
// (lock-order inversions, leaks, misuse, the timeout report) are captured
// with set_report_sink_for_testing and checked line by line. Deadlocks, which
// end the program, are tested from outside in detector_scenarios_test.

#include "primitives/detector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <source_location>
#include <string>
#include <vector>

#include "primitives/channel.h"
#include "primitives/mutex.h"
#include "primitives/rwlock.h"
#include "primitives/subprocess_testing.h"
#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using testing_util::eventually;
using testing_util::ReportCapture;
using testing_util::stress_iterations;

// "primitives/detector_test.cc:<line>:" for a line of this file.
std::string site(int line) {
  return std::string(std::source_location::current().file_name()) + ":" + std::to_string(line) + ":";
}

// Tests that invert lock orders on purpose are skipped under ThreadSanitizer,
// whose own deadlock detector rightly reports the same inversions;
// detector_scenarios_test covers inversions under TSan in child processes.
constexpr const char* kTsanSkip = "inverts lock orders on purpose, which TSan reports too";

TEST(Detector, IsOnByDefault) { EXPECT_TRUE(detector::enabled()); }

TEST(Detector, AnInversionIsReportedWithBothAcquisitionSitesAndTheProgramGoesOn) {
  if (testing_util::kUnderTsan) GTEST_SKIP() << kTsanSkip;
  ReportCapture capture;
  Mutex<int> a(0, "account A");
  Mutex<int> b(0, "account B");
  int a_first, b_second, b_first, a_second;
  {
    auto ga = a.lock();
    a_first = __LINE__ - 1;
    auto gb = b.lock();
    b_second = __LINE__ - 1;
  }
  EXPECT_EQ(capture.text(), "") << "one order alone is not an inversion";
  {
    auto gb = b.lock();
    b_first = __LINE__ - 1;
    auto ga = a.lock();
    a_second = __LINE__ - 1;
    *ga += 1;  // Still running, still holding both.
  }
  auto reports = capture.reports();
  ASSERT_EQ(reports.size(), 1u);
  const std::string& r = reports[0];
  EXPECT_EQ(r.rfind("==================\nWARNING: racelings: lock-order inversion (potential deadlock) (pid=", 0), 0u)
      << r;
  EXPECT_NE(r.find("Cycle in lock order graph: "), std::string::npos) << r;
  EXPECT_NE(r.find("'account A'"), std::string::npos) << r;
  EXPECT_NE(r.find("'account B'"), std::string::npos) << r;
  for (int line : {a_first, b_second, b_first, a_second}) {
    EXPECT_NE(r.find(site(line)), std::string::npos) << "missing " << site(line) << " in\n" << r;
  }
  EXPECT_NE(r.find("SUMMARY: racelings: lock-order inversion " + site(a_second)), std::string::npos) << r;
  EXPECT_EQ(r.substr(r.size() - 19), "==================\n");
  EXPECT_EQ(*a.lock(), 1);
}

TEST(Detector, AnInversionIsReportedOnlyOnce) {
  if (testing_util::kUnderTsan) GTEST_SKIP() << kTsanSkip;
  ReportCapture capture;
  Mutex<int> a(0), b(0);
  for (int i = 0; i < 5; ++i) {
    {
      auto ga = a.lock();
      auto gb = b.lock();
    }
    {
      auto gb = b.lock();
      auto ga = a.lock();
    }
  }
  EXPECT_EQ(capture.reports().size(), 1u);
}

TEST(Detector, AnInversionAcrossThreadsNamesBothThreads) {
  if (testing_util::kUnderTsan) GTEST_SKIP() << kTsanSkip;
  ReportCapture capture;
  Mutex<int> a(0, "left"), b(0, "right");
  Builder()
      .name("first")
      .spawn([&] {
        auto ga = a.lock();
        auto gb = b.lock();
      })
      .join();
  Builder()
      .name("second")
      .spawn([&] {
        auto gb = b.lock();
        auto ga = a.lock();
      })
      .join();
  std::string r = capture.text();
  EXPECT_NE(r.find("'first'"), std::string::npos) << r;
  EXPECT_NE(r.find("'second'"), std::string::npos) << r;
}

TEST(Detector, ACycleThroughThreeLocksIsFound) {
  if (testing_util::kUnderTsan) GTEST_SKIP() << kTsanSkip;
  ReportCapture capture;
  Mutex<int> a(0, "a"), b(0, "b"), c(0, "c");
  {
    auto ga = a.lock();
    auto gb = b.lock();
  }
  {
    auto gb = b.lock();
    auto gc = c.lock();
  }
  EXPECT_EQ(capture.text(), "");
  {
    auto gc = c.lock();
    auto ga = a.lock();
  }
  std::string r = capture.text();
  EXPECT_EQ(testing_util::count_reports(r), 1);
  EXPECT_NE(r.find("'c' => Mutex"), std::string::npos) << r;
  EXPECT_NE(r.find("'a' => Mutex"), std::string::npos) << r;
  EXPECT_NE(r.find("'b' => Mutex"), std::string::npos) << r;
}

TEST(Detector, NestedLocksInOneOrderAcrossManyThreadsAreNeverReported) {
  ReportCapture capture;
  Mutex<int> a(0), b(0), c(0);
  const int each = stress_iterations(2000);
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < 4; ++t) {
    hs.push_back(spawn([&, t] {
      for (int i = 0; i < each; ++i) {
        auto ga = a.lock();
        if ((i + t) % 2 == 0) {
          auto gb = b.lock();
          auto gc = c.lock();
          *gc += 1;
        } else {
          auto gc = c.lock();  // Skipping b keeps the order a -> c.
          *gc += 1;
        }
      }
    }));
  }
  for (auto& h : hs) h.join();
  EXPECT_EQ(capture.text(), "");
  EXPECT_EQ(*c.lock(), 4 * each);
}

TEST(Detector, ATryLockAddsNoLockOrder) {
  ReportCapture capture;
  Mutex<int> a(0), b(0);
  {
    auto ga = a.lock();
    auto gb = b.try_lock();  // Cannot block, so cannot deadlock: no a -> b edge.
    EXPECT_TRUE(gb.has_value());
  }
  {
    auto gb = b.lock();
    auto ga = a.lock();
  }
  EXPECT_EQ(capture.text(), "");
}

TEST(Detector, AnRwLockTakesPartInTheLockOrder) {
  if (testing_util::kUnderTsan) GTEST_SKIP() << kTsanSkip;
  ReportCapture capture;
  RwLock<int> table(0, "table");
  Mutex<int> log(0, "log");
  {
    auto r = table.read();
    auto g = log.lock();
  }
  {
    auto g = log.lock();
    auto w = table.write();
  }
  std::string r = capture.text();
  EXPECT_NE(r.find("lock-order inversion"), std::string::npos) << r;
  EXPECT_NE(r.find("RwLock M"), std::string::npos) << r;
}

// Two reads of one RwLock on one thread: allowed, though the thread safety
// analysis rejects a second acquisition of a lock already held.
void read_twice(RwLock<int>& table) NO_THREAD_SAFETY_ANALYSIS {
  auto r1 = table.read();
  auto r2 = table.read();
}

TEST(Detector, RecursiveReadsAreNotReported) {
  ReportCapture capture;
  RwLock<int> table(0);
  read_twice(table);
  EXPECT_EQ(capture.text(), "");
}

TEST(Detector, MisuseReportsHaveTheReportShape) {
  ReportCapture capture;
  RawMutex mu("misused");
  int line = __LINE__ + 1;
  detector::report_mutex_misuse(mu.info(), "unlock of an unlocked mutex", std::source_location::current());
  std::string r = capture.text();
  EXPECT_NE(r.find("WARNING: racelings: mutex misuse (unlock of an unlocked mutex) (pid="), std::string::npos) << r;
  EXPECT_NE(r.find("'misused'"), std::string::npos) << r;
  EXPECT_NE(r.find("SUMMARY: racelings: mutex misuse " + site(line)), std::string::npos) << r;
}

TEST(Detector, TheTimeoutReportSaysWhatEachThreadWaitsFor) {
  ReportCapture capture;
  auto [tx, rx] = channel<int>();
  auto waiter = Builder().name("waiter").spawn([rx = std::move(rx)]() mutable { return rx.recv().unwrap(); });
  // Ask for reports until the waiter shows as blocked in its receive.
  bool seen = eventually([&] {
    detector::report_timeout("Suite.Test", 1.5);
    auto reports = capture.reports();
    return reports.back().find("waits to receive on an empty channel") != std::string::npos;
  });
  std::string r = capture.reports().back();
  EXPECT_TRUE(seen) << r;
  EXPECT_NE(r.find("WARNING: racelings: timeout (pid="), std::string::npos) << r;
  EXPECT_NE(r.find("The test Suite.Test did not finish within 1.5 s"), std::string::npos) << r;
  EXPECT_NE(r.find("'waiter'"), std::string::npos) << r;
  EXPECT_NE(r.find("'main'"), std::string::npos) << r;
  EXPECT_NE(r.find("1 Sender is still alive"), std::string::npos) << r;
  tx.send(4).unwrap();
  EXPECT_EQ(waiter.join(), 4);
}

TEST(Detector, ATimeoutReportNeverReadsALockThatARunningThreadDestroys) {
  // A running thread takes, releases and destroys lock after lock while
  // timeout reports list what it holds. Each lock's name says which one it
  // is; a report that read a destroyed lock would show freed memory there
  // (under AddressSanitizer: a heap-use-after-free).
  ReportCapture capture;
  std::atomic<bool> stop{false};
  std::atomic<int> made{0};
  auto churn = Builder().name("churn").spawn([&] {
    for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
      auto* m = new Mutex<int>(i, "churned lock " + std::to_string(i % 10) + std::string(80, '.'));
      {
        *m->lock() += 1;
      }
      delete m;
      made.fetch_add(1, std::memory_order_relaxed);
    }
  });
  // The reports start once the thread churns, so that they overlap.
  ASSERT_TRUE(eventually([&] { return made.load(std::memory_order_relaxed) > 0; }));
  const int reports = testing_util::stress_iterations(3000);
  for (int i = 0; i < reports; ++i) {
    detector::report_timeout("Suite.Churn", 1.0);
    if (i % 100 == 99) {
      // Keep the captured text small: check and forget it as we go.
      for (const std::string& r : capture.reports()) {
        for (size_t at = r.find("holds Mutex"); at != std::string::npos; at = r.find("holds Mutex", at + 1)) {
          size_t open = r.find('\'', at);
          ASSERT_NE(open, std::string::npos) << r;
          std::string name = r.substr(open + 1, r.find('\'', open + 1) - open - 1);
          ASSERT_TRUE(name.size() == 13 + 1 + 80 && name.rfind("churned lock ", 0) == 0 &&
                      name.find_first_not_of('.', 14) == std::string::npos)
              << "a report read a destroyed lock: '" << name << "'";
        }
      }
      capture.clear();
    }
  }
  stop.store(true);
  churn.join();
}

TEST(Detector, StressHooksDoNothingWhenStressIsOff) {
  // RACELINGS_STRESS is not set for unit tests.
  for (int i = 0; i < 100; ++i) {
    detector::stress_point();
    EXPECT_FALSE(detector::stress_spurious_wakeup());
  }
}

}  // namespace
}  // namespace racelings
