// The first test ends the program with quick_exit(0): the second never runs,
// and nothing at exit (GoogleTest's own bookkeeping included) runs either.
#include <gtest/gtest.h>

#include <cstdlib>

TEST(QuickExitMidRun, First) { std::quick_exit(0); }
TEST(QuickExitMidRun, Second) { FAIL() << "never reached"; }
