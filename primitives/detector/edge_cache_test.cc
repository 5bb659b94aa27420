#include "primitives/detector/edge_cache.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace racelings {
namespace detector {
namespace {

TEST(EdgeCache, HoldsWhatWasInserted) {
  EdgeCache cache;
  EXPECT_FALSE(cache.contains(1, 2));
  cache.insert(1, 2);
  EXPECT_TRUE(cache.contains(1, 2));
  EXPECT_FALSE(cache.contains(2, 1));
}

TEST(EdgeCache, TwoEdgesWithTheSameHashAreDifferentEdges) {
  // (3, d) hashes as (1, 2) does: a cache of hashes would take the edge
  // M3 => Md as already checked and never look for the cycle it closes.
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  const uint64_t d = (1 * kMul ^ 2) ^ (3 * kMul);
  EdgeCache cache;
  cache.insert(1, 2);
  EXPECT_FALSE(cache.contains(3, d));
}

}  // namespace
}  // namespace detector
}  // namespace racelings
