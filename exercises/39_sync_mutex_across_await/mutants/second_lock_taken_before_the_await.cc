// Looks in the cache in a block of its own, but takes the lock for the store before awaiting the fetch: it still crosses the co_await.
// expect: runs: deadlock
//
// Exercise 39: a thread lock held across co_await
//
// prices() looks up several items at once, one task per item, on a
// current-thread runtime: one thread runs every task, switching at co_await.
// A lookup locks the cache (a racelings::Mutex, a lock for threads) and, on a
// miss, keeps it locked while it awaits the slow fetch. The next lookup then
// runs on the same thread and locks the cache again: the thread waits for
// itself.
//
// Never hold a thread lock across co_await. Keep one task per item.

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
  }  // Not held while we look up the price.
  auto prices = cache.lock();  // Ready to store the price as soon as it comes.
  int fetched = co_await fetch_price(item);
  prices->emplace(item, fetched);
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
