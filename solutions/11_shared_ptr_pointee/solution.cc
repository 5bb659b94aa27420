// Exercise 11: shared_ptr shares, it does not protect (solution)
//
// The shared_ptr still shares ownership; the Mutex inside it now protects
// the Scoreboard. One guard covers both fields, so every update is whole and
// no other thread sees (or overwrites) a half-recorded match.

#include <memory>
#include <utility>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

// Plays match `match` of `player` and returns the points won (the test
// provides it, standing in for real work).
int play(int player, int match);

struct Scoreboard {
  int played = 0;
  int points = 0;
};

// Returns {matches played, points won} over all players.
std::pair<int, int> play_all(int players, int matches) {
  // Arc<Mutex<Scoreboard>>: shared ownership of a lock that owns the data.
  auto board = std::make_shared<racelings::Mutex<Scoreboard>>(Scoreboard{});
  std::vector<racelings::JoinHandle<void>> handles;
  for (int p = 0; p < players; ++p) {
    handles.push_back(racelings::spawn([board, p, matches] {
      for (int m = 0; m < matches; ++m) {
        int points = play(p, m);
        // One guard for both fields: the match is recorded as a whole.
        auto scores = board->lock();
        scores->played += 1;
        scores->points += points;
      }
    }));
  }
  for (auto& handle : handles) handle.join();
  auto scores = board->lock();
  return {scores->played, scores->points};
}

}  // namespace exercise
