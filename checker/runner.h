// checker/runner.h
// -----------------------------------------------------------------------------
//
// Runs an exercise's (or solution's) built test binary the way its Bazel test
// would run, but under the checker's limits (process.h) and with a fresh
// completion nonce per run, and judges the result (judge.h).

#ifndef RACELINGS_CHECKER_RUNNER_H_
#define RACELINGS_CHECKER_RUNNER_H_

#include <map>
#include <string>
#include <vector>

#include "checker/catalog.h"
#include "checker/judge.h"

namespace racelings::checker {

// The environment a sanitized test target runs with, as written by
// tools/sanitizers.bzl beside the binary (`<binary>.env`, KEY=VALUE lines).
std::map<std::string, std::string> read_env_file(const std::string& path);

struct TestRun {
  std::string binary;                          // the test program
  std::map<std::string, std::string> env;      // on top of <binary>.env
  int timeout_s = 0;      // the hard limit, when the default is not enough (exploring)
  bool step_log = false;  // keep the controlled scheduler's step log (RACELINGS_STEP_LOG)
};

// use_symbolizer_proxy(): runs from now on name `binary` (run as
// llvm-symbolizer) as their sanitizers' symbolizer, so that reports are
// symbolized from the record (checker/symbols/symbol_record.h). Only a
// binary whose main() dispatches to symbols::proxy_main() under that name
// will do: the checker's own (main.cc). Without it, runs use the real one.
void use_symbolizer_proxy(const std::string& binary);

// run_test(): one run of a test binary for `exercise`.
RunVerdict run_test(const Exercise& exercise, const TestRun& test);

// run_many(): `runs` runs of several binaries, `jobs` at a time (0: one per
// core); results[i] are the runs of tests[i], in order.
std::vector<std::vector<RunVerdict>> run_many(const std::vector<std::pair<const Exercise*, TestRun>>& tests, int runs,
                                              int jobs);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_RUNNER_H_
