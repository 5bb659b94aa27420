// The instructor's audit: every pristine broken exercise must show its
// expected finding in every run, every solution must be clean in every run,
// and every wrong fix kept beside an exercise must be rejected (mutants.h).
// Then the programs whose verdict exploration decides are explored under the
// controlled scheduler (audit_explore.h): each broken exercise must fail
// within the budget with a schedule id that replays, each solution must
// survive every schedule, and a wrong fix that only a schedule shows is
// rejected by exploration.
//
// cmd_audit() runs the steps below in order; audit_report.cc prints and
// writes what they found.

#include <algorithm>
#include <chrono>
#include <iostream>

#include "checker/audit_internal.h"
#include "checker/explore_cache.h"
#include "checker/html.h"
#include "checker/integrity/integrity.h"
#include "checker/integrity/source_scan.h"
#include "checker/judge.h"
#include "checker/process.h"
#include "checker/report/symbolizer.h"
#include "checker/test_batch.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

using audit::Audit;
using audit::Row;
using audit::Side;
using report::Kind;

// What a program of the audit's batch stands for.
struct Part {
  enum class Role { kBroken, kSolution, kPlain, kMutant } role;
  size_t row;
  size_t mutant = 0;  // for kMutant: index into Audit::wrong
};

// Every program the audit builds and runs: batch[i] is what parts[i] stands for.
struct Programs {
  std::vector<BatchProgram> batch;
  std::vector<Part> parts;
  BatchBuild built;

  void add(BatchProgram program, Part part) {
    batch.push_back(std::move(program));
    parts.push_back(part);
  }
  // The programs judged by their runs and exploration: all but the plain builds.
  BatchFilter judged() const {
    return [this](size_t i) { return parts[i].role != Part::Role::kPlain; };
  }
};

class Stopwatch {
 public:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

std::string audit_tree_dir(const std::string& root) {
  return cache_home() + "/racelings/audit/" + content_hash(root) + "/tree";
}

// Which tree to audit: this one, or a pristine copy of git HEAD when
// exercises or solutions were edited. Returns false after saying why not.
bool choose_tree(const Context& ctx, const AuditOptions& options, std::string& tree, bool& pristine) {
  const Ui& ui = ctx.ui;
  tree = ctx.root;
  pristine = false;
  if (!options.prebuilt.empty() || options.in_place) return true;
  if (!is_git_repo(ctx.root)) {
    std::cout << ui.yellow("note:") << " not a git checkout: auditing the exercises as they are in this tree\n";
    return true;
  }
  std::vector<std::string> changed = changed_files(ctx.root, "exercises/");
  std::vector<std::string> changed_solutions = changed_files(ctx.root, "solutions/");
  changed.insert(changed.end(), changed_solutions.begin(), changed_solutions.end());
  if (changed.empty()) return true;
  // A fixed place per tree, so its Bazel server and outputs stay warm from
  // one audit to the next.
  std::string dir = audit_tree_dir(ctx.root);
  remove_tree(dir);
  std::string error;
  if (!export_head(ctx.root, dir, error)) {
    std::cerr << "racelings: " << error << "\n";
    return false;
  }
  tree = dir;
  pristine = true;
  std::cout << ui.yellow("note:") << " " << changed.size()
            << " file(s) under exercises/ or solutions/ differ from git HEAD (e.g. " << changed.front()
            << "); auditing the pristine versions from HEAD instead\n";
  return true;
}

// The exercises selected by --only (all when empty), from `catalog`.
bool select_rows(const Catalog& catalog, const AuditOptions& options, std::vector<Row>& rows) {
  std::vector<const Exercise*> selected;
  for (const auto& q : options.only) {
    const Exercise* ex = catalog.find(q);
    if (ex == nullptr) {
      std::cerr << "racelings: " << catalog.unknown_message(q) << "\n";
      return false;
    }
    selected.push_back(ex);
  }
  if (selected.empty()) {
    for (const auto& ex : catalog.exercises()) selected.push_back(&ex);
  }
  for (const Exercise* ex : selected) rows.push_back(Row{ex, {}, {}, 0, {}});
  return true;
}

audit::MutantRuns collect_mutants(const std::vector<Row>& rows, const std::string& sources) {
  audit::MutantRuns m;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string dir = sources + "/exercises/" + rows[i].ex->name;
    // What a fix may use, as grade judges it: the solution.
    std::string reference = read_file(sources + "/" + rows[i].ex->solution_file()).value_or("");
    for (Mutant& mutant : find_mutants(*rows[i].ex, dir, m.errors)) {
      MutantEvidence evidence;
      evidence.violations = scan_submission(read_file(mutant.path).value_or(""), reference);
      m.mutants.push_back(std::move(mutant));
      m.evidence.push_back(std::move(evidence));
      m.row.push_back(i);
    }
  }
  return m;
}

// The broken version, solution and plain build of every row, then every
// wrong fix that the source scan let through; from options.prebuilt when set:
// <dir>/exercises/NN/test, <dir>/solutions/NN/test and the mutants beside the
// former (it has no plain builds).
Programs list_programs(const Audit& a) {
  const std::string& prebuilt = a.options.prebuilt;
  auto program = [&](const Exercise* ex, const std::string& target, const std::string& dir, const std::string& binary) {
    BatchProgram p;
    p.exercise = ex;
    p.target = target;
    p.source_dir = dir;
    if (!prebuilt.empty()) p.prebuilt = prebuilt + "/" + binary;
    return p;
  };
  Programs programs;
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const Exercise* ex = a.rows[i].ex;
    const std::string broken = "exercises/" + ex->name + "/", solution = "solutions/" + ex->name + "/";
    programs.add(program(ex, ex->exercise_target(), broken, broken + "test"), {Part::Role::kBroken, i});
    programs.add(program(ex, ex->solution_target(), solution, solution + "test"), {Part::Role::kSolution, i});
    if (prebuilt.empty()) programs.add(program(ex, ex->plain_target(), solution, ""), {Part::Role::kPlain, i});
  }
  for (size_t m = 0; m < a.wrong.mutants.size(); ++m) {
    if (!a.wrong.evidence[m].violations.empty()) continue;
    const Mutant& mutant = a.wrong.mutants[m];
    const std::string dir = "exercises/" + mutant.exercise->name + "/";
    BatchProgram p = program(mutant.exercise, mutant.target(), dir + "mutants/", dir + mutant.binary_name());
    // It runs only if its object and program pass the integrity check too (as
    // in grade); a prebuilt one's manifest names paths under the prebuilt tree.
    p.check_integrity = true;
    p.runfiles = prebuilt;
    programs.add(std::move(p), {Part::Role::kMutant, a.wrong.row[m], m});
  }
  return programs;
}

void mark_unbuilt(Side& side, int runs, std::vector<report::Finding> errors, bool expected) {
  side.built = false;
  side.runs = runs;
  side.kinds = {Kind::kBuildError};
  side.findings = std::move(errors);
  side.good = expected ? runs : 0;
}

// What the build says of each row and wrong fix: which did not build (a
// finding, not a failure of the audit), and which fixes the built program's
// integrity check rejects.
void record_builds(Audit& a, const Programs& programs) {
  for (size_t i = 0; i < programs.batch.size(); ++i) {
    const Part& part = programs.parts[i];
    const ProgramBuild& program = programs.built.programs[i];
    if (part.role == Part::Role::kMutant) {
      MutantEvidence& evidence = a.wrong.evidence[part.mutant];
      evidence.built = program.built;
      evidence.build_errors = program.build_errors;
      if (program.built) evidence.violations = refusals(*program.integrity);
      continue;
    }
    if (part.role == Part::Role::kPlain) continue;
    Row& row = a.rows[part.row];
    bool broken = part.role == Part::Role::kBroken;
    Side& side = broken ? row.broken : row.solution;
    // A prebuilt program that is missing is no evidence of a build error.
    bool expected = broken && a.options.prebuilt.empty() && row.ex->expect == Kind::kBuildError;
    if (!program.built) mark_unbuilt(side, a.options.runs, program.build_errors, expected);
  }
}

// Builds every program the audit runs, in `tree`. Returns false when Bazel
// itself failed (not a program's build error: those are findings).
bool build_programs(Audit& a, const std::string& tree, Programs& programs) {
  if (a.options.prebuilt.empty()) {
    std::cout << "Building " << programs.batch.size() << " test programs (each under its own sanitizer)...\n"
              << std::flush;
  }
  programs.built = build_batch(tree, programs.batch);
  if (!programs.built.failure.empty()) {
    std::cerr << programs.built.output << "\nracelings: " << programs.built.failure << "\n";
    return false;
  }
  record_builds(a, programs);
  return true;
}

void tally_side(const Row& row, bool solution, const std::vector<RunVerdict>& verdicts, Side& side) {
  RunTally tally = solution ? tally_runs(verdicts) : tally_runs(verdicts, [&row](const RunVerdict& v) {
    return has_kind(v.findings, row.ex->expect);
  });
  side.runs = tally.runs;
  side.good = tally.good;
  side.seconds = tally.seconds;
  side.kinds = std::move(tally.kinds);
  side.findings = std::move(tally.findings);
}

// Every broken version, solution and wrong fix, options.runs times.
void run_programs(Audit& a, const Programs& programs, const Ui& ui) {
  std::vector<size_t> chosen = batch_selection(programs.built, programs.judged());
  size_t mutants = std::count_if(chosen.begin(), chosen.end(),
                                 [&](size_t i) { return programs.parts[i].role == Part::Role::kMutant; });
  if (std::string w = report::symbolizer_preflight(); !w.empty()) std::cout << ui.yellow("warning: " + w) << "\n";
  std::cout << "Running " << chosen.size() << " test programs";
  if (mutants > 0) std::cout << " (" << mutants << " of them wrong fixes)";
  std::cout << " " << a.options.runs << (a.options.runs == 1 ? " time" : " times") << " each...\n" << std::flush;
  BatchRuns how;
  how.runs = a.options.runs;
  how.jobs = a.options.jobs;
  how.include = programs.judged();
  auto verdicts = run_batch(programs.batch, programs.built, how);
  for (size_t i : chosen) {
    const Part& part = programs.parts[i];
    if (part.role == Part::Role::kMutant) {
      a.wrong.evidence[part.mutant].runs = std::move(verdicts[i]);
      continue;
    }
    bool solution = part.role == Part::Role::kSolution;
    Row& row = a.rows[part.row];
    Side& side = solution ? row.solution : row.broken;
    side.binary = programs.built.programs[i].binary;
    tally_side(row, solution, verdicts[i], side);
  }
}

// The sanitizer's cost: each solution once more without one.
void run_plain(Audit& a, const Programs& programs) {
  auto plain = [&](size_t i) { return programs.parts[i].role == Part::Role::kPlain; };
  BatchRuns how;
  how.jobs = a.options.jobs;
  how.include = plain;
  auto verdicts = run_batch(programs.batch, programs.built, how);
  for (size_t i : batch_selection(programs.built, plain)) {
    const RunVerdict& v = verdicts[i][0];
    if (v.clean) a.rows[programs.parts[i].row].plain_seconds = v.run.elapsed.count() / 1000.0;
  }
}

// The programs whose verdict exploration decides: every broken exercise and
// solution, and the wrong fixes whose header expects exploration to reject
// them. Any other wrong fix is judged by its runs alone (judge_mutant), so
// exploring it would cost a search and a replay for nothing.
BatchFilter needs_exploration(const Audit& a, const Programs& programs) {
  return [&a, &programs](size_t i) {
    const Part& part = programs.parts[i];
    switch (part.role) {
      case Part::Role::kBroken:
      case Part::Role::kSolution:
        return true;
      case Part::Role::kMutant:
        return a.wrong.mutants[part.mutant].expect == Layer::kExplore;
      case Part::Role::kPlain:
        return false;
    }
    return false;
  };
}

// Under the controlled scheduler: the programs above, explored with the same plan.
void explore_all(Audit& a, const Programs& programs) {
  BatchFilter chosen_filter = needs_exploration(a, programs);
  std::vector<size_t> chosen = batch_selection(programs.built, chosen_filter);
  std::cout << "Exploring " << chosen.size() << " test programs under the controlled scheduler (" << spec_text(a.plan)
            << ")...\n"
            << std::flush;
  auto explored = explore_batch(programs.batch, programs.built, a.plan, a.options.jobs, chosen_filter);
  a.phases.explored = chosen.size();
  for (size_t i : chosen) {
    const Part& part = programs.parts[i];
    a.phases.on_record += explored[i].on_record ? 1 : 0;
    if (part.role == Part::Role::kMutant) {
      a.wrong.evidence[part.mutant].explored_rejects = exploration_rejects(explored[i], a.plan);
    } else {
      Row& row = a.rows[part.row];
      (part.role == Part::Role::kSolution ? row.solution : row.broken).explored = std::move(explored[i]);
    }
  }
}

bool write_output(const std::string& path, const std::string& text, const char* what) {
  if (path.empty()) return true;
  if (!write_file_atomically(path, text)) {
    std::cerr << "racelings: could not write " << path << "\n";
    return false;
  }
  std::cout << what << ": " << path << "\n";
  return true;
}

bool write_outputs(const Audit& a, const audit::Outcome& outcome) {
  if (a.options.json_path.empty() && a.options.html_path.empty()) return true;
  nlohmann::json doc = audit::audit_json(a, outcome);
  return write_output(a.options.json_path, doc.dump(2) + "\n", "JSON") &&
         write_output(a.options.html_path, a.options.html_path.empty() ? "" : audit_html(doc), "HTML");
}

}  // namespace

int cmd_audit(Context& ctx, const AuditOptions& options) {
  const Ui& ui = ctx.ui;
  if (options.runs < 1) {
    std::cerr << "racelings: --runs must be at least 1\n";
    return kExitUsage;
  }
  if (options.no_cache) disable_explore_record();
  std::string tree;
  bool pristine = false;
  if (!choose_tree(ctx, options, tree, pristine)) return kExitInternal;
  // The catalog of the tree being audited (a pristine copy may differ).
  Catalog pristine_catalog;
  const Catalog* catalog = &ctx.catalog;
  if (tree != ctx.root) {
    try {
      pristine_catalog = Catalog::load(tree + "/exercises/catalog.json");
    } catch (const CatalogError& e) {
      std::cerr << "racelings: " << e.what() << "\n";
      return kExitInternal;
    }
    catalog = &pristine_catalog;
  }
  Audit a;
  a.options = options;
  a.plan.budget = options.explore;
  if (!select_rows(*catalog, options, a.rows)) return kExitUsage;

  Stopwatch total, step;
  a.wrong = collect_mutants(a.rows, options.prebuilt.empty() ? tree : options.prebuilt);
  Programs programs = list_programs(a);
  if (!build_programs(a, tree, programs)) return kExitInternal;
  a.phases.build = step.lap();
  run_programs(a, programs, ui);
  a.phases.runs = step.lap();
  run_plain(a, programs);
  a.phases.plain = step.lap();
  if (options.explore > 0) explore_all(a, programs);
  a.phases.explore = step.lap();
  for (size_t m = 0; m < a.wrong.mutants.size(); ++m) {
    a.rows[a.wrong.row[m]].mutants.push_back(judge_mutant(a.wrong.mutants[m], a.wrong.evidence[m]));
  }
  a.phases.total = total.lap();

  audit::Outcome outcome = audit::judge_rows(a);
  audit::print_table(a, ui);
  audit::print_failures(a, ui);
  audit::print_summary(a, outcome, ui);
  if (pristine) std::cout << ui.dim("(audited the pristine tree from git HEAD, in " + tree + ")") << "\n";
  if (!write_outputs(a, outcome)) return kExitInternal;
  return outcome.ok() ? kExitOk : kExitNotPassing;
}

}  // namespace racelings::checker
