// main() for every test in the project: GoogleTest plus the test watchdog,
// so that a hanging test fails with a report instead of hanging.
#include <gtest/gtest.h>

#include "primitives/watchdog.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  racelings::install_test_watchdog();
  return RUN_ALL_TESTS();
}
