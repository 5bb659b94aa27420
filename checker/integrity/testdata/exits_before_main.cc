// A static initializer ends the program with status 0 before any test ran.
#include <gtest/gtest.h>

#include <cstdlib>

namespace {
const int kGone = (std::exit(0), 0);
}  // namespace

TEST(ExitsBeforeMain, NeverRuns) { EXPECT_EQ(kGone, 1); }
