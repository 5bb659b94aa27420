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

#include <optional>
#include <string>
#include <vector>

#include "checker/integrity/completion.h"
#include "checker/process.h"
#include "checker/report/finding.h"

namespace racelings::checker {

struct RunVerdict {
  bool clean = false;                     // tests passed, nothing reported
  std::vector<report::Finding> findings;  // empty when clean
  // Problems of the tools rather than of the program (the sanitizer's
  // symbolizer missing, say), in plain words; they do not change the verdict.
  std::vector<std::string> warnings;
  RunResult run;
};

// judge(): the findings of one run of a test binary. `completion` is the
// record the run left with its own nonce (parse_completion), if any.
RunVerdict judge(RunResult run, const std::optional<CompletionRecord>& completion);

// kinds(): the distinct kinds among findings, in order of first appearance.
std::vector<report::Kind> kinds(const std::vector<report::Finding>& findings);
bool has_kind(const std::vector<report::Finding>& findings, report::Kind kind);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_JUDGE_H_
