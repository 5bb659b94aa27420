// Gives each task its own slot, but makes room with reserve() instead of resize(): the slots are written past the end, and the vector stays empty.
// expect: runs: test failure
//
// Exercise 33: pool tasks share a vector
//
// check_links() fetches every URL on a pool of four threads, so that slow
// servers are waited for side by side. But each task appends its result to
// one shared std::vector, and the tasks run at the same time: push_back()
// from several threads at once is a data race.
//
// Bring each task's result back to the caller instead. Keep the fetches on
// the pool.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "primitives/channel.h"
#include "primitives/parallel/thread_pool.h"

namespace exercise {

// The HTTP status of each URL, in the order of `urls`.
std::vector<int> check_links(const std::vector<std::string>& urls,
                             const std::function<int(const std::string&)>& fetch) {
  racelings::ThreadPool pool(4, "checker");
  std::vector<std::pair<size_t, int>> results;  // (index in urls, status)
  results.reserve(urls.size());
  for (size_t i = 0; i < urls.size(); ++i) {
    pool.execute([&results, &urls, &fetch, i] {
      const int status = fetch(urls[i]);
      results[i] = {i, status};  // Task i writes only slot i: no two tasks share an element.
    });
  }
  pool.join();

  std::sort(results.begin(), results.end());  // The tasks finish in any order.
  std::vector<int> statuses;
  for (auto [i, status] : results) statuses.push_back(status);
  return statuses;
}

}  // namespace exercise
