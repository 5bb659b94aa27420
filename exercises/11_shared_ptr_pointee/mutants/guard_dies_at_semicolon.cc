// Locks the board, but keeps a reference past the guard's statement: the updates run unlocked.
// expect: runs: data race
//
// Exercise 11: shared_ptr shares, it does not protect
//
// play_all() plays matches on several threads and records every result on
// one Scoreboard, shared through a std::shared_ptr. Copying the shared_ptr
// into each thread is safe (its reference count is atomic), but that makes
// only the pointer thread-safe, not the Scoreboard it points to: the
// threads update the same fields at the same time.
//
// Share a std::shared_ptr<racelings::Mutex<Scoreboard>> instead (Rust's
// Arc<Mutex<T>>). Keep the matches on several threads.

#include <memory>

#include "primitives/mutex.h"
#include <utility>
#include <vector>

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
  // TODO: the shared_ptr lets every thread reach the same Scoreboard, and
  // nothing makes them take turns. Share a racelings::Mutex<Scoreboard>.
  auto board = std::make_shared<racelings::Mutex<Scoreboard>>(Scoreboard{});
  std::vector<racelings::JoinHandle<void>> handles;
  for (int p = 0; p < players; ++p) {
    handles.push_back(racelings::spawn([board, p, matches] {
      for (int m = 0; m < matches; ++m) {
        int points = play(p, m);
        Scoreboard& scores = *board->lock();
        scores.played += 1;
        scores.points += points;
      }
    }));
  }
  for (auto& handle : handles) handle.join();
  auto scores = board->lock();
  return {scores->played, scores->points};
}

}  // namespace exercise
