// Exercise 39: a thread lock held across co_await (solution)
//
// The cache's thread lock is held only between two awaits: once to look, and
// once to store. While a task waits for the fetch it holds nothing, so the
// other lookups run (and fetch) meanwhile. (An async::Mutex, whose guard may
// cross co_await, also works, but then every lookup waits for the fetch of
// the one holding the lock.)

#include <map>
#include <string>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/mutex.h"

namespace exercise {

using racelings::async::Task;

// Asks the price service (the test provides it; it takes a while).
Task<int> fetch_price(std::string item);

using Cache = racelings::Mutex<std::map<std::string, int>>;

Task<int> price(Cache& cache, std::string item) {
  {
    auto prices = cache.lock();
    if (auto hit = prices->find(item); hit != prices->end()) co_return hit->second;
  }  // The guard ends here: no thread lock is held across the co_await below.
  int fetched = co_await fetch_price(item);
  cache.lock()->emplace(item, fetched);
  co_return fetched;
}

// The price of each item, looked up concurrently with one shared cache.
Task<std::vector<int>> prices(std::vector<std::string> items) {
  Cache cache({}, "price cache");
  std::vector<Task<int>> lookups;
  for (const std::string& item : items) lookups.push_back(price(cache, item));
  co_return co_await racelings::async::join_all(std::move(lookups));
}

}  // namespace exercise
