// Counts privately, but adds the total through the same escaped reference, after the guard is gone.
// expect: runs: data race
//
// Exercise 07: a reference must not outlive its guard
//
// count_hits() serves requests for a few pages on several threads and counts
// them per page, in a map behind a mutex. To lock less often, each thread
// fetches its page's counter once, under the lock, and then increments it
// for every request. But the guard is gone by then: the increments of two
// threads serving the same page race.
//
// Only touch the map's data while a guard is alive. Keep the threads.

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
        // TODO: the guard returned by lock() dies at the end of this line, and
        // `count` still points into the map after the lock is released.
        long& count = (*hits.lock())[page];
        long served = 0;  // Private: no lock needed while counting.
        for (int r = 0; r < requests; ++r) {
          serve(page);
          ++served;
        }
        count += served;
      });
    }
  });
  return std::move(hits).into_inner();
}

}  // namespace exercise
