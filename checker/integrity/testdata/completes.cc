// Two tests that pass and a program that ends normally: the runner passes it.
#include <gtest/gtest.h>

TEST(Completes, First) { EXPECT_EQ(1 + 1, 2); }
TEST(Completes, Second) { EXPECT_EQ(2 * 2, 4); }
