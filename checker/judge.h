// checker/judge.h
// -----------------------------------------------------------------------------
//
// From what happened when a test binary ran to findings and a verdict. The
// output is parsed for sanitizer, racelings and GoogleTest reports; then what
// the process did fills the gaps: killed by the timeout, killed by a signal,
// out of memory, an exit before its tests finished (an early `exit()`, even
// with code 0, is caught by the completion record test_main writes with a
// per-run nonce: checker/integrity/completion.h), or a failing exit code with
// nothing printed.

#ifndef RACELINGS_CHECKER_JUDGE_H_
#define RACELINGS_CHECKER_JUDGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/integrity/completion.h"
#include "checker/process.h"
#include "checker/report/finding.h"

namespace racelings::checker {

// What a test program run under RACELINGS_EXPLORE says about its
// exploration (its last "racelings: explore: result=..." line).
struct ExploreSummary {
  bool present = false;  // the program explored and said how it went
  bool failed = false;
  uint64_t schedules = 0;  // schedules run (the failing one included)
  std::string strategy, found_by, schedule, signature;
  uint64_t preemptions = 0, steps = 0, max_steps = 0, shrink_runs = 0;
  double seconds = 0;        // the whole exploration, shrinking included
  double found_seconds = 0;  // to the first failing schedule
  bool on_record = false;    // not run now: the same run on record (explore_cache.h)
};
ExploreSummary parse_explore_summary(const std::string& output);

struct RunVerdict {
  bool clean = false;                     // tests passed, nothing reported
  std::vector<report::Finding> findings;  // empty when clean
  // Problems of the tools rather than of the program (the sanitizer's
  // symbolizer missing, say), in plain words; they do not change the verdict.
  std::vector<std::string> warnings;
  RunResult run;
  ExploreSummary explore;  // under RACELINGS_EXPLORE
  std::string step_log;    // under the controlled scheduler, when asked for
  // The run's completion record (what judge() was given), so that a run on
  // record can be judged again from what was kept (explore_cache.h).
  std::optional<CompletionRecord> completion;
};

// judge(): the findings of one run of a test binary. `completion` is the
// record the run left with its own nonce (parse_completion), if any.
RunVerdict judge(RunResult run, const std::optional<CompletionRecord>& completion);

// kinds(): the distinct kinds among findings, in order of first appearance.
std::vector<report::Kind> kinds(const std::vector<report::Finding>& findings);
bool has_kind(const std::vector<report::Finding>& findings, report::Kind kind);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_JUDGE_H_
