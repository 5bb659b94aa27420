// Uses try_send() so that the caller never blocks on a full queue: the jobs that do not fit are silently dropped.
// expect: runs: test failure
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

  // try_send() never blocks, so a full queue cannot hang the caller.
  for (int n : numbers) (void)jobs.try_send(n);
  jobs.close();

  auto worker = racelings::Builder().name("squarer").spawn([queue = std::move(queue)]() mutable {
    std::vector<long> squares;
    for (int n : queue) squares.push_back(static_cast<long>(n) * n);
    return squares;
  });
  return worker.join();
}

}  // namespace exercise
