// Captures everything by value to be safe from lifetimes: each thread fills its own copy of `scores`, and the caller's stays zero.
// expect: runs: test failure
//
// Exercise 05: scoped threads
//
// word_scores() scores words as in Scrabble, on several threads. The table
// of points per letter lives in an inner block, but the threads are joined
// after that block: they go on reading the table after it is gone.
//
// Use racelings::scope, so that every thread is joined before the table
// goes away. Keep the scoring on several threads.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

// Points for 'a' to 'z', as in English Scrabble.
std::array<int, 26> letter_points() {
  std::array<int, 26> points;
  points.fill(1);
  for (char c : std::string("dg")) points[c - 'a'] = 2;
  for (char c : std::string("bcmp")) points[c - 'a'] = 3;
  for (char c : std::string("fhvwy")) points[c - 'a'] = 4;
  points['k' - 'a'] = 5;
  points['j' - 'a'] = points['x' - 'a'] = 8;
  points['q' - 'a'] = points['z' - 'a'] = 10;
  return points;
}

// The score of each word (lowercase letters only), computed by `threads` threads.
std::vector<int> word_scores(const std::vector<std::string>& words, int threads) {
  std::vector<int> scores(words.size());
  std::vector<racelings::JoinHandle<void>> workers;
  {
    // Only the scoring needs the table, so it lives in this block.
    const std::array<int, 26> points = letter_points();
    for (int t = 0; t < threads; ++t) {
      // By value: the thread owns copies of everything, nothing can die under it.
      workers.push_back(racelings::spawn([=]() mutable {
        for (size_t i = t; i < words.size(); i += threads) {
          int score = 0;
          for (char c : words[i]) score += points[c - 'a'];
          scores[i] = score;
        }
      }));
    }
    // TODO: `points` dies at the closing brace below, but the threads that
    // read it are joined only after it. Let racelings::scope join them here.
  }
  for (auto& worker : workers) worker.join();
  return scores;
}

}  // namespace exercise
