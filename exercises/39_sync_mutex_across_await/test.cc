// Tests for exercise 39. Do not edit: `./racelings check 39` runs them.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "primitives/async/async.h"

namespace {

using namespace std::chrono_literals;

// Which tasks called fetch_price (the runtime's task numbers). Only the one
// thread of the current-thread runtime touches it.
std::set<uint64_t> fetching_tasks;

}  // namespace

// What exercise.cc must provide, and what it may use.
namespace exercise {
racelings::async::Task<std::vector<int>> prices(std::vector<std::string> items);

racelings::async::Task<int> fetch_price(std::string item) {
  fetching_tasks.insert(racelings::async::internal::current_task()->id);
  co_await racelings::async::sleep_for(10ms);  // The network.
  co_return static_cast<int>(item.size()) * 100 + item[0];
}
}  // namespace exercise

TEST(SyncMutexAcrossAwait, EveryLookupGetsItsPriceAndTheProgramGoesOn) {
  fetching_tasks.clear();
  auto runtime = racelings::async::Runtime::current_thread();
  std::vector<int> got = runtime.block_on(exercise::prices({"apple", "pear", "apple", "fig"}));
  EXPECT_EQ(got, (std::vector<int>{597, 512, 597, 402}));
  EXPECT_GE(fetching_tasks.size(), 2u) << "each item must still be looked up by its own task";
}
