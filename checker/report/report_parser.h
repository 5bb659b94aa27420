// checker/report/report_parser.h
// -----------------------------------------------------------------------------
//
// Turns what a program printed into findings. The input is any mix of a test
// binary's stdout and stderr: several runs concatenated, reports interleaved
// with the program's own lines, truncated blocks, or binary garbage.
//
// Recognised (see the .cc for the exact mapping onto the vocabulary):
//   - ThreadSanitizer, AddressSanitizer, LeakSanitizer and
//     UndefinedBehaviorSanitizer reports from clang 14, clang 19 and g++ 12;
//   - racelings' own report blocks (primitives/REPORTS.md);
//   - GoogleTest failures, one finding per failed test;
//   - crashes announced in the output without a sanitizer report (a shell's
//     "Segmentation fault", std::terminate, glibc's heap checks, assert()).
// Compiler and linker output is parsed separately by parse_build_errors().
//
// Every function here is linear in its input, never throws on malformed
// input, and keeps at most kMaxFindings findings of bounded size (finding.h).
//
// Rust equivalent: none in the seeds (rustlings reads cargo's JSON instead).

#ifndef RACELINGS_CHECKER_REPORT_REPORT_PARSER_H_
#define RACELINGS_CHECKER_REPORT_REPORT_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "checker/report/finding.h"

namespace racelings::report {

// At most this many findings come out of one parse; past it, a finding is
// merged into an earlier one with the same merge_key() or else dropped.
inline constexpr std::size_t kMaxFindings = 1024;

// parse_reports(): the findings in `output`, in the order they start. Nothing
// is merged (several runs give several findings); see merge_findings().
std::vector<Finding> parse_reports(std::string_view output);

// parse_build_errors(): one finding of Kind::kBuildError per compiler error
// ("file:line:col: error: ...", including -Wthread-safety errors turned into
// errors by -Werror) and per linker error ("undefined reference to",
// "ld.lld: error: ..."). Warnings and notes are not findings; notes go into
// the error's `notes`.
std::vector<Finding> parse_build_errors(std::string_view compiler_output);

// crash_from_signal(): the finding for a program the runner saw die of
// signal `sig` (e.g. SIGSEGV), when its output holds no report.
Finding crash_from_signal(int sig);

// merge_key(): findings with equal keys are the same problem: the same kind
// at the same places in the student's files (for a data race, the same pair
// of accesses in either order). Findings without any such place compare by
// title, with numbers (addresses, pids) ignored.
std::string merge_key(const Finding& finding);

// merge_findings(): merges findings with equal merge_key(), keeping the first
// of each and summing `count`; order of first appearance is kept.
std::vector<Finding> merge_findings(std::vector<Finding> findings);

}  // namespace racelings::report

#endif  // RACELINGS_CHECKER_REPORT_REPORT_PARSER_H_
