// Tests for scope_guard.h: ScopeGuard and defer.

#include "primitives/scope_guard.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

#include "primitives/mutex.h"

namespace racelings {
namespace {

TEST(ScopeGuard, RunsItsCleanupAtTheEndOfTheScope) {
  int cleaned = 0;
  {
    auto g = defer([&] { ++cleaned; });
    EXPECT_EQ(cleaned, 0);
  }
  EXPECT_EQ(cleaned, 1);
}

TEST(ScopeGuard, RunsItsCleanupWhenAnExceptionLeavesTheScope) {
  int cleaned = 0;
  try {
    auto g = defer([&] { ++cleaned; });
    throw std::runtime_error("leaving");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(cleaned, 1);
}

TEST(ScopeGuard, ADismissedGuardDoesNothing) {
  int cleaned = 0;
  {
    auto g = defer([&] { ++cleaned; });
    g.dismiss();
  }
  EXPECT_EQ(cleaned, 0);
}

TEST(ScopeGuard, AMovedGuardRunsItsCleanupOnce) {
  int cleaned = 0;
  {
    auto a = defer([&] { ++cleaned; });
    auto b = std::move(a);
  }
  EXPECT_EQ(cleaned, 1);
}

TEST(ScopeGuard, CleanupCanUseAMutexToRestoreSharedState) {
  Mutex<int> shared(5);
  {
    auto g = defer([&] { *shared.lock() = 0; });
    *shared.lock() = 9;
  }
  EXPECT_EQ(*shared.lock(), 0);
}

}  // namespace
}  // namespace racelings
