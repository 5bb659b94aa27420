// Tests for exercise 37. Do not edit: `./racelings check 37` runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<std::string> convert_all(const std::vector<std::string>& files,
                                     const std::function<void(const std::string&)>& convert);
}

namespace {

// A converter that fails on some files, and remembers which files it
// converted and on which threads. A failing conversion takes a while to give
// up: it throws only once every failing conversion is under way (or after a
// second), so that the failures arrive together, as they do when a disk
// fills up. Relaxed atomics only: the test adds no synchronisation between
// the failures that could hide a race from ThreadSanitizer.
class FakeConverter {
 public:
  explicit FakeConverter(std::map<std::string, std::string> failures) : failures_(std::move(failures)) {}

  void convert(const std::string& file) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads_.insert(std::this_thread::get_id());
    }
    auto failure = failures_.find(file);
    if (failure != failures_.end()) {
      wait_for_the_other_failures();
      throw std::runtime_error(file + ": " + failure->second);
    }
    std::lock_guard<std::mutex> lock(mu_);
    converted_.insert(file);
  }

  std::set<std::string> converted() {
    std::lock_guard<std::mutex> lock(mu_);
    return converted_;
  }
  std::set<std::thread::id> threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }

 private:
  void wait_for_the_other_failures() {
    failing_.fetch_add(1, std::memory_order_relaxed);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (failing_.load(std::memory_order_relaxed) < static_cast<int>(failures_.size()) &&
           !gave_up_.load(std::memory_order_relaxed)) {
      if (std::chrono::steady_clock::now() > deadline) gave_up_.store(true, std::memory_order_relaxed);
      std::this_thread::yield();
    }
  }

  const std::map<std::string, std::string> failures_;
  std::atomic<int> failing_{0};
  std::atomic<bool> gave_up_{false};
  std::mutex mu_;
  std::set<std::string> converted_;
  std::set<std::thread::id> threads_;
};

}  // namespace

TEST(PoolLostExceptions, EveryFailedConversionIsReported) {
  const std::vector<std::string> files = {"beach.png",  "notes.txt", "cat.jpg",   "scan.tiff",
                                          "dog.jpg",    "logo.svg",  "broken.png", "map.png",
                                          "plant.jpg",  "huge.bmp",  "sky.jpg",   "train.png"};
  FakeConverter converter({{"notes.txt", "not an image"},
                           {"broken.png", "file is truncated"},
                           {"huge.bmp", "image too large"}});

  std::vector<std::string> failures;
  auto threads = racelings::testing::count_threads([&] {
    failures = exercise::convert_all(files, [&converter](const std::string& file) { converter.convert(file); });
  });

  EXPECT_EQ(failures, (std::vector<std::string>{"broken.png: file is truncated", "huge.bmp: image too large",
                                                "notes.txt: not an image"}))
      << "convert_all() must report every conversion that threw";
  EXPECT_EQ(converter.converted().size(), files.size() - 3) << "every other file must still be converted";
  EXPECT_GE(threads.spawned, 2) << "the files must still be converted on a ThreadPool";
  EXPECT_EQ(converter.threads().count(std::this_thread::get_id()), 0u)
      << "the files must be converted by the pool's threads, not by the caller";
}

TEST(PoolLostExceptions, NothingIsReportedWhenEveryFileConverts) {
  const std::vector<std::string> files = {"a.png", "b.jpg", "c.png", "d.jpg", "e.png", "f.jpg"};
  FakeConverter converter({});
  const std::vector<std::string> failures =
      exercise::convert_all(files, [&converter](const std::string& file) { converter.convert(file); });
  EXPECT_TRUE(failures.empty()) << "first reported failure: " << (failures.empty() ? "" : failures.front());
  EXPECT_EQ(converter.converted().size(), files.size());
}
