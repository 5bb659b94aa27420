// Exercise 33: pool tasks share a vector (solution)
//
// Each task sends its (index, status) pair through its own copy of the
// Sender; only the caller, the single receiver, writes the result vector.
// The caller closes its own Sender, so the receiving loop ends once the last
// task is done (the pool destroys each task's closure, Sender included, right
// after it ran).

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
  auto [tx, rx] = racelings::channel<std::pair<size_t, int>>();  // (index in urls, status)
  for (size_t i = 0; i < urls.size(); ++i) {
    pool.execute([tx, &urls, &fetch, i]() mutable {
      tx.send({i, fetch(urls[i])}).unwrap();  // Sent, not shared: only the caller writes the results.
    });
  }
  tx.close();

  std::vector<int> statuses(urls.size());
  for (auto [i, status] : rx) statuses[i] = status;  // The index says where each result goes.
  return statuses;
}

}  // namespace exercise
