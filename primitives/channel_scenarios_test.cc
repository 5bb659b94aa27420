// Channels under the controlled scheduler, end to end: runs
// channel_scenarios under RACELINGS_EXPLORE as child processes. Every send,
// receive and close is a scheduling point and every blocked channel
// operation waits through the scheduler, so a correct program passes every
// explored schedule, a wrong assumption about the order of two producers is
// found, and a blocked send is a deadlock reported at once. Under
// ThreadSanitizer it also checks that TSan sees the channel's
// synchronization, against a hand-over without it. The time limits are
// bounds for a loaded machine under a sanitizer, not timings.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>

#include "primitives/subprocess_testing.h"
#include "primitives/test_util.h"

namespace racelings {
namespace {

using namespace std::chrono_literals;
using testing_util::ChildResult;

ChildResult run_scenario(const std::string& scenario, std::map<std::string, std::string> env) {
  return testing_util::run_gtest_case("primitives/channel_scenarios", "Channel." + scenario, std::move(env), 60, 120s);
}

// Fewer schedules under a sanitizer, where each costs 5-15 times more.
const int kBudget = testing_util::kUnderSanitizer ? 40 : 200;

ChildResult explore(const std::string& scenario) {
  return run_scenario(scenario, {{"RACELINGS_EXPLORE", "budget=" + std::to_string(kBudget)}});
}

using testing_util::contains;

class CorrectChannelProgram : public ::testing::TestWithParam<const char*> {};

TEST_P(CorrectChannelProgram, PassesEveryExploredSchedule) {
  ChildResult r = explore(GetParam());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "racelings: explore: result=pass schedules=" + std::to_string(kBudget) + " ")) << r.err;
}

INSTANTIATE_TEST_SUITE_P(ChannelScenarios, CorrectChannelProgram,
                         ::testing::Values("Unbounded", "Bounded", "Rendezvous", "TryAndTimedOperations",
                                           "ReceiverLeavesWhileASenderWaits"));

TEST(ChannelScenarios, AnAssumedOrderOfTwoProducersIsFound) {
  ChildResult r = explore("OrderAcrossProducersAssumed");
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "racelings: explore: result=fail")) << r.err;
  EXPECT_TRUE(contains(r.out, "the second producer's message came first")) << r.out;
}

TEST(ChannelScenarios, ASendOnAFullChannelWhileJoiningIsADeadlockReportedAtOnce) {
  ChildResult r = explore("JoinBeforeReceiving");
  EXPECT_EQ(r.exit_code, 66) << r.err;
  EXPECT_TRUE(contains(r.err, "WARNING: racelings: deadlock")) << r.err;
  EXPECT_TRUE(contains(r.err, "waits to send on a full channel (sync_channel(1)")) << r.err;
  EXPECT_TRUE(contains(r.err, "racelings: explore: result=fail schedules=1 ")) << r.err;
}

TEST(ChannelScenarios, ThreadSanitizerSeesTheChannelsSynchronization) {
  if (!testing_util::kUnderTsan) GTEST_SKIP() << "data races are ThreadSanitizer's";
  ChildResult without = run_scenario("HandOverWithoutTheChannel", {});
  EXPECT_TRUE(contains(without.err, "WARNING: ThreadSanitizer: data race")) << without.err;
  ChildResult with = run_scenario("HandOverThroughTheChannel", {});
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_FALSE(contains(with.err, "ThreadSanitizer")) << with.err;
}

}  // namespace
}  // namespace racelings
