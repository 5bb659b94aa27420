// checker/judge.h
// -----------------------------------------------------------------------------
//
// From what happened when a test binary ran to findings and a verdict. The
// output is parsed for sanitizer, racelings and GoogleTest reports; then what
// the process did fills the gaps: killed by the timeout, killed by a signal,
// out of memory, an exit before its tests finished (an early `exit()`, even
// with code 0, is caught by the completion line test_main prints with a
// per-run nonce), or a failing exit code with nothing printed.

#ifndef RACELINGS_CHECKER_JUDGE_H_
#define RACELINGS_CHECKER_JUDGE_H_

#include <string>
#include <vector>

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

// judge(): the findings of one run of a test binary. `nonce` is the value
// given to the run in RACELINGS_COMPLETION_NONCE.
RunVerdict judge(RunResult run, const std::string& nonce);

// A fresh random nonce for RACELINGS_COMPLETION_NONCE.
std::string make_nonce();

// kinds(): the distinct kinds among findings, in order of first appearance.
std::vector<report::Kind> kinds(const std::vector<report::Finding>& findings);
bool has_kind(const std::vector<report::Finding>& findings, report::Kind kind);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_JUDGE_H_
