// Tests for exercise 34. Do not edit: `./racelings check 34` runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
long disk_usage(const std::vector<std::string>& files, const std::function<long(const std::string&)>& size_of);
}

namespace {

// A fake disk. A file's size comes from its name. The first call on each
// thread waits (at most a second, once per test) until a second thread asks
// too, as slow disk calls overlap, and counts the threads that asked.
// Relaxed atomics only: the test adds no synchronisation between the
// threads that could hide a race from ThreadSanitizer.
class FakeDisk {
 public:
  long size_of(const std::string& file) {
    thread_local const FakeDisk* counted_for = nullptr;
    if (counted_for != this) {
      counted_for = this;
      threads_.fetch_add(1, std::memory_order_relaxed);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      while (threads_.load(std::memory_order_relaxed) < 2 && !gave_up_.load(std::memory_order_relaxed)) {
        if (std::chrono::steady_clock::now() > deadline) gave_up_.store(true, std::memory_order_relaxed);
        std::this_thread::yield();
      }
    }
    return size_from_name(file);
  }

  static long size_from_name(const std::string& file) {
    long size = 0;
    for (char c : file) size = (size * 31 + c) % 100003;
    return size;
  }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> threads_{0};
  std::atomic<bool> gave_up_{false};
};

}  // namespace

TEST(ParSumShared, TheTotalIsTheSumOfEveryFileSize) {
  std::vector<std::string> files;
  long expected = 0;
  for (int i = 0; i < racelings::testing::rounds(8000, 200); ++i) {  // Fewer under the controlled scheduler.
    files.push_back("photos/img-" + std::to_string(i) + ".jpg");
    expected += FakeDisk::size_from_name(files.back());
  }
  FakeDisk disk;
  const long total = exercise::disk_usage(files, [&disk](const std::string& file) { return disk.size_of(file); });
  EXPECT_EQ(total, expected);
  // Under the controlled scheduler one thread may, in some schedules, do all
  // the work; the ordinary runs check that the work is spread.
  if (!racelings::testing::exploring()) {
    EXPECT_GE(disk.threads(), 2) << "size_of() must still be called on several threads";
  }
}
