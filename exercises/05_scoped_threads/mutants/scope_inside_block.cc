// Uses racelings::scope, but keeps the table in a block inside the scope: the block still ends before the scope joins the threads.
// expect: runs: stack-use-after-scope
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
  // scope() joins every thread it started before it returns.
  racelings::scope([&](racelings::Scope& s) {
    {
      // Only the scoring needs the table, so it lives in this block.
      const std::array<int, 26> points = letter_points();
      for (int t = 0; t < threads; ++t) {
        s.spawn([&, t] {
          for (size_t i = t; i < words.size(); i += threads) {
            int score = 0;
            for (char c : words[i]) score += points[c - 'a'];
            scores[i] = score;
          }
        });
      }
    }
  });
  return scores;
}

}  // namespace exercise
