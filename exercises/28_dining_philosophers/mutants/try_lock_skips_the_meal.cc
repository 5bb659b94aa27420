// Takes the right fork with try_lock() and skips the meal when it is taken: no philosopher waits, and some go hungry.
// expect: explore: test failure
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
          // Never wait for the second fork while holding the first: no cycle of waits.
          auto first = left.lock();
          auto maybe_second = right.try_lock();
          if (!maybe_second) continue;  // Busy: put the left fork down, think instead.
          auto& second = *maybe_second;
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
