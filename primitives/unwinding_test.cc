#include "primitives/unwinding.h"

#include <gtest/gtest.h>

#include <exception>
#include <stdexcept>
#include <vector>

#include "primitives/thread.h"

namespace racelings {
namespace {

// Records both counts from a destructor, which may run during unwinding.
struct Probe {
  std::vector<std::pair<int, int>>* seen;
  ~Probe() { seen->push_back({internal::uncaught_exceptions(), std::uncaught_exceptions()}); }
};

// Throws through a Probe, and from its destructor's callee another level deep.
struct Nested {
  std::vector<std::pair<int, int>>* seen;
  ~Nested() {
    try {
      Probe inner{seen};
      throw std::runtime_error("inner");
    } catch (const std::exception&) {
    }
  }
};

TEST(Unwinding, AgreesWithTheStandardCountOutsideAndDuringUnwinding) {
  std::vector<std::pair<int, int>> seen;
  {
    Probe quiet{&seen};
  }
  try {
    Probe during{&seen};
    throw std::logic_error("outer");
  } catch (const std::exception&) {
  }
  try {
    Nested nested{&seen};
    throw std::logic_error("outer");
  } catch (const std::exception&) {
  }
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& [fast, standard] : seen) EXPECT_EQ(fast, standard);
  EXPECT_EQ(seen[0].first, 0);
  EXPECT_EQ(seen[1].first, 1);
  EXPECT_EQ(seen[2].first, 2);
}

TEST(Unwinding, EachThreadHasItsOwnCount) {
  std::vector<std::pair<int, int>> seen;
  try {
    Probe main_probe{&seen};
    auto other = spawn([] { return internal::uncaught_exceptions(); });
    EXPECT_EQ(other.join(), 0);
    throw std::runtime_error("unwinding main only");
  } catch (const std::exception&) {
  }
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, 1);
}

}  // namespace
}  // namespace racelings
