// The step log: what the scheduler writes is read back, a damaged log gives
// what it can, and the plain rendering ends at the failure.
#include "checker/report/step_log.h"

#include <gtest/gtest.h>

#include <string>

namespace racelings::report {
namespace {

// Lines as primitives/schedule/reports.cc writes them.
const char* const kLog =
    R"log({"type":"header","format":"racelings-steps","version":1,"schedule":"a0672g0g06"}
{"type":"thread","thread":"T0","name":"main"}
{"type":"test","step":0,"name":"CheckThenAct.EachNameHasExactlyOneOwner"}
{"type":"thread","thread":"T1","name":"user-0","parent":"T0"}
{"type":"step","step":1,"decision":3,"thread":"T0","name":"main","op":"spawn","object":"thread T1 'user-0'","at":"exercises/08_check_then_act/test.cc:33","function":"TestBody","result":"ok","state":{"clock_us":0,"threads":[{"thread":"T0","status":"running"},{"thread":"T1","status":"ready"}],"objects":[]}}
{"type":"step","step":2,"decision":4,"thread":"T1","name":"user-0","op":"lock","object":"Mutex M2 'names'","at":"exercises/08_check_then_act/exercise.cc:22","function":"exercise::sign_up","result":"ok","state":{"clock_us":1,"threads":[{"thread":"T0","status":"blocked","waits":"waits to join thread T1 'user-0'"},{"thread":"T1","status":"running","holds":["Mutex M2 'names'"]}],"objects":[{"object":"Barrier(4)","state":"1 of 4 arrived"}]}}
not json at all
{"type":"step","step":3,"decision":9,"thread":"T0","op":"join","object":"thread T1 'user-0'","result":"blocked","state":{}}
{"type":"failure","step":3,"kind":"test failure","text":"name-3 was promised to 2 users\nmore","thread":"T0","at":"exercises/08_check_then_act/test.cc:48"}
{"type":"step","step":4,"decision":10,"thread":"T0","name":"main","op":"exit","result":"ok","state":{}}
{"type":"end","steps":4,"decisions":10,"ending":"completed"}
)log";

TEST(StepLog, ReadsWhatTheSchedulerWrites) {
  std::string error;
  auto log = parse_step_log(kLog, &error);
  ASSERT_TRUE(log.has_value()) << error;
  EXPECT_EQ(log->schedule, "a0672g0g06");
  ASSERT_EQ(log->threads.size(), 2u);
  EXPECT_EQ(log->threads[1].parent, "T0");
  ASSERT_EQ(log->steps.size(), 4u);
  const Step& lock = log->steps[1];
  EXPECT_EQ(thread_label(lock), "T1 'user-0'");
  EXPECT_EQ(lock.op, "lock");
  EXPECT_EQ(lock.object, "Mutex M2 'names'");
  EXPECT_EQ(lock.at, "exercises/08_check_then_act/exercise.cc:22");
  EXPECT_EQ(lock.decision, 4u);
  ASSERT_EQ(lock.state.threads.size(), 2u);
  EXPECT_EQ(lock.state.threads[0].waits, "waits to join thread T1 'user-0'");
  ASSERT_EQ(lock.state.threads[1].holds.size(), 1u);
  EXPECT_EQ(lock.state.objects.at(0).second, "1 of 4 arrived");
  ASSERT_EQ(log->failures.size(), 1u);
  EXPECT_EQ(log->failures[0].after_step, 3);
  EXPECT_EQ(log->tests.at(0).kind, "CheckThenAct.EachNameHasExactlyOneOwner");
  EXPECT_EQ(log->ending, "completed");
  EXPECT_EQ(log->skipped_lines, 1);
}

TEST(StepLog, AStepWithoutStateCarriesTheOneBeforeWithItsThreadRunning) {
  auto log = parse_step_log(
      R"({"type":"header","format":"racelings-steps","version":1,"schedule":"a00x0"}
{"type":"step","step":1,"thread":"T1","op":"lock","object":"Mutex M1 'm'","result":"ok","state":{"threads":[{"thread":"T1","status":"running","holds":["Mutex M1 'm'"]},{"thread":"T2","status":"ready"}],"objects":[]}}
{"type":"step","step":2,"thread":"T2","op":"atomic_load","object":"std::atomic #1","result":"ok"}
)",
      nullptr);
  ASSERT_TRUE(log.has_value());
  ASSERT_EQ(log->steps.size(), 2u);
  const StepState& carried = log->steps[1].state;
  ASSERT_EQ(carried.threads.size(), 2u);
  EXPECT_EQ(carried.threads[0].status, "ready");
  EXPECT_EQ(carried.threads[0].holds.at(0), "Mutex M1 'm'");
  EXPECT_EQ(carried.threads[1].status, "running");
}

TEST(StepLog, TailFilesReadAfterTheLogAreOrderedByStep) {
  // The log, then its second tail file (later steps), then its first.
  auto log = parse_step_log(
      R"({"type":"header","format":"racelings-steps","version":1,"schedule":"a00x0"}
{"type":"step","step":1,"thread":"T0","op":"start","result":"started","state":{}}
{"type":"end","steps":9,"ending":"completed"}
{"type":"step","step":9,"thread":"T0","op":"exit","result":"ok","state":{}}
{"type":"step","step":7,"thread":"T0","op":"yield","result":"ok"}
)",
      nullptr);
  ASSERT_TRUE(log.has_value());
  ASSERT_EQ(log->steps.size(), 3u);
  EXPECT_EQ(log->steps[0].step, 1);
  EXPECT_EQ(log->steps[1].step, 7);
  EXPECT_EQ(log->steps[2].step, 9);
  EXPECT_EQ(log->ending, "completed");
}

TEST(StepLog, WhatIsNotAStepLogIsRefused) {
  std::string error;
  EXPECT_FALSE(parse_step_log("", &error));
  EXPECT_FALSE(parse_step_log("{\"type\":\"step\"}\n", &error));
  EXPECT_NE(error.find("not a racelings step log"), std::string::npos) << error;
  EXPECT_FALSE(parse_step_log("{\"type\":\"header\",\"format\":\"racelings-steps\",\"version\":2}\n", &error));
}

TEST(StepLog, ALogCutShortIsReadUpToItsLastLine) {
  std::string cut(kLog);
  cut = cut.substr(0, cut.find("not json"));
  auto log = parse_step_log(cut, nullptr);
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(log->steps.size(), 2u);
  EXPECT_EQ(log->ending, "");
}

TEST(StepLog, TheRenderingEndsAtTheFailure) {
  auto log = parse_step_log(kLog, nullptr);
  ASSERT_TRUE(log.has_value());
  std::string text = render_steps(*log, 2);
  EXPECT_NE(text.find("... 1 earlier steps"), std::string::npos) << text;
  EXPECT_NE(text.find("T1 'user-0'  lock Mutex M2 'names'  exercises/08_check_then_act/exercise.cc:22"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("join thread T1 'user-0' (blocked)"), std::string::npos) << text;
  EXPECT_EQ(text.find("exit"), std::string::npos) << "steps after the failure are not shown:\n" << text;
  EXPECT_NE(text.find("✗ test failure at exercises/08_check_then_act/test.cc:48: name-3 was promised to 2 users\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace racelings::report
