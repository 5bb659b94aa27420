// The timeline: the failing test is cut out, the failure and the switches
// are marked, long runs are folded, and whatever the log, the result stays
// bounded. Step logs are written here as primitives/schedule writes them.
#include "checker/replay/timeline.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "checker/replay/test_logs.h"
#include "checker/replay/timeline_text.h"
#include "checker/replay/wait_graph.h"
#include "primitives/schedule/schedule_id.h"

namespace racelings::replay {
namespace {

using report::StepLog;
using namespace testing_logs;

// The state lines shown after the log's first step.
std::vector<std::string> state_after_first_step(const LogWriter& w) {
  StepLog log = w.parse();
  return state_lines(build_timeline(log), log.steps[0].state, nullptr);
}

TEST(Timeline, TheFailingTestIsShownUpToItsFailure) {
  StepLog log = check_then_act(2).parse();
  Timeline t = build_timeline(log);
  EXPECT_EQ(t.test, "CheckThenAct.Race");
  EXPECT_EQ(t.steps_before_test, 1u) << "the passing test's steps are left out";
  ASSERT_TRUE(t.failure.has_value());
  EXPECT_EQ(t.failure->kind, "test failure");
  EXPECT_EQ(t.failure->at.line, 48);
  ASSERT_TRUE(t.failure_row.has_value());
  EXPECT_EQ(log.steps[t.rows[*t.failure_row].step].op, "join");
  EXPECT_EQ(t.rows.back().failure, true);
}

TEST(Timeline, ASwitchFromAThreadThatCouldGoOnIsMarked) {
  StepLog log = check_then_act(0).parse();
  Timeline t = build_timeline(log);
  int switches = 0;
  for (const Row& r : t.rows) {
    if (r.kind != Row::Kind::kStep || r.why != Switch::kPreempted) continue;
    ++switches;
    EXPECT_EQ(log.steps[r.step].thread, "T2");
    EXPECT_EQ(r.switched_from, "T1");
    EXPECT_EQ(switch_note(t, r, log.steps[r.step]),
              "switch: T1 'user-0' could go on, but T2 'user-1' runs now (T1 'user-0' has used up its time slice)");
  }
  EXPECT_EQ(switches, 1);
  EXPECT_EQ(t.preemptions, 1u);
}

TEST(Timeline, TheSchedulesOwnChoiceIsToldFromTheDefault) {
  // The id names the decision of T2's first lock: the switch is the schedule's.
  LogWriter probe = check_then_act(0);
  StepLog without = probe.parse();
  uint64_t decision = 0;
  for (const auto& s : without.steps) {
    if (s.thread == "T2" && decision == 0) decision = s.decision;
  }
  std::string id = schedule::encode_schedule({{decision, 4}});
  StepLog log = without;
  log.schedule = id;
  Timeline t = build_timeline(log);
  bool chosen = false;
  for (const Row& r : t.rows)
    chosen = chosen || (r.kind == Row::Kind::kStep && r.chosen && log.steps[r.step].thread == "T2");
  EXPECT_TRUE(chosen);
}

TEST(Timeline, LongRunsWhereNothingHappensAreFolded) {
  StepLog log = check_then_act(2000).parse();
  Timeline t = build_timeline(log);
  size_t folds = 0, folded_steps = 0;
  for (const Row& r : t.rows) {
    if (r.kind != Row::Kind::kFold) continue;
    ++folds;
    folded_steps += r.last - r.first + 1;
    EXPECT_NE(r.summary.find("T1 'user-0', T2 'user-1' at exercise.cc:22"), std::string::npos) << r.summary;
    EXPECT_NE(r.summary.find("(lock, unlock)"), std::string::npos) << r.summary;
  }
  EXPECT_EQ(folds, 1u);
  EXPECT_GT(folded_steps, 3900u);
  EXPECT_LT(t.rows.size(), 40u);
  // The interleaving itself stays in view: both inserts at line 23.
  int inserts = 0;
  for (const Row& r : t.rows) {
    if (r.kind == Row::Kind::kStep && log.steps[r.step].at == std::string(kEx) + ":23" &&
        log.steps[r.step].op == "lock") {
      ++inserts;
    }
  }
  EXPECT_EQ(inserts, 2);
}

TEST(Timeline, StepsTheLogDidNotKeepAreCounted) {
  LogWriter w;
  w.thread("T0", "main").test("Long.Run");
  w.step("T0", "lock", "Mutex M1 'm'", std::string(kEx) + ":22");
  w.skip_steps(500000);
  for (int i = 0; i < 3; ++i) w.step("T0", "unlock", "Mutex M1 'm'", std::string(kEx) + ":23");
  w.failure("livelock", "the step bound was reached", "T0").end("livelock");
  Timeline t = build_timeline(w.parse());
  bool counted = false;
  for (const Row& r : t.rows) counted = counted || (r.kind == Row::Kind::kFold && r.missing == 500000);
  EXPECT_TRUE(counted);
}

TEST(Timeline, ASanitizerReportIsADataRaceAtItsLine) {
  LogWriter w;
  w.thread("T0", "main").thread("T1", "").thread("T2", "").test("Counter.Race");
  w.step("T0", "spawn", "thread T1", std::string(kEx) + ":26");
  w.step("T1", "start", "", "", "started");
  w.step("T1", "exit", "", "");
  w.step("T2", "start", "", "", "started");
  w.failure("sanitizer report",
            "ThreadSanitizer: data race /proc/self/cwd/exercises/08_check_then_act/exercise.cc:30:16 in f()", "T2");
  w.step("T2", "exit", "", "");
  Timeline t = build_timeline(w.parse());
  ASSERT_TRUE(t.failure.has_value());
  EXPECT_EQ(t.failure->kind, "data race");
  EXPECT_EQ(t.failure->tool, "ThreadSanitizer");
  EXPECT_EQ(t.failure->at.file, kEx);
  EXPECT_EQ(t.failure->at.line, 30);
  EXPECT_EQ(t.failure->thread, "T2");
  ASSERT_TRUE(t.failure_row.has_value());
  EXPECT_EQ(t.rows[*t.failure_row].step, 3u) << "the step T2 was running";
}

TEST(Timeline, SanitizerSummariesAreRead) {
  Failure f = parse_sanitizer_summary(
      "ThreadSanitizer: lock-order-inversion (potential deadlock) /proc/self/cwd/exercises/x/exercise.cc:12:3 in g");
  EXPECT_EQ(f.kind, "lock-order inversion");
  EXPECT_EQ(f.at.line, 12);
  f = parse_sanitizer_summary("AddressSanitizer: 24 byte(s) leaked in 1 allocation(s).");
  EXPECT_EQ(f.tool, "AddressSanitizer");
  EXPECT_EQ(f.kind, "24 byte(s) leaked in 1 allocation(s).");
}

TEST(Timeline, AHostileLogGivesABoundedTimeline) {
  LogWriter w;
  w.thread("T0", "main");
  std::string long_name(5000, 'x');
  for (int t = 1; t < 300; ++t) w.thread("T" + std::to_string(t), long_name);
  w.test("Flood.Test");
  for (int i = 0; i < 50000; ++i) {
    // Every step a switch, between many threads.
    std::string who = "T" + std::to_string(i % 300);
    w.step(who, "yield", "", std::string(kEx) + ":1", "ok", state_of(th(who, "running") + "," + th("T1", "ready")));
  }
  w.end("livelock");
  StepLog log = w.parse();
  Timeline t = build_timeline(log);
  EXPECT_LE(t.rows.size(), TimelineOptions{}.max_rows);
  Sources sources("/nonexistent");
  std::string text = render_timeline_text(t, log, sources, {120, false});
  EXPECT_LT(text.size(), size_t{2} << 20);
}

TEST(Timeline, StateLinesNameWhoHoldsAndWhoWaits) {
  LogWriter w;
  w.thread("T0", "main").thread("T1", "reader").test("T.t");
  w.step("T1", "wait", "Condvar 'created at exercise.cc:20'", std::string(kEx) + ":30", "blocked",
         state_of(th("T0", "blocked", "", "waits to join thread T1 'reader'") + "," +
                      th("T1", "blocked", "Mutex M1 'mailbox'", "waits on Condvar 'created at exercise.cc:20'"),
                  R"({"object":"Condvar 'created at exercise.cc:20'","state":"1 waiting"})"));
  w.failure("deadlock", "every thread is blocked", "").end("deadlock");
  std::vector<std::string> lines = state_after_first_step(w);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "T1 'reader' holds M1");
  EXPECT_EQ(lines[1], "T0 'main' waits to join thread T1 'reader'");
  EXPECT_EQ(lines[2], "T1 'reader' waits on CV1");
  EXPECT_EQ(lines[3], "CV1: 1 waiting");
}

TEST(Timeline, ThreadsThatWaitForTheSameThingShareALine) {
  LogWriter w;
  w.thread("T1", "a").thread("T2", "b").thread("T3", "c").test("T.t");
  std::string barrier = "waits at a Barrier (1 of 4 threads have arrived)";
  w.step("T1", "barrier_wait", "Barrier(4)", std::string(kEx) + ":30", "blocked",
         state_of(th("T1", "blocked", "", barrier) + "," + th("T2", "blocked", "", barrier) + "," +
                  th("T3", "running", "Mutex M1 'm'")));
  std::vector<std::string> lines = state_after_first_step(w);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "T3 'c' holds M1");
  EXPECT_EQ(lines[1], "T1 'a' and T2 'b' wait at a Barrier (1 of 4 threads have arrived)");
}

TEST(WaitGraph, TwoThreadsWaitingForEachOthersLocksAreACycle) {
  StepLog log = bank_deadlock().parse();
  Timeline t = build_timeline(log);
  auto g = deadlock_graph(t, log);
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(g->has_cycle);
  EXPECT_EQ(g->cycle_text,
            "T1 'teller-1' waits for M2, held by T2 'teller-2', which waits for M1, held by T1 'teller-1'");
  std::string svg = graph_svg(*g);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("class=\"edge cycle\""), std::string::npos);
  // The same steps as a lock-order graph: M1 then M2, and M2 then M1.
  auto order = lock_order_graph(t, log);
  ASSERT_TRUE(order.has_value());
  EXPECT_TRUE(order->has_cycle);
  EXPECT_NE(order->cycle_text.find("T1 'teller-1' takes M2 while holding M1 (exercise.cc:28)"), std::string::npos)
      << order->cycle_text;
  EXPECT_NE(order->cycle_text.find("T2 'teller-2' takes M1 while holding M2 (exercise.cc:28)"), std::string::npos)
      << order->cycle_text;
}

TEST(TimelineText, AColumnPerThreadAndTheSourceOfEachStep) {
  std::string root = exercise_tree(
      {{22, "  if (accounts.lock()->contains(name)) return false;"}, {23, "  (*accounts.lock())[name] = user;"}});
  StepLog log = check_then_act(0).parse();
  Timeline t = build_timeline(log);
  Sources sources(root);
  std::string text = render_timeline_text(t, log, sources, {160, false});
  EXPECT_NE(text.find("step  T0 'main'"), std::string::npos) << text;
  EXPECT_NE(text.find("T1 'user-0'"), std::string::npos) << text;
  EXPECT_NE(text.find("T2 'user-1'"), std::string::npos) << text;
  EXPECT_NE(text.find("exercise.cc:22  if (accounts.lock()->contains(name)) return false;"), std::string::npos) << text;
  EXPECT_NE(text.find("» switch: T1 'user-0' could go on, but T2 'user-1' runs now"), std::string::npos) << text;
  EXPECT_NE(text.find("· T2 'user-1' holds M2"), std::string::npos) << text;
  EXPECT_NE(text.find("✗ test failure at test.cc:48, in T0 'main'"), std::string::npos) << text;
  EXPECT_NE(text.find("M2           Mutex M2 'names'"), std::string::npos) << text;
  // The lock of T2 is in T2's column: right of T1's.
  size_t header = text.find("T2 'user-1'");
  size_t row = text.find("lock M2", text.find("» switch"));
  size_t line_start = text.rfind('\n', row) + 1;
  size_t header_start = text.rfind('\n', header) + 1;
  EXPECT_EQ(display_width(text.substr(line_start, row - line_start)),
            display_width(text.substr(header_start, header - header_start)))
      << text;
}

TEST(TimelineText, ANarrowTerminalGetsOneThreadColumn) {
  StepLog log = check_then_act(0).parse();
  Timeline t = build_timeline(log);
  Sources sources("/nonexistent");
  std::string text = render_timeline_text(t, log, sources, {60, false});
  EXPECT_NE(text.find("thread"), std::string::npos) << text;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    // The legend and the failure's message are free text; rows fit.
    if (line.rfind("      ", 0) == 0 || line.rfind("    ", 0) == 0) EXPECT_LE(display_width(line), 60u) << line;
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

}  // namespace
}  // namespace racelings::replay
