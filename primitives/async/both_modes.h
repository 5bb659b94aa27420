// both_modes.h
// -----------------------------------------------------------------------------
//
// The fixture of the tests of primitives/async that run on both runtime
// kinds (testonly). The helpers every test shares (`Counted`, `scaled()`)
// are in primitives/test_util.h.

#ifndef RACELINGS_PRIMITIVES_ASYNC_BOTH_MODES_H_
#define RACELINGS_PRIMITIVES_ASYNC_BOTH_MODES_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "primitives/async/async.h"
#include "primitives/test_util.h"

namespace racelings {
namespace async {
namespace testing_util {

using racelings::testing_util::Counted;
using racelings::testing_util::scaled;

enum class Mode { kCurrentThread, kMultiThread };

inline std::string mode_name(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::kCurrentThread ? "CurrentThread" : "MultiThread";
}

// Runs each TEST_P on a current-thread runtime and on a 4-worker runtime.
class BothModes : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override { Counted::reset(); }
  Runtime make_runtime() const {
    return GetParam() == Mode::kCurrentThread ? Runtime::current_thread() : Runtime::multi_thread(4);
  }
};

}  // namespace testing_util
}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_BOTH_MODES_H_
