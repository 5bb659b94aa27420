// A test fails; an atexit handler then turns the failing exit into _exit(0).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

namespace {
const int kRegistered = std::atexit([] { ::_exit(0); });
}  // namespace

TEST(AtexitHidesFailure, Fails) { EXPECT_EQ(kRegistered, 1) << "a real failure"; }
