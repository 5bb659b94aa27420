// Tests for exercise 05. Do not edit: `./racelings check 05` runs them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<int> word_scores(const std::vector<std::string>& words, int threads);
}

namespace {

int score_of(const std::string& word) {
  // English Scrabble points for 'a' to 'z'.
  static const int kPoints[26] = {1, 3, 3, 2, 1, 4, 2, 4, 1, 8, 5, 1, 3, 1, 1, 3, 10, 1, 1, 1, 1, 4, 4, 8, 4, 10};
  int score = 0;
  for (char c : word) score += kPoints[c - 'a'];
  return score;
}

}  // namespace

TEST(ScopedThreads, EveryWordGetsItsScore) {
  const std::vector<std::string> samples = {"quiz", "jazz", "thread", "scope", "borrow", "lifetime", "xylophone"};
  std::vector<std::string> words;
  const int count = racelings::testing::rounds(20000, 200);  // Fewer under the controlled scheduler.
  for (int i = 0; i < count; ++i) words.push_back(samples[i % samples.size()]);

  for (int round = 0; round < racelings::testing::rounds(5, 1); ++round) {
    std::vector<int> scores;
    auto threads = racelings::testing::count_threads([&] { scores = exercise::word_scores(words, 4); });
    ASSERT_EQ(scores.size(), words.size());
    for (size_t i = 0; i < words.size(); ++i) {
      ASSERT_EQ(scores[i], score_of(words[i])) << "word " << i << ": " << words[i];
    }
    ASSERT_GE(threads.max_running, 2) << "the words must still be scored by several threads at once";
  }
}
