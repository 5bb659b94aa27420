// Tests for once_lock.h: OnceLock<T>.

#include "primitives/once_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using testing_util::Counted;
using testing_util::stress_iterations;

TEST(OnceLock, GetIsNullUntilAValueIsSet) {
  OnceLock<int> cell;
  EXPECT_EQ(cell.get(), nullptr);
  EXPECT_EQ(cell.get_or_init([] { return 3; }), 3);
  ASSERT_NE(cell.get(), nullptr);
  EXPECT_EQ(*cell.get(), 3);
}

TEST(OnceLock, GetOrInitComputesOnceUnderContention) {
  const int rounds = stress_iterations(100);
  const int threads = 6;
  for (int r = 0; r < rounds; ++r) {
    OnceLock<std::string> cell;
    Barrier start(threads);
    std::atomic<int> computed{0};
    std::vector<JoinHandle<const std::string*>> hs;
    for (int t = 0; t < threads; ++t) {
      hs.push_back(spawn([&, t] {
        start.wait();
        const std::string& v = cell.get_or_init([&] {
          computed.fetch_add(1);
          return "made by " + std::to_string(t);
        });
        return &v;
      }));
    }
    const std::string* first = nullptr;
    for (auto& h : hs) {
      const std::string* p = h.join();
      if (first == nullptr) first = p;
      ASSERT_EQ(p, first);  // Every thread sees the same object.
    }
    ASSERT_EQ(computed.load(), 1);
  }
}

TEST(OnceLock, SetStoresOnlyIntoAnEmptyCell) {
  OnceLock<int> cell;
  EXPECT_TRUE(cell.set(1));
  EXPECT_FALSE(cell.set(2));
  EXPECT_EQ(*cell.get(), 1);
  EXPECT_EQ(cell.get_or_init([] { return 3; }), 1);
}

TEST(OnceLock, AThrowingInitLeavesTheCellEmptyForTheNextCaller) {
  OnceLock<int> cell;
  EXPECT_THROW(cell.get_or_init([]() -> int { throw std::runtime_error("not yet"); }), std::runtime_error);
  EXPECT_EQ(cell.get(), nullptr);
  EXPECT_EQ(cell.get_or_init([] { return 9; }), 9);
  EXPECT_TRUE(cell.set(10) == false);
}

TEST(OnceLock, IntoInnerGivesTheValueIfSet) {
  OnceLock<std::string> empty;
  EXPECT_FALSE(std::move(empty).into_inner().has_value());
  OnceLock<std::string> full;
  full.set("v");
  EXPECT_EQ(std::move(full).into_inner().value(), "v");
}

TEST(OnceLock, ValuesAreNeitherLeakedNorDestroyedTwice) {
  Counted::reset();
  {
    OnceLock<Counted> cell;
    EXPECT_EQ(cell.get_or_init([] { return Counted(1); }).value(), 1);
    EXPECT_FALSE(cell.set(Counted(2)));  // The rejected value is destroyed once.
    OnceLock<Counted> thrower;
    EXPECT_THROW(thrower.get_or_init([]() -> Counted { throw std::runtime_error("x"); }), std::runtime_error);
    thrower.set(Counted(3));
    OnceLock<Counted> moved;
    moved.set(Counted(4));
    auto out = std::move(moved).into_inner();
    EXPECT_EQ(out->value(), 4);
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST(OnceLock, ALazySingletonIsSharedByAllThreads) {
  static OnceLock<std::shared_ptr<int>> singleton;
  std::vector<JoinHandle<int*>> hs;
  for (int t = 0; t < 4; ++t) {
    hs.push_back(spawn([] { return singleton.get_or_init([] { return std::make_shared<int>(5); }).get(); }));
  }
  int* first = hs[0].join();
  for (size_t i = 1; i < hs.size(); ++i) EXPECT_EQ(hs[i].join(), first);
}

}  // namespace
}  // namespace racelings
