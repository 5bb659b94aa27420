// Tests for exercise 38. Do not edit: `./racelings check 38` runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "primitives/async/async.h"

namespace {

using namespace std::chrono_literals;

constexpr int kPages = 8;
constexpr int kWordsPerPage = 200;

// Relaxed atomics throughout: test instruments that order nothing, so they
// neither hide nor cause a data race in the code under test.
std::atomic<int> in_flight{0};
std::atomic<int> max_in_flight{0};
std::atomic<int> answered{0};

// The server answers in pairs: a response waits (at most 200 ms) until a
// second download has reached this point too. The two tasks then go on side
// by side, in every run.
void answer_in_pairs() {
  answered.fetch_add(1, std::memory_order_relaxed);
  const auto give_up = std::chrono::steady_clock::now() + 200ms;
  while (answered.load(std::memory_order_relaxed) < 2 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
}

}  // namespace

// What exercise.cc must provide, and what it may use.
namespace exercise {
racelings::async::Task<long> count_words(int pages);

racelings::async::Task<std::string> download(int page) {
  int now = in_flight.fetch_add(1, std::memory_order_relaxed) + 1;
  int seen = max_in_flight.load(std::memory_order_relaxed);
  while (seen < now && !max_in_flight.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
  co_await racelings::async::sleep_for(5ms);  // The network.
  std::string text;
  for (int w = 0; w < kWordsPerPage; ++w) text += "page" + std::to_string(page) + "-word" + std::to_string(w) + " ";
  answer_in_pairs();
  in_flight.fetch_sub(1, std::memory_order_relaxed);
  co_return text;
}
}  // namespace exercise

TEST(AsyncSharedState, EveryWordOfEveryPageIsCounted) {
  racelings::async::Runtime runtime(4);  // A multi-threaded runtime, as #[tokio::main] starts.
  long total = runtime.block_on(exercise::count_words(kPages));
  EXPECT_EQ(total, long{kPages} * kWordsPerPage) << "some words were not counted";
  EXPECT_GE(max_in_flight.load(), 2) << "the pages must still be downloaded by tasks that run at the same time";
}
