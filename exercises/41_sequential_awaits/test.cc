// Tests for exercise 41. Do not edit: `./racelings check 41` runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "primitives/async/async.h"

namespace {

using namespace std::chrono_literals;

// Relaxed atomics throughout: test instruments that order nothing, so they
// neither hide nor cause a data race in the code under test.
std::atomic<int> in_flight{0};
std::atomic<int> max_in_flight{0};
std::atomic<int> answered{0};

// Each service call: counts the calls in flight at once, waits for the
// network, then answers. The services answer in one batch: a reply waits (at
// most 200 ms) until all three requests have come, so that concurrent
// callers go on side by side, in every run.
template <typename T>
racelings::async::Task<T> serve(T reply) {
  int now = in_flight.fetch_add(1, std::memory_order_relaxed) + 1;
  int seen = max_in_flight.load(std::memory_order_relaxed);
  while (seen < now && !max_in_flight.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
  co_await racelings::async::sleep_for(20ms);  // The network.
  answered.fetch_add(1, std::memory_order_relaxed);
  const auto give_up = std::chrono::steady_clock::now() + 200ms;
  while (answered.load(std::memory_order_relaxed) < 3 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  in_flight.fetch_sub(1, std::memory_order_relaxed);
  co_return reply;
}

}  // namespace

// What exercise.cc must provide, and what it may use.
namespace exercise {
struct Dashboard {
  std::string profile;
  std::vector<std::string> orders;
  std::vector<std::string> messages;
  int badges = 0;  // New orders plus unread messages.
};
racelings::async::Task<Dashboard> load_dashboard(int user);

racelings::async::Task<std::string> fetch_profile(int user) {
  return serve<std::string>("user " + std::to_string(user));
}
racelings::async::Task<std::vector<std::string>> fetch_orders(int) {
  return serve<std::vector<std::string>>({"book", "lamp"});
}
racelings::async::Task<std::vector<std::string>> fetch_messages(int) {
  return serve<std::vector<std::string>>({"hi", "lunch?", "re: lamp"});
}
}  // namespace exercise

TEST(SequentialAwaits, TheThreeFetchesRunAtOnceAndTheDashboardIsComplete) {
  racelings::async::Runtime runtime(4);  // A multi-threaded runtime, as #[tokio::main] starts.
  exercise::Dashboard d = runtime.block_on(exercise::load_dashboard(7));
  EXPECT_EQ(d.profile, "user 7");
  EXPECT_EQ(d.orders, (std::vector<std::string>{"book", "lamp"}));
  EXPECT_EQ(d.messages, (std::vector<std::string>{"hi", "lunch?", "re: lamp"}));
  EXPECT_EQ(d.badges, 5) << "two new orders plus three unread messages";
  EXPECT_EQ(max_in_flight.load(), 3)
      << "the three fetches must be in flight at the same time: each one waits for the network, so one after "
         "the other the page waits for the sum of the three waits";
}
