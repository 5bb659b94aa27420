#include "checker/test_batch.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>
#include <utility>

#include "checker/bazel.h"
#include "checker/report/report_parser.h"
#include "primitives/thread.h"

namespace racelings::checker {
namespace {

// What one program's build gave, from Bazel's outcome or from its prebuilt file.
ProgramBuild program_build(const BatchProgram& p, const BuildOutcome& outcome, const std::string& workspace) {
  ProgramBuild program;
  if (!p.prebuilt.empty()) {
    program.built = std::filesystem::exists(p.prebuilt);
    if (program.built) program.binary = p.prebuilt;
  } else {
    auto built = outcome.built.find(p.target);
    program.built = built != outcome.built.end() && built->second;
    if (program.built) program.binary = output_path(outcome, workspace, p.target);
    else program.build_errors = errors_in(outcome.errors, p.source_dir);
  }
  // The layers only the build shows: preprocessed text, IR, object.
  if (program.built && p.check_integrity) program.integrity = check_test_program(program.binary, p.runfiles);
  return program;
}

}  // namespace

BatchBuild build_batch(const std::string& workspace, const std::vector<BatchProgram>& programs) {
  BatchBuild batch;
  std::vector<std::string> targets;
  for (const BatchProgram& p : programs) {
    if (p.prebuilt.empty()) targets.push_back(p.target);
  }
  BuildOutcome outcome;
  if (!targets.empty()) {
    BazelOptions bazel;
    bazel.workspace = workspace;
    bazel.extra_flags = {"--keep_going"};
    outcome = build(targets, bazel);
  }
  // Compile errors are the programs' own; any other failure is Bazel's.
  if (!outcome.failure.empty() && outcome.errors.empty()) {
    batch.failure = outcome.failure;
    batch.output = outcome.output;
    return batch;
  }
  // The integrity checks read and parse each program's files: one per core.
  batch.programs.resize(programs.size());
  std::atomic<size_t> next{0};  // Relaxed: hands out indices; scope() publishes.
  racelings::scope([&](racelings::Scope& s) {
    for (unsigned j = 0; j < std::max(1u, std::thread::hardware_concurrency()); ++j) {
      s.spawn([&] {
        for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < programs.size();
             i = next.fetch_add(1, std::memory_order_relaxed)) {
          batch.programs[i] = program_build(programs[i], outcome, workspace);
        }
      });
    }
  });
  return batch;
}

std::vector<size_t> batch_selection(const BatchBuild& built, const BatchFilter& include) {
  std::vector<size_t> selected;
  for (size_t i = 0; i < built.programs.size(); ++i) {
    if (built.programs[i].runnable() && (!include || include(i))) selected.push_back(i);
  }
  return selected;
}

std::vector<std::vector<RunVerdict>> run_batch(const std::vector<BatchProgram>& programs, const BatchBuild& built,
                                               const BatchRuns& how) {
  std::vector<size_t> selected = batch_selection(built, how.include);
  std::vector<std::pair<const Exercise*, TestRun>> tests;
  for (size_t i : selected) {
    const std::string& binary = built.programs[i].binary;
    tests.push_back({programs[i].exercise, how.test_run ? how.test_run(i, binary) : TestRun{binary, {}}});
  }
  // An ordinary run mostly waits (a sleep, a timed wait, the detector's
  // grace period, the program's start): in a warm audit the cores were idle
  // half the time at one run per core. Two per core cut the runs from 52-53 s
  // to 44-47 s; three or four per core were slower again. Explorations and
  // replays compute all the time: one per core.
  int jobs = how.jobs;
  if (jobs <= 0 && !how.test_run) jobs = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto results = run_many(tests, how.runs, jobs);
  std::vector<std::vector<RunVerdict>> verdicts(programs.size());
  for (size_t t = 0; t < results.size(); ++t) verdicts[selected[t]] = std::move(results[t]);
  return verdicts;
}

std::vector<ProgramExploration> explore_batch(const std::vector<BatchProgram>& programs, const BatchBuild& built,
                                              const ExplorePlan& plan, int jobs, const BatchFilter& include) {
  std::vector<size_t> selected = batch_selection(built, include);
  std::vector<ProgramToExplore> to_explore;
  for (size_t i : selected) to_explore.push_back({programs[i].exercise, built.programs[i].binary});
  auto explored = explore_programs(to_explore, plan, jobs);
  std::vector<ProgramExploration> results(programs.size());
  for (size_t t = 0; t < explored.size(); ++t) results[selected[t]] = std::move(explored[t]);
  return results;
}

RunTally tally_runs(const std::vector<RunVerdict>& verdicts, const std::function<bool(const RunVerdict&)>& good) {
  RunTally tally;
  for (const RunVerdict& v : verdicts) {
    ++tally.runs;
    tally.good += good(v) ? 1 : 0;
    tally.seconds += static_cast<double>(v.run.elapsed.count()) / 1000.0;
    for (const report::Finding& f : v.findings) {
      if (std::find(tally.kinds.begin(), tally.kinds.end(), f.kind) == tally.kinds.end()) tally.kinds.push_back(f.kind);
    }
    tally.findings.insert(tally.findings.end(), v.findings.begin(), v.findings.end());
  }
  tally.findings = report::merge_findings(std::move(tally.findings));
  return tally;
}

}  // namespace racelings::checker
