// Guards the results with a Mutex, but copies them out before pool.join(): the tasks still fetching have not added theirs yet.
// expect: explore: test failure
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
#include "primitives/mutex.h"
#include "primitives/parallel/thread_pool.h"

namespace exercise {

// The HTTP status of each URL, in the order of `urls`.
std::vector<int> check_links(const std::vector<std::string>& urls,
                             const std::function<int(const std::string&)>& fetch) {
  racelings::ThreadPool pool(4, "checker");
  racelings::Mutex<std::vector<std::pair<size_t, int>>> shared_results;  // (index in urls, status)
  for (size_t i = 0; i < urls.size(); ++i) {
    pool.execute([&shared_results, &urls, &fetch, i] {
      const int status = fetch(urls[i]);
      shared_results.lock()->push_back({i, status});  // One task at a time.
    });
  }
  std::vector<std::pair<size_t, int>> results = *shared_results.lock();
  pool.join();

  std::sort(results.begin(), results.end());  // The tasks finish in any order.
  std::vector<int> statuses;
  for (auto [i, status] : results) statuses.push_back(status);
  return statuses;
}

}  // namespace exercise
