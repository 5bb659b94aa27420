// Exercise 28: the dining philosophers (solution)
//
// Every philosopher takes the lower-numbered of their two forks first. Four
// of them still take left then right, but the last one (forks 4 and 0) takes
// fork 0 first: the forks are always locked in increasing order, so the
// waits can never go all the way round the table.

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

constexpr int kPhilosophers = 5;

// Every philosopher eats `meals` times; returns how many meals each ate.
std::vector<int> dine(int meals) {
  std::deque<racelings::Mutex<int>> forks;  // How often each fork was used.
  for (int f = 0; f < kPhilosophers; ++f) forks.emplace_back(0, "fork " + std::to_string(f));
  std::vector<int> eaten(kPhilosophers, 0);

  racelings::scope([&](racelings::Scope& s) {
    for (int p = 0; p < kPhilosophers; ++p) {
      racelings::Builder().name("philosopher-" + std::to_string(p)).spawn_scoped(s, [&, p] {
        const int left = p, right = (p + 1) % kPhilosophers;
        // One global order, lowest fork first: no cycle of waiting philosophers.
        racelings::Mutex<int>& low = forks[std::min(left, right)];
        racelings::Mutex<int>& high = forks[std::max(left, right)];
        for (int m = 0; m < meals; ++m) {
          auto first = low.lock();
          auto second = high.lock();
          ++*first;
          ++*second;
          ++eaten[p];
        }
      });
    }
  });
  return eaten;
}

}  // namespace exercise
