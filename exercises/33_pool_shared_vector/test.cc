// Tests for exercise 33. Do not edit: `./racelings check 33` runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<int> check_links(const std::vector<std::string>& urls,
                             const std::function<int(const std::string&)>& fetch);
}

namespace {

// A fake web. Each fetch waits (at most a second, once per test) until
// another fetch is in flight too, as real downloads overlap, and counts how
// many ran at once. Relaxed atomics only: the test adds no synchronisation
// between the tasks that could hide a race from ThreadSanitizer.
class FakeWeb {
 public:
  explicit FakeWeb(std::map<std::string, int> statuses) : statuses_(std::move(statuses)) {}

  int fetch(const std::string& url) {
    const int now = in_flight_.fetch_add(1, std::memory_order_relaxed) + 1;
    int most = most_in_flight_.load(std::memory_order_relaxed);
    while (now > most && !most_in_flight_.compare_exchange_weak(most, now, std::memory_order_relaxed)) {
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (most_in_flight_.load(std::memory_order_relaxed) < 2 && !gave_up_.load(std::memory_order_relaxed)) {
      if (std::chrono::steady_clock::now() > deadline) gave_up_.store(true, std::memory_order_relaxed);
      std::this_thread::yield();
    }
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return statuses_.at(url);
  }

  int most_in_flight() const { return most_in_flight_.load(std::memory_order_relaxed); }

 private:
  const std::map<std::string, int> statuses_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> most_in_flight_{0};
  std::atomic<bool> gave_up_{false};
};

}  // namespace

TEST(PoolSharedVector, EveryLinkGetsItsStatusInOrder) {
  std::vector<std::string> urls;
  std::vector<int> expected;
  std::map<std::string, int> statuses;
  for (int page = 0; page < 16; ++page) {
    const int status = page % 5 == 3 ? 404 : page % 7 == 4 ? 500 : 200;
    urls.push_back("https://example.com/page-" + std::to_string(page));
    expected.push_back(status);
    statuses[urls.back()] = status;
  }
  FakeWeb web(statuses);

  std::vector<int> got;
  auto threads = racelings::testing::count_threads(
      [&] { got = exercise::check_links(urls, [&web](const std::string& url) { return web.fetch(url); }); });
  EXPECT_EQ(got, expected);
  EXPECT_GE(threads.spawned, 2) << "the links must still be fetched on a ThreadPool";
  // Under the controlled scheduler one thread may, in some schedules, do all
  // the work; the ordinary runs check that the work is spread.
  if (!racelings::testing::exploring()) {
    EXPECT_GE(web.most_in_flight(), 2) << "the fetches must still run on several pool threads at once";
  }
}
