// checker/test_batch.h
// -----------------------------------------------------------------------------
//
// The build-run-tally steps that grading, the audit and `check` share: build a
// batch of test programs in one Bazel call (each one's own compiler errors
// kept apart) or take them prebuilt, refuse those whose compiled program
// breaks the grading rules, run the rest N times each in parallel (or explore
// them under the controlled scheduler), and sum up each program's runs.
//
//   BatchProgram program;
//   program.exercise = &ex;
//   program.target = ex.exercise_target();
//   program.source_dir = "exercises/" + ex.name + "/";
//   BatchBuild built = build_batch(workspace, {program});
//   if (!built.failure.empty()) ...                 // Bazel itself failed
//   BatchRuns how;
//   how.runs = runs;
//   auto verdicts = run_batch({program}, built, how);
//   RunTally tally = tally_runs(verdicts[0]);       // clean runs, time, findings

#ifndef RACELINGS_CHECKER_TEST_BATCH_H_
#define RACELINGS_CHECKER_TEST_BATCH_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checker/audit_explore.h"
#include "checker/catalog.h"
#include "checker/explore.h"
#include "checker/integrity/integrity.h"
#include "checker/judge.h"
#include "checker/report/finding.h"
#include "checker/runner.h"

namespace racelings::checker {

// One test program: a Bazel target, and where its own sources are.
struct BatchProgram {
  const Exercise* exercise = nullptr;
  std::string target;      // e.g. //exercises/01_spawn_join:test
  std::string source_dir;  // its build errors are those in files here, e.g. "exercises/01_spawn_join/"
  bool check_integrity = false;  // read the built program's integrity report (integrity.h)
  std::string prebuilt;  // not empty: the program is already built here, and Bazel is not asked
  std::string runfiles;  // where its integrity manifest's paths are, when not the program's own runfiles
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
// `workspace` (a prebuilt program is only looked for), then each built
// program's integrity check where asked.
BatchBuild build_batch(const std::string& workspace, const std::vector<BatchProgram>& programs);

// Which programs of a batch a pass takes, by index. Only runnable ones are
// ever taken; an empty filter takes all of those.
using BatchFilter = std::function<bool(size_t)>;

// batch_selection(): the indices of the programs a pass with `include` takes.
std::vector<size_t> batch_selection(const BatchBuild& built, const BatchFilter& include);

// How to run a batch.
struct BatchRuns {
  int runs = 1;
  int jobs = 0;         // at a time (0: two per core for ordinary runs, one per core for test_run's)
  BatchFilter include;  // which programs
  // The run of program i, built at `binary` (default: its plain test run).
  std::function<TestRun(size_t i, const std::string& binary)> test_run;
};

// run_batch(): every selected program `how.runs` times. verdicts[i] are the
// runs of programs[i]; empty when it did not run.
std::vector<std::vector<RunVerdict>> run_batch(const std::vector<BatchProgram>& programs, const BatchBuild& built,
                                               const BatchRuns& how);

// explore_batch(): every selected program explored under the controlled
// scheduler with `plan`, its failing schedule replayed (audit_explore.h).
// results[i] is programs[i]'s; not `ran` when it was not selected.
std::vector<ProgramExploration> explore_batch(const std::vector<BatchProgram>& programs, const BatchBuild& built,
                                              const ExplorePlan& plan, int jobs, const BatchFilter& include);

// The sum of one program's runs.
struct RunTally {
  int runs = 0;
  int good = 0;          // runs that the predicate accepted (by default: clean ones)
  double seconds = 0;    // their run time, added up
  std::vector<report::Kind> kinds;        // every kind of finding seen, in order of first sight
  std::vector<report::Finding> findings;  // every run's, merged (merge_findings)
};
RunTally tally_runs(
    const std::vector<RunVerdict>& verdicts,
    const std::function<bool(const RunVerdict&)>& good = [](const RunVerdict& v) { return v.clean; });

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_TEST_BATCH_H_
