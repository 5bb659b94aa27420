// Tests of the parallel algorithms (parallel.h): every result equals the
// sequential loop's on random inputs of many sizes (0 and 1 included), order
// is preserved, ties resolve as in Rust, exceptions reach the caller, and the
// same holds inside pools of 1 and 3 threads.

#include "primitives/parallel/parallel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <numeric>
#include <random>
#include <ranges>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "primitives/test_util.h"

namespace racelings {
namespace {

const std::vector<size_t> kSizes = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 100, 1000, 4097, 100000};

std::vector<int64_t> random_vector(size_t n, uint32_t seed, int64_t range = 1000) {
  std::mt19937 rng(seed);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(rng() % static_cast<uint32_t>(range)) - range / 2;
  return v;
}

// Runs each test body on the global pool, and inside pools of 1 and 3 threads.
class ParallelAlgorithms : public ::testing::TestWithParam<int> {
 protected:
  template <typename F>
  void run(F body) {
    if (GetParam() == 0) {
      body();
    } else {
      ParallelPool pool(static_cast<size_t>(GetParam()));
      pool.install(body);
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Pools, ParallelAlgorithms, ::testing::Values(0, 1, 3), [](const auto& info) {
  return info.param == 0 ? std::string("GlobalPool") : "PoolOf" + std::to_string(info.param);
});

TEST_P(ParallelAlgorithms, SumMatchesTheSequentialSum) {
  run([] {
    for (size_t n : kSizes) {
      auto v = random_vector(n, 1);
      EXPECT_EQ(par_sum(v), std::accumulate(v.begin(), v.end(), int64_t{0})) << n;
      EXPECT_EQ(par_iter(v).sum(), std::accumulate(v.begin(), v.end(), int64_t{0})) << n;
      int64_t squares = 0;
      for (auto x : v) squares += x * x;
      EXPECT_EQ(par_sum(v, [](int64_t x) { return x * x; }), squares) << n;
    }
  });
}

TEST_P(ParallelAlgorithms, MapPreservesOrder) {
  run([] {
    for (size_t n : kSizes) {
      auto v = random_vector(n, 2);
      std::vector<int64_t> expected(n);
      std::transform(v.begin(), v.end(), expected.begin(), [](int64_t x) { return 3 * x + 1; });
      EXPECT_EQ(par_map(v, [](int64_t x) { return 3 * x + 1; }), expected) << n;
      // A non-trivial result type.
      std::vector<std::string> strings(n);
      std::transform(v.begin(), v.end(), strings.begin(), [](int64_t x) { return std::to_string(x); });
      EXPECT_EQ(par_map(v, [](int64_t x) { return std::to_string(x); }), strings) << n;
    }
  });
}

TEST_P(ParallelAlgorithms, BigTrivialMapUsesTheParallelFirstTouchPathAndIsRight) {
  run([] {
    const size_t n = (internal::kParallelFirstTouchBytes / sizeof(uint64_t)) * 3 + 123;
    auto out = par_range(uint64_t{0}, uint64_t{n}).map([](uint64_t i) { return i * i + 1; }).collect();
    ASSERT_EQ(out.size(), n);
    for (size_t i = 0; i < n; i += 997) ASSERT_EQ(out[i], i * i + 1) << i;
    EXPECT_EQ(out.back(), (n - 1) * (n - 1) + 1);
  });
}

TEST_P(ParallelAlgorithms, FilterPreservesOrder) {
  run([] {
    for (size_t n : kSizes) {
      auto v = random_vector(n, 3);
      std::vector<int64_t> expected;
      std::copy_if(v.begin(), v.end(), std::back_inserter(expected), [](int64_t x) { return x % 3 == 0; });
      EXPECT_EQ(par_filter(v, [](int64_t x) { return x % 3 == 0; }), expected) << n;
      EXPECT_EQ(par_filter(v, [](int64_t) { return false; }), std::vector<int64_t>{}) << n;
      EXPECT_EQ(par_filter(v, [](int64_t) { return true; }), v) << n;
    }
  });
}

TEST_P(ParallelAlgorithms, ReduceCombinesPiecesInOrder) {
  run([] {
    for (size_t n : kSizes) {
      auto v = random_vector(n, 4);
      EXPECT_EQ(par_reduce(v, int64_t{0}, std::plus<>()), std::accumulate(v.begin(), v.end(), int64_t{0})) << n;
      EXPECT_EQ(par_reduce(v, std::numeric_limits<int64_t>::min(), [](int64_t a, int64_t b) { return std::max(a, b); }),
                n == 0 ? std::numeric_limits<int64_t>::min() : *std::max_element(v.begin(), v.end()))
          << n;
      // Concatenation is associative but not commutative: order shows.
      std::vector<std::string> words(std::min<size_t>(n, 3000));
      for (size_t i = 0; i < words.size(); ++i) words[i] = std::to_string(v[i] % 10);
      std::string expected = std::accumulate(words.begin(), words.end(), std::string());
      EXPECT_EQ(par_reduce(words, std::string(), [](std::string a, const std::string& b) { return a + b; }), expected)
          << n;
    }
  });
}

TEST_P(ParallelAlgorithms, MinAndMaxByKeyOrComparator) {
  run([] {
    for (size_t n : kSizes) {
      auto v = random_vector(n, 5);
      auto mn = par_min_by(v, [](int64_t x) { return x; });
      auto mx = par_max_by(v, [](int64_t a, int64_t b) { return a < b; });
      if (n == 0) {
        EXPECT_FALSE(mn.has_value());
        EXPECT_FALSE(mx.has_value());
        continue;
      }
      EXPECT_EQ(mn, *std::min_element(v.begin(), v.end())) << n;
      EXPECT_EQ(mx, *std::max_element(v.begin(), v.end())) << n;
      EXPECT_EQ(par_iter(v).min(), mn);
      EXPECT_EQ(par_iter(v).max(), mx);
    }
  });
}

TEST_P(ParallelAlgorithms, MinByReturnsTheFirstSmallestAndMaxByTheLastLargest) {
  run([] {
    for (size_t n : kSizes) {
      if (n == 0) continue;
      // (key, position): keys repeat a lot.
      std::vector<std::pair<int, size_t>> v(n);
      auto keys = random_vector(n, 6, 5);
      for (size_t i = 0; i < n; ++i) v[i] = {static_cast<int>(keys[i]), i};
      auto key = [](const std::pair<int, size_t>& p) { return p.first; };
      // std::min_element keeps the first minimum; the last maximum is found by hand.
      auto first_min = *std::min_element(v.begin(), v.end(), [](auto& a, auto& b) { return a.first < b.first; });
      auto last_max = v[0];
      for (auto& p : v) {
        if (!(p.first < last_max.first)) last_max = p;
      }
      EXPECT_EQ(par_min_by(v, key), first_min) << n;
      EXPECT_EQ(par_max_by(v, key), last_max) << n;
      EXPECT_EQ(par_iter(v).min_by_key(key), first_min) << n;
      EXPECT_EQ(par_iter(v).max_by([](auto& a, auto& b) { return a.first < b.first; }), last_max) << n;
    }
  });
}

TEST_P(ParallelAlgorithms, ForEachReachesEveryElementOnce) {
  run([] {
    for (size_t n : kSizes) {
      auto v = random_vector(n, 7);
      auto expected = v;
      for (auto& x : expected) x *= 2;
      par_for_each(v, [](int64_t& x) { x *= 2; });
      EXPECT_EQ(v, expected) << n;
      par_iter_mut(v).for_each([](int64_t& x) { x /= 2; });
      for (auto& x : expected) x /= 2;
      EXPECT_EQ(v, expected) << n;
      std::vector<std::atomic<int>> hits(n);
      par_for_each(std::views::iota(size_t{0}, n), [&](size_t i) { hits[i].fetch_add(1, std::memory_order_relaxed); });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << i;
    }
  });
}

TEST_P(ParallelAlgorithms, ChainsOfAdaptersMatchTheSequentialPipeline) {
  run([] {
    for (size_t n : kSizes) {
      auto v = random_vector(n, 8);
      std::vector<int64_t> expected;
      for (auto x : v) {
        int64_t y = x * 7;
        if (y % 2 == 0) expected.push_back(y + 1);
      }
      auto got = par_iter(v)
                     .map([](int64_t x) { return x * 7; })
                     .filter([](int64_t y) { return y % 2 == 0; })
                     .map([](int64_t y) { return y + 1; })
                     .collect();
      EXPECT_EQ(got, expected) << n;
      EXPECT_EQ(par_iter(v).filter([](int64_t x) { return x > 0; }).count(),
                static_cast<size_t>(std::count_if(v.begin(), v.end(), [](int64_t x) { return x > 0; })));
      EXPECT_EQ(par_iter(v).any([](int64_t x) { return x == 17; }), std::find(v.begin(), v.end(), 17) != v.end());
      EXPECT_EQ(par_iter(v).all([](int64_t x) { return x < 500; }), true);
      EXPECT_EQ(par_iter(v).len(), n);
      EXPECT_EQ(par_iter(v).map([](int64_t x) { return x; }).collect(), v);
    }
  });
}

TEST_P(ParallelAlgorithms, IntegerRanges) {
  run([] {
    for (size_t n : kSizes) {
      const int64_t m = static_cast<int64_t>(n);
      EXPECT_EQ(par_range(int64_t{0}, m).sum(), m * (m - 1) / 2) << n;
      EXPECT_EQ(par_sum(std::views::iota(int64_t{0}, m)), m * (m - 1) / 2) << n;
      std::vector<int64_t> squares(n);
      for (int64_t i = 0; i < m; ++i) squares[static_cast<size_t>(i)] = i * i;
      EXPECT_EQ(par_map(std::views::iota(int64_t{0}, m), [](int64_t i) { return i * i; }), squares) << n;
      EXPECT_EQ(par_range(5, 5).count(), 0u);
      EXPECT_EQ(par_range(5, 2).count(), 0u);  // An empty range, as in Rust.
      EXPECT_EQ(par_range(-3, 3).sum(), -3);
    }
  });
}

TEST_P(ParallelAlgorithms, WithMinLenKeepsResultsTheSame) {
  run([] {
    auto v = random_vector(10000, 9);
    for (size_t min_len : {1, 10, 5000, 20000}) {
      EXPECT_EQ(par_iter(v).with_min_len(min_len).sum(), std::accumulate(v.begin(), v.end(), int64_t{0}));
      EXPECT_EQ(par_iter(v).with_min_len(min_len).map([](int64_t x) { return x; }).collect(), v);
    }
  });
}

struct NoDefault {
  explicit NoDefault(int64_t x) : value(x) {}
  int64_t value;
  bool operator==(const NoDefault&) const = default;
};

TEST_P(ParallelAlgorithms, CollectsTypesWithoutADefaultConstructor) {
  run([] {
    for (size_t n : kSizes) {
      auto v = random_vector(n, 10);
      std::vector<NoDefault> expected;
      for (auto x : v) expected.emplace_back(x);
      EXPECT_EQ(par_map(v, [](int64_t x) { return NoDefault(x); }), expected) << n;
    }
  });
}

TEST_P(ParallelAlgorithms, ExceptionsFromClosuresReachTheCaller) {
  run([] {
    auto v = random_vector(10000, 11);
    v[7777] = 123456;
    auto boom = [](int64_t x) {
      if (x == 123456) throw std::runtime_error("bad element");
      return x;
    };
    EXPECT_THROW(par_map(v, boom), std::runtime_error);
    EXPECT_THROW(par_sum(v, boom), std::runtime_error);
    EXPECT_THROW(par_for_each(v, [&](int64_t x) { (void)boom(x); }), std::runtime_error);
    EXPECT_THROW(par_filter(v, [&](int64_t x) { return boom(x) > 0; }), std::runtime_error);
    // And everything still works afterwards.
    v[7777] = 0;
    EXPECT_EQ(par_sum(v), std::accumulate(v.begin(), v.end(), int64_t{0}));
  });
}

TEST(ParallelAlgorithmsMisc, ManySmallOperations) {
  const size_t rounds = testing_util::scaled(5000, 200);
  for (size_t r = 0; r < rounds; ++r) {
    std::vector<int> v(r % 7, 1);
    ASSERT_EQ(par_sum(v), static_cast<int>(r % 7));
  }
}

TEST(ParallelAlgorithmsMisc, ChunkSizeHeuristic) {
  EXPECT_EQ(internal::chunk_size(0, 1, 2), 1u);
  EXPECT_EQ(internal::chunk_size(16, 1, 2), 1u);
  EXPECT_EQ(internal::chunk_size(10'000'000, 1, 2), 625'000u);
  EXPECT_EQ(internal::chunk_size(100, 50, 4), 50u);
  EXPECT_EQ(internal::chunk_size(100, 1, 0), 13u);
}

}  // namespace
}  // namespace racelings
