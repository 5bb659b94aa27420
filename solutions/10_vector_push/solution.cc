// Exercise 10: push_back from several threads (solution)
//
// The vector now lives inside a racelings::Mutex: each push_back happens
// under the lock, one thread at a time. (Giving each thread its own vector
// and merging them after the threads end works too, and takes no lock.)

#include <algorithm>
#include <utility>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

bool is_prime(int n) {
  if (n < 2) return false;
  for (int d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

// The primes below `limit`, in increasing order, found by `threads` threads.
std::vector<int> find_primes(int limit, int threads) {
  racelings::Mutex<std::vector<int>> found;
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&, t] {
        for (int n = t; n < limit; n += threads) {
          // The guard serialises the appends; the primality test runs in parallel.
          if (is_prime(n)) found.lock()->push_back(n);
        }
      });
    }
  });
  // Every thread has been joined: the vector can leave the mutex.
  std::vector<int> primes = std::move(found).into_inner();
  std::sort(primes.begin(), primes.end());
  return primes;
}

}  // namespace exercise
