// checker/test_batch.h
// -----------------------------------------------------------------------------
//
// The build-run-tally steps that grading and the audit share: build a batch of
// test programs in one Bazel call (each one's own compiler errors kept apart),
// refuse those whose compiled program breaks the grading rules, run the rest
// N times each in parallel, and sum up each program's runs.
//
//   std::vector<BatchProgram> programs = {{&ex, ex.exercise_target(), "exercises/" + ex.name + "/", true}};
//   BatchBuild built = build_batch(workspace, programs);
//   if (!built.failure.empty()) ...                 // Bazel itself failed
//   auto verdicts = run_batch(programs, built, runs, jobs);
//   RunTally tally = tally_runs(verdicts[0]);       // clean runs, time, findings

#ifndef RACELINGS_CHECKER_TEST_BATCH_H_
#define RACELINGS_CHECKER_TEST_BATCH_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checker/catalog.h"
#include "checker/integrity/integrity.h"
#include "checker/judge.h"
#include "checker/report/finding.h"

namespace racelings::checker {

// One test program: a Bazel target, and where its own sources are.
struct BatchProgram {
  const Exercise* exercise = nullptr;
  std::string target;      // e.g. //exercises/01_spawn_join:test
  std::string source_dir;  // its build errors are those in files here, e.g. "exercises/01_spawn_join/"
  bool check_integrity = false;  // read the built program's integrity report (integrity.h)
};

// What building one program gave.
struct ProgramBuild {
  bool built = false;
  std::string binary;                          // when built
  std::vector<report::Finding> build_errors;   // when not: the errors in its source_dir
  std::optional<IntegrityReport> integrity;    // when built and checked
  // Built, and not refused by its integrity report: it may run.
  bool runnable() const { return built && (!integrity.has_value() || integrity->ok()); }
};

struct BatchBuild {
  std::string failure;  // Bazel itself failed (not the code): nothing was judged
  std::string output;   // Bazel's output, to show with the failure
  std::vector<ProgramBuild> programs;  // programs[i] is the batch's i-th
};

// build_batch(): `bazel build --keep_going` of every program's target in
// `workspace`, then each built program's integrity check where asked.
BatchBuild build_batch(const std::string& workspace, const std::vector<BatchProgram>& programs);

// run_batch(): every runnable program `runs` times, `jobs` at a time (0: one
// per core). verdicts[i] are the runs of programs[i]; empty when it did not run.
std::vector<std::vector<RunVerdict>> run_batch(const std::vector<BatchProgram>& programs, const BatchBuild& built,
                                               int runs, int jobs);

// The sum of one program's runs.
struct RunTally {
  int runs = 0;
  int good = 0;          // runs that the predicate accepted (by default: clean ones)
  double seconds = 0;    // their run time, added up
  std::vector<report::Finding> findings;  // every run's, merged (merge_findings)
};
RunTally tally_runs(
    const std::vector<RunVerdict>& verdicts,
    const std::function<bool(const RunVerdict&)>& good = [](const RunVerdict& v) { return v.clean; });

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_TEST_BATCH_H_
