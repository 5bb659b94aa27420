// checker/explore.h
// -----------------------------------------------------------------------------
//
// The checker's side of the controlled scheduler (primitives/schedule): runs
// a test program under exploration or under one schedule, and reads what the
// program says about it. `check`, `grade` and `audit` add an exploration pass
// after their ordinary runs, with a fixed strategy and seed, so that the same
// submission gets the same verdict on any machine; `explore` and `replay`
// are the student's and author's commands.

#ifndef RACELINGS_CHECKER_EXPLORE_H_
#define RACELINGS_CHECKER_EXPLORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "checker/catalog.h"
#include "checker/judge.h"
#include "checker/runner.h"
#include "checker/ui.h"

namespace racelings::checker {

// What to explore: RACELINGS_EXPLORE's spec (primitives/schedule/README.md).
struct ExplorePlan {
  std::string strategy = "mix";
  uint64_t seed = 1;
  uint64_t budget = 100;     // schedules
  int budget_seconds = 0;    // > 0: a time budget instead (not deterministic)
  bool shrink = true;
};

// The budgets of the passes. check and grade: what keeps a student's check
// within twice its time without exploration; audit: what the catalog must
// survive (broken versions fail long before).
inline constexpr uint64_t kCheckExploreBudget = 100;
inline constexpr uint64_t kAuditExploreBudget = 1000;

std::string spec_text(const ExplorePlan& plan);

// explore_run() / replay_run(): one run of `binary` for `exercise`, exploring
// or under schedule `id`, with its step log kept in the verdict.
RunVerdict explore_run(const Exercise& exercise, const std::string& binary, const ExplorePlan& plan);
// `step_log`: write and keep the step log. The verdict of a replay comes from
// a run without one when the logged run passes (see replay_verdict()).
RunVerdict replay_run(const Exercise& exercise, const std::string& binary, const std::string& id, bool step_log = true);
TestRun replay_test_run(const Exercise& exercise, const std::string& binary, const std::string& id,
                        bool step_log = true);

// replay_verdict(): a logged replay's verdict, and when the logged run passed,
// the verdict of a run of the same schedule without the log. Logging every
// step can hide a ThreadSanitizer report that the same schedule shows without
// it (16_stop_flag's race; the cause is not known yet), so a logged run that
// passes is not taken as the schedule's verdict. `logged_hid` says when the
// log hid the failure: the timeline is then the logged run's, unmarked.
struct ReplayVerdict {
  RunVerdict logged;
  RunVerdict verdict;
  bool logged_hid = false;
};
ReplayVerdict replay_verdict(const Exercise& exercise, const std::string& binary, const std::string& id);
TestRun explore_test_run(const std::string& binary, const ExplorePlan& plan);

// explore_lines(): what to print about an exploration pass's verdict (the
// summary, and for a failure the schedule and how to replay it).
std::string explore_lines(const Exercise& exercise, const RunVerdict& verdict, const Ui& ui);

struct Context;
// build_exercise(): builds the exercise's test program and returns its path;
// on failure prints what went wrong, sets `exit_code` and returns "".
std::string build_exercise(Context& ctx, const Exercise& ex, int& exit_code);
// print_findings(): the findings explained, and the student's lines they name.
void print_findings(Context& ctx, const std::vector<report::Finding>& findings);
// failing_schedule_text(): for a failing verdict with a step log: its
// timeline, how to step through it, and where its page is (written now, to
// .racelings/replay/<exercise>.html). Empty without a log.
std::string failing_schedule_text(Context& ctx, const Exercise& ex, const RunVerdict& v);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_EXPLORE_H_
