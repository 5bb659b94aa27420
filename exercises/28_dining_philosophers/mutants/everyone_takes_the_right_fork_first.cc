// Makes every philosopher take the right fork first: the waits still go round the table, the other way.
// expect: runs: lock-order inversion
//
// Exercise 28: the dining philosophers
//
// Five philosophers sit at a round table with one fork between each pair of
// neighbours. To eat, a philosopher needs both forks next to them, so each
// takes the left fork, then the right. If all five pick up their left fork at
// once, each waits forever for a right fork that a neighbour holds: a cycle
// of five locks, reported as a lock-order inversion.
//
// Make the forks be taken in an order that cannot form a cycle. Keep one
// thread per philosopher.

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
        racelings::Mutex<int>& left = forks[p];
        racelings::Mutex<int>& right = forks[(p + 1) % kPhilosophers];
        for (int m = 0; m < meals; ++m) {
          // Right fork first, then left.
          auto first = right.lock();
          auto second = left.lock();
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
