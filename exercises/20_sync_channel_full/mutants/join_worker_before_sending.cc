// Starts the worker first, but joins it before sending: the worker waits for jobs that the caller sends only after the join.
// expect: runs: deadlock
//
// Exercise 20: a full sync_channel
//
// square_all() puts every number into a bounded job queue, then starts a
// worker thread that squares them. But sync_channel(2) holds only two jobs:
// the third send waits for someone to receive, and the worker that would
// receive is not started yet. The caller waits forever: a deadlock.
//
// Make the jobs flow. Keep the bounded channel and the worker thread.

#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

std::vector<long> square_all(const std::vector<int>& numbers) {
  // At most two jobs wait in the queue: the sender slows down to the worker's pace.
  auto [jobs, queue] = racelings::sync_channel<int>(2);

  auto worker = racelings::Builder().name("squarer").spawn([queue = std::move(queue)]() mutable {
    std::vector<long> squares;
    for (int n : queue) squares.push_back(static_cast<long>(n) * n);
    return squares;
  });
  std::vector<long> squares = worker.join();
  for (int n : numbers) jobs.send(n).unwrap();
  jobs.close();
  return squares;
}

}  // namespace exercise
