// watchdog.h
// -----------------------------------------------------------------------------
//
// The test watchdog: the last resort against a test that hangs somewhere the
// deadlock detector cannot see (a std::mutex, a spin loop, a blocking system
// call). Each test gets a time limit; past it, the watchdog prints a
// `WARNING: racelings: timeout` report with the state of every thread the
// primitives know (what each waits for, and where), marks the test failed
// in GoogleTest's output, and ends the process. A hang becomes a verdict.
//
// Link `//primitives:test_main` instead of `@googletest//:gtest_main` to get
// it. The limit is RACELINGS_TEST_TIMEOUT_S seconds per test (default 30;
// 0 turns the watchdog off).
//
// Rust equivalent: none built in; `cargo test` hangs with the test, and
// nextest's `slow-timeout`/`terminate-after` play this role.

#ifndef RACELINGS_PRIMITIVES_WATCHDOG_H_
#define RACELINGS_PRIMITIVES_WATCHDOG_H_

#include <gtest/gtest.h>

namespace racelings {

// Installs the watchdog listener into GoogleTest. Call after InitGoogleTest.
// `default_seconds` applies when RACELINGS_TEST_TIMEOUT_S is unset.
void install_test_watchdog(double default_seconds = 30.0);

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_WATCHDOG_H_
