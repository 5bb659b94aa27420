// Exercise 20: a full sync_channel (solution)
//
// The worker starts first, so every send finds a receiver that makes room:
// the caller blocks only while two jobs wait, and only until the worker
// takes one.

#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

std::vector<long> square_all(const std::vector<int>& numbers) {
  // At most two jobs wait in the queue: the sender slows down to the worker's pace.
  auto [jobs, queue] = racelings::sync_channel<int>(2);

  // The receiver runs before the first send, so a full queue always drains.
  auto worker = racelings::Builder().name("squarer").spawn([queue = std::move(queue)]() mutable {
    std::vector<long> squares;
    for (int n : queue) squares.push_back(static_cast<long>(n) * n);
    return squares;
  });

  for (int n : numbers) jobs.send(n).unwrap();
  jobs.close();
  return worker.join();
}

}  // namespace exercise
