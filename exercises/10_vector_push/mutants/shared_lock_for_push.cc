// Guards push_back with a std::shared_mutex taken in shared mode: every thread holds it at once.
// expect: runs: data race
//
// Exercise 10: push_back from several threads
//
// find_primes() tests numbers on several threads, and every thread appends
// the primes it finds to one shared std::vector. Reserving room up front
// keeps the buffer from moving, but push_back() still reads and writes the
// vector's end from every thread at once: a data race that loses primes.
//
// Protect the vector, or give each thread its own. Keep several threads.

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <vector>

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
  std::vector<int> primes;
  primes.reserve(limit);  // room for every candidate: the buffer never moves
  std::shared_mutex primes_mutex;
  racelings::scope([&](racelings::Scope& s) {
    for (int t = 0; t < threads; ++t) {
      s.spawn([&, t] {
        for (int n = t; n < limit; n += threads) {
          if (is_prime(n)) {
            std::shared_lock lock(primes_mutex);
            primes.push_back(n);
          }
        }
      });
    }
  });
  std::sort(primes.begin(), primes.end());
  return primes;
}

}  // namespace exercise
