// Exercise 07: a reference must not outlive its guard (solution)
//
// Each thread counts its requests in a local variable that no other thread
// sees, then adds the count to the map once, while it holds the guard. Every
// access to the map's data happens while a guard is alive, and the lock is
// still taken only once per thread.

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

// Serves one request for `page` (the test provides it, standing in for real work).
void serve(const std::string& page);

// Thread t serves `requests` requests for page t % 2; returns the hits per page.
std::map<std::string, long> count_hits(int threads, int requests) {
  const std::vector<std::string> pages = {"/home", "/about"};
  racelings::Mutex<std::map<std::string, long>> hits;
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&, t] {
        const std::string& page = pages[t % pages.size()];
        // A private count needs no lock.
        long served = 0;
        for (int r = 0; r < requests; ++r) {
          serve(page);
          ++served;
        }
        // The guard lives until the end of this statement, which covers the add.
        (*hits.lock())[page] += served;
      });
    }
  });
  return std::move(hits).into_inner();
}

}  // namespace exercise
