// Tests of Stream<T> / AsyncGenerator<T> and iter (stream.h).

#include <gtest/gtest.h>

#include <chrono>
#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/test_util.h"

namespace racelings {
namespace async {
namespace {

using namespace std::chrono_literals;
using testing_util::Counted;

TEST(StreamTest, IterYieldsEveryElementThenEnds) {
  Runtime rt = Runtime::current_thread();
  std::vector<int> got = rt.block_on([]() -> Task<std::vector<int>> {
    Stream<int> s = iter(std::vector<int>{4, 5, 6});
    std::vector<int> v;
    while (auto x = co_await s.next()) v.push_back(*x);
    EXPECT_EQ(co_await s.next(), std::nullopt);  // Still the end.
    co_return v;
  });
  EXPECT_EQ(got, (std::vector<int>{4, 5, 6}));
}

TEST(StreamTest, StreamIsLazy) {
  Runtime rt = Runtime::current_thread();
  int produced = 0;
  auto gen = [&produced]() -> Stream<int> {
    for (int i = 0;; ++i) {
      ++produced;
      co_yield i;
    }
  };
  rt.block_on([&]() -> Task<void> {
    Stream<int> s = gen();
    EXPECT_EQ(produced, 0);
    EXPECT_EQ(co_await s.next(), 0);
    EXPECT_EQ(co_await s.next(), 1);
    EXPECT_EQ(produced, 2);
  });
}

Stream<std::string> ticks(int n) {
  for (int i = 0; i < n; ++i) {
    co_await sleep_for(1ms);  // A stream may await between items.
    co_yield "tick " + std::to_string(i);
  }
}

TEST(StreamTest, StreamBodyMayAwait) {
  Runtime rt = Runtime::multi_thread(2);
  std::vector<std::string> got = rt.block_on([]() -> Task<std::vector<std::string>> {
    std::vector<std::string> v;
    Stream<std::string> s = ticks(3);
    while (auto t = co_await s.next()) v.push_back(*t);
    co_return v;
  });
  EXPECT_EQ(got, (std::vector<std::string>{"tick 0", "tick 1", "tick 2"}));
}

Stream<int> fails_after_one() {
  co_yield 1;
  throw std::runtime_error("stream broke");
}

TEST(StreamTest, ExceptionComesOutOfNextAndEndsTheStream) {
  Runtime rt = Runtime::current_thread();
  rt.block_on([]() -> Task<void> {
    Stream<int> s = fails_after_one();
    EXPECT_EQ(co_await s.next(), 1);
    EXPECT_THROW(co_await s.next(), std::runtime_error);
    EXPECT_EQ(co_await s.next(), std::nullopt);
  });
}

Stream<Counted> counted_stream(Counted held) {
  for (int i = 0;; ++i) {
    co_yield Counted(i + held.value());
    co_await yield_now();
  }
}

TEST(StreamTest, DestroyingAnUnfinishedStreamDestroysItsFrame) {
  Counted::reset();
  {
    Runtime rt = Runtime::current_thread();
    rt.block_on([]() -> Task<void> {
      Stream<Counted> s = counted_stream(Counted(10));
      auto a = co_await s.next();
      auto b = co_await s.next();
      EXPECT_TRUE(a && b && a->value() == 10 && b->value() == 11);
    });
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST(StreamTest, IterAcceptsAView) {
  Runtime rt = Runtime::current_thread();
  int sum = rt.block_on([]() -> Task<int> {
    auto s = iter(std::views::iota(1, 11));
    int total = 0;
    while (auto v = co_await s.next()) total += *v;
    co_return total;
  });
  EXPECT_EQ(sum, 55);
}

TEST(StreamTest, NextOnAnEmptyStreamThrows) {
  Runtime rt = Runtime::current_thread();
  rt.block_on([]() -> Task<void> {
    Stream<int> empty;
    EXPECT_THROW(co_await empty.next(), EmptyTaskError);
  });
}

}  // namespace
}  // namespace async
}  // namespace racelings
