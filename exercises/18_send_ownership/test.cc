// Tests for exercise 18. Do not edit: `./racelings check 18` runs them.
#include <gtest/gtest.h>

#include <vector>

#include "primitives/testing.h"

// What exercise.cc must provide.
namespace exercise {
std::vector<long> upload(int chunks, int size);
}

TEST(SendOwnership, TheUploaderSumsEveryChunkAsItWasRead) {
  const int chunks = 20, size = 1000;
  std::vector<long> checksums;
  auto threads = racelings::testing::count_threads([&] { checksums = exercise::upload(chunks, size); });
  ASSERT_EQ(checksums.size(), static_cast<size_t>(chunks));
  for (int k = 0; k < chunks; ++k) {
    // Chunk k holds k*size, k*size + 1, ..., k*size + size - 1.
    long expected = static_cast<long>(k) * size * size + static_cast<long>(size) * (size - 1) / 2;
    EXPECT_EQ(checksums[k], expected) << "chunk " << k << " changed while the uploader was summing it";
  }
  EXPECT_GE(threads.spawned, 1) << "the chunks must still be summed on a separate uploader thread";
}
