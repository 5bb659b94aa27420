// Tests of Task<T> (task.h). Names are sentences, as in cppcoro's task_tests.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/test_util.h"

namespace racelings {
namespace async {
namespace {

using testing_util::Counted;

Task<int> answer() { co_return 42; }

Task<void> set_flag(bool& flag) {
  flag = true;
  co_return;
}

TEST(TaskTest, TaskDoesNotStartUntilAwaited) {
  Runtime rt = Runtime::current_thread();
  bool started = false;
  Task<void> t = set_flag(started);
  EXPECT_FALSE(started);
  EXPECT_FALSE(t.is_ready());
  rt.block_on([&]() -> Task<void> {
    EXPECT_FALSE(started);
    co_await t;
    EXPECT_TRUE(started);
  });
  EXPECT_TRUE(t.is_ready());
}

TEST(TaskTest, CoAwaitGivesTheReturnedValue) {
  Runtime rt = Runtime::current_thread();
  EXPECT_EQ(rt.block_on(answer()), 42);
  std::string s = rt.block_on([]() -> Task<std::string> { co_return std::string(co_await answer(), 'x'); });
  EXPECT_EQ(s.size(), 42u);
}

TEST(TaskTest, AwaitingAnLvalueTaskTwiceGivesTheSameValue) {
  Runtime rt = Runtime::current_thread();
  rt.block_on([]() -> Task<void> {
    Task<int> t = answer();
    int& a = co_await t;
    int& b = co_await t;  // Already finished: no restart.
    EXPECT_EQ(&a, &b);
    EXPECT_EQ(b, 42);
  });
}

Task<int> thrower() {
  throw std::runtime_error("boom");
  co_return 0;
}

TEST(TaskTest, ExceptionIsRethrownWhereTheTaskIsAwaited) {
  Runtime rt = Runtime::current_thread();
  bool caught = false;
  rt.block_on([&]() -> Task<void> {
    try {
      co_await thrower();
    } catch (const std::runtime_error& e) {
      caught = std::string(e.what()) == "boom";
    }
  });
  EXPECT_TRUE(caught);
  EXPECT_THROW(rt.block_on(thrower()), std::runtime_error);
}

TEST(TaskTest, AwaitingAnEmptyTaskThrowsEmptyTaskError) {
  Runtime rt = Runtime::current_thread();
  rt.block_on([]() -> Task<void> {
    Task<int> t = answer();
    Task<int> moved = std::move(t);
    EXPECT_FALSE(t.valid());  // NOLINT(bugprone-use-after-move): the point of the test.
    EXPECT_THROW(co_await t, EmptyTaskError);
    Task<int> empty;
    EXPECT_THROW(co_await std::move(empty), EmptyTaskError);
    EXPECT_EQ(co_await std::move(moved), 42);
  });
  EXPECT_THROW(rt.block_on(Task<int>()), EmptyTaskError);
}

Task<Counted> make_counted(int v) { co_return Counted(v); }

Task<int> hold_counted(Counted c) {
  co_await yield_now();
  co_return c.value();
}

TEST(TaskTest, ValuesAreNeitherLeakedNorDestroyedTwice) {
  Counted::reset();
  {
    Runtime rt = Runtime::current_thread();
    int v = rt.block_on([]() -> Task<int> {
      Counted c = co_await make_counted(7);
      int sum = c.value();
      sum += co_await hold_counted(Counted(3));
      co_return sum;
    });
    EXPECT_EQ(v, 10);
    Counted direct = rt.block_on(make_counted(5));
    EXPECT_EQ(direct.value(), 5);
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
  EXPECT_GT(Counted::created(), 0);
}

TEST(TaskTest, UnstartedTaskIsDestroyedWithItsArguments) {
  Counted::reset();
  {
    Task<int> t = hold_counted(Counted(1));
    EXPECT_GE(Counted::alive(), 1);  // The argument lives in the frame.
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

Task<int> sync_one() { co_return 1; }

TEST(TaskTest, AMillionSynchronousAwaitsDoNotGrowTheStack) {
  // Symmetric transfer: each finished task resumes its awaiter by a tail call.
  Runtime rt = Runtime::current_thread();
  long n = testing_util::scaled(1000000);
  long sum = rt.block_on([n]() -> Task<long> {
    long s = 0;
    for (long i = 0; i < n; ++i) s += co_await sync_one();
    co_return s;
  });
  EXPECT_EQ(sum, n);
}

Task<long> depth(long n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await depth(n - 1);
}

TEST(TaskTest, DeepRecursiveAwaitChainDoesNotOverflowTheStack) {
  Runtime rt = Runtime::current_thread();
  long n = testing_util::scaled(100000);
  EXPECT_EQ(rt.block_on(depth(n)), n);
}

TEST(TaskTest, BlockOnInsideATaskThrowsNoRuntimeError) {
  Runtime rt = Runtime::current_thread();
  Runtime other = Runtime::current_thread();
  bool threw = false;
  rt.block_on([&]() -> Task<void> {
    try {
      other.block_on(answer());
    } catch (const NoRuntimeError&) {
      threw = true;
    }
    co_return;
  });
  EXPECT_TRUE(threw);
}

TEST(TaskTest, SpawnOutsideARuntimeThrowsNoRuntimeError) {
  EXPECT_THROW({ auto h = spawn(answer()); }, NoRuntimeError);
}

TEST(TaskTest, CoroutineLambdaCapturesOutliveTheTask) {
  Runtime rt = Runtime::current_thread();
  std::string word = "captured";
  // block_on(f) keeps `f` (and its copy of `word`) alive while the task runs.
  std::string got = rt.block_on([word]() -> Task<std::string> {
    co_await yield_now();
    co_return word + "!";
  });
  EXPECT_EQ(got, "captured!");
}

}  // namespace
}  // namespace async
}  // namespace racelings
