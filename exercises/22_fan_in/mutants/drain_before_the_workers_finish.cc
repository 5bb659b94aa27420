// Drains the channel with try_recv() right after starting the workers: whatever a worker sends after the drain is lost.
// expect: explore: test failure
//
// Exercise 22: fan in through a channel
//
// count_primes() splits a range of numbers into tasks and runs each task on
// its own thread (fan-out), then gathers the tasks' results in one vector
// (fan-in). But the workers push_back into that vector at the same time:
// a data race.
//
// Gather the results through a channel instead. Keep one thread per task.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

int primes_in(int from, int to) {
  int found = 0;
  for (int n = std::max(from, 2); n < to; ++n) {
    bool prime = true;
    for (int d = 2; d * d <= n && prime; ++d) prime = n % d != 0;
    found += prime;
  }
  return found;
}

// The number of primes in each of `tasks` equal slices of [0, limit), in order.
std::vector<int> count_primes(int limit, int tasks) {
  auto [tx, rx] = racelings::channel<std::pair<int, int>>();  // (task, primes found)
  std::vector<racelings::JoinHandle<void>> workers;
  for (int t = 0; t < tasks; ++t) {
    workers.push_back(racelings::Builder().name("task-" + std::to_string(t)).spawn([tx, t, limit, tasks]() mutable {
      int found = primes_in(t * (limit / tasks), (t + 1) * (limit / tasks));
      tx.send({t, found}).unwrap();
    }));
  }
  std::vector<std::pair<int, int>> results;
  while (auto result = rx.try_recv()) results.push_back(*result);  // try_recv() never blocks.
  for (auto& worker : workers) worker.join();

  std::sort(results.begin(), results.end());
  std::vector<int> counts;
  for (auto [task, found] : results) counts.push_back(found);
  return counts;
}

}  // namespace exercise
