#include "checker/test_batch.h"

#include <utility>

#include "checker/bazel.h"
#include "checker/report/report_parser.h"
#include "checker/runner.h"

namespace racelings::checker {

BatchBuild build_batch(const std::string& workspace, const std::vector<BatchProgram>& programs) {
  BatchBuild batch;
  std::vector<std::string> targets;
  for (const BatchProgram& p : programs) targets.push_back(p.target);
  BazelOptions bazel;
  bazel.workspace = workspace;
  bazel.extra_flags = {"--keep_going"};
  BuildOutcome outcome = build(targets, bazel);
  // Compile errors are the programs' own; any other failure is Bazel's.
  if (!outcome.failure.empty() && outcome.errors.empty()) {
    batch.failure = outcome.failure;
    batch.output = outcome.output;
    return batch;
  }
  for (const BatchProgram& p : programs) {
    ProgramBuild& program = batch.programs.emplace_back();
    program.built = outcome.built[p.target];
    if (!program.built) {
      program.build_errors = errors_in(outcome.errors, p.source_dir);
      continue;
    }
    program.binary = output_path(outcome, workspace, p.target);
    // The layers only the build shows: preprocessed text, IR, object.
    if (p.check_integrity) program.integrity = check_test_program(program.binary);
  }
  return batch;
}

std::vector<std::vector<RunVerdict>> run_batch(const std::vector<BatchProgram>& programs, const BatchBuild& built,
                                               int runs, int jobs) {
  std::vector<std::pair<const Exercise*, TestRun>> tests;
  std::vector<size_t> owner;
  for (size_t i = 0; i < programs.size() && i < built.programs.size(); ++i) {
    if (!built.programs[i].runnable()) continue;
    tests.push_back({programs[i].exercise, TestRun{built.programs[i].binary, {}}});
    owner.push_back(i);
  }
  auto results = run_many(tests, runs, jobs);
  std::vector<std::vector<RunVerdict>> verdicts(programs.size());
  for (size_t t = 0; t < results.size(); ++t) verdicts[owner[t]] = std::move(results[t]);
  return verdicts;
}

RunTally tally_runs(const std::vector<RunVerdict>& verdicts, const std::function<bool(const RunVerdict&)>& good) {
  RunTally tally;
  for (const RunVerdict& v : verdicts) {
    ++tally.runs;
    tally.good += good(v) ? 1 : 0;
    tally.seconds += static_cast<double>(v.run.elapsed.count()) / 1000.0;
    tally.findings.insert(tally.findings.end(), v.findings.begin(), v.findings.end());
  }
  tally.findings = report::merge_findings(std::move(tally.findings));
  return tally;
}

}  // namespace racelings::checker
