// The instructor's audit: every pristine broken exercise must show its
// expected finding in every run, every solution must be clean in every run,
// and every wrong fix kept beside an exercise must be rejected (mutants.h).
// Then every program it ran is explored under the controlled scheduler
// (audit_explore.h): each broken exercise must fail within the budget with a
// schedule id that replays, each solution must survive every schedule, and a
// wrong fix that only a schedule shows is rejected by exploration.
//
// cmd_audit() runs the steps below in order; audit_report.cc prints and
// writes what they found.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <filesystem>
#include <iostream>

#include "checker/audit_internal.h"
#include "checker/bazel.h"
#include "checker/explore_cache.h"
#include "checker/html.h"
#include "checker/integrity/integrity.h"
#include "checker/integrity/source_scan.h"
#include "checker/judge.h"
#include "checker/process.h"
#include "checker/report/report_parser.h"
#include "checker/report/symbolizer.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

using audit::Audit;
using audit::Row;
using audit::Side;
using report::Kind;
namespace fs = std::filesystem;

// A program to run, and whose result it is.
struct Program {
  const Exercise* exercise;
  std::string binary;
  size_t row;
  enum class Role { kBroken, kSolution, kPlain, kMutant } role;
  size_t mutant = 0;  // for kMutant: index into Audit::wrong
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

void mark_unbuilt(Side& side, int runs, std::vector<report::Finding> errors, bool expected) {
  side.built = false;
  side.runs = runs;
  side.kinds = {Kind::kBuildError};
  side.findings = std::move(errors);
  side.good = expected ? runs : 0;
}

// A mutant that built: run it unless its object or program fails the
// integrity check (then it is rejected for that, as grade would).
void add_mutant_program(Audit& a, size_t m, const std::string& binary, const std::string& runfiles,
                        std::vector<Program>& programs) {
  a.wrong.evidence[m].violations = refusals(check_test_program(binary, runfiles));
  if (a.wrong.evidence[m].violations.empty()) {
    programs.push_back({a.wrong.mutants[m].exercise, binary, a.wrong.row[m], Program::Role::kMutant, m});
  }
}

// Builds every program the audit runs, in `tree`. Returns false when Bazel
// itself failed (not a program's build error: those are findings).
bool build_programs(Audit& a, const std::string& tree, std::vector<Program>& programs) {
  std::vector<std::string> targets;
  for (const Row& row : a.rows) {
    targets.push_back(row.ex->exercise_target());
    targets.push_back(row.ex->solution_target());
    targets.push_back(row.ex->plain_target());
  }
  for (size_t m = 0; m < a.wrong.mutants.size(); ++m) {
    if (a.wrong.evidence[m].violations.empty()) targets.push_back(a.wrong.mutants[m].target());
  }
  std::cout << "Building " << targets.size() << " test programs (each under its own sanitizer)...\n" << std::flush;
  BazelOptions bazel;
  bazel.workspace = tree;
  bazel.extra_flags = {"--keep_going"};
  BuildOutcome built = build(targets, bazel);
  if (!built.failure.empty() && built.errors.empty()) {
    std::cerr << built.output << "\nracelings: " << built.failure << "\n";
    return false;
  }
  for (size_t i = 0; i < a.rows.size(); ++i) {
    Row& row = a.rows[i];
    const Exercise& ex = *row.ex;
    if (!built.built[ex.exercise_target()]) {
      mark_unbuilt(row.broken, a.options.runs, errors_in(built.errors, "exercises/" + ex.name + "/"),
                   ex.expect == Kind::kBuildError);
    } else {
      programs.push_back({&ex, output_path(built, tree, ex.exercise_target()), i, Program::Role::kBroken});
    }
    if (!built.built[ex.solution_target()]) {
      mark_unbuilt(row.solution, a.options.runs, errors_in(built.errors, "solutions/" + ex.name + "/"), false);
    } else {
      programs.push_back({&ex, output_path(built, tree, ex.solution_target()), i, Program::Role::kSolution});
    }
    if (built.built[ex.plain_target()]) {
      programs.push_back({&ex, output_path(built, tree, ex.plain_target()), i, Program::Role::kPlain});
    }
  }
  for (size_t m = 0; m < a.wrong.mutants.size(); ++m) {
    const Mutant& mutant = a.wrong.mutants[m];
    if (!a.wrong.evidence[m].violations.empty()) continue;
    if (!built.built[mutant.target()]) {
      a.wrong.evidence[m].built = false;
      a.wrong.evidence[m].build_errors =
          errors_in(built.errors, "exercises/" + mutant.exercise->name + "/mutants/");
      continue;
    }
    add_mutant_program(a, m, output_path(built, tree, mutant.target()), "", programs);
  }
  return true;
}

// The programs of --prebuilt: <dir>/exercises/NN/test, <dir>/solutions/NN/test
// and the mutants beside the former.
void prebuilt_programs(Audit& a, std::vector<Program>& programs) {
  const std::string& dir = a.options.prebuilt;
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const Exercise* ex = a.rows[i].ex;
    for (bool solution : {false, true}) {
      std::string binary = dir + "/" + (solution ? "solutions/" : "exercises/") + ex->name + "/test";
      if (!fs::exists(binary)) {
        mark_unbuilt(solution ? a.rows[i].solution : a.rows[i].broken, a.options.runs, {}, false);
        continue;
      }
      programs.push_back({ex, binary, i, solution ? Program::Role::kSolution : Program::Role::kBroken});
    }
  }
  for (size_t m = 0; m < a.wrong.mutants.size(); ++m) {
    const Mutant& mutant = a.wrong.mutants[m];
    if (!a.wrong.evidence[m].violations.empty()) continue;
    std::string binary = dir + "/exercises/" + mutant.exercise->name + "/" + mutant.binary_name();
    if (!fs::exists(binary)) {
      a.wrong.evidence[m].built = false;
      continue;
    }
    // The manifest's paths are those of these runfiles.
    add_mutant_program(a, m, binary, dir, programs);
  }
}

std::vector<const Program*> with_role(const std::vector<Program>& programs, std::initializer_list<Program::Role> roles) {
  std::vector<const Program*> out;
  for (const Program& p : programs) {
    if (std::find(roles.begin(), roles.end(), p.role) != roles.end()) out.push_back(&p);
  }
  return out;
}

void tally_side(const Row& row, bool solution, const std::vector<RunVerdict>& verdicts, Side& side) {
  std::vector<report::Finding> all;
  for (const RunVerdict& v : verdicts) {
    ++side.runs;
    side.seconds += static_cast<double>(v.run.elapsed.count()) / 1000.0;
    side.good += solution ? (v.clean ? 1 : 0) : (has_kind(v.findings, row.ex->expect) ? 1 : 0);
    for (const auto& f : v.findings) {
      if (std::find(side.kinds.begin(), side.kinds.end(), f.kind) == side.kinds.end()) side.kinds.push_back(f.kind);
    }
    all.insert(all.end(), v.findings.begin(), v.findings.end());
  }
  side.findings = report::merge_findings(std::move(all));
}

// Every broken version, solution and wrong fix, options.runs times.
void run_programs(Audit& a, const std::vector<Program>& programs, const Ui& ui) {
  auto chosen = with_role(programs, {Program::Role::kBroken, Program::Role::kSolution, Program::Role::kMutant});
  std::vector<std::pair<const Exercise*, TestRun>> tests;
  size_t mutants = 0;
  for (const Program* p : chosen) {
    tests.push_back({p->exercise, TestRun{p->binary, {}}});
    mutants += p->role == Program::Role::kMutant ? 1 : 0;
  }
  if (std::string w = report::symbolizer_preflight(); !w.empty()) std::cout << ui.yellow("warning: " + w) << "\n";
  std::cout << "Running " << tests.size() << " test programs";
  if (mutants > 0) std::cout << " (" << mutants << " of them wrong fixes)";
  std::cout << " " << a.options.runs << (a.options.runs == 1 ? " time" : " times") << " each...\n" << std::flush;
  auto results = run_many(tests, a.options.runs, a.options.jobs);
  for (size_t t = 0; t < chosen.size(); ++t) {
    const Program& p = *chosen[t];
    if (p.role == Program::Role::kMutant) {
      a.wrong.evidence[p.mutant].runs = std::move(results[t]);
      continue;
    }
    bool solution = p.role == Program::Role::kSolution;
    Row& row = a.rows[p.row];
    Side& side = solution ? row.solution : row.broken;
    side.binary = p.binary;
    tally_side(row, solution, results[t], side);
  }
}

// The sanitizer's cost: each solution once more without one.
void run_plain(Audit& a, const std::vector<Program>& programs) {
  auto chosen = with_role(programs, {Program::Role::kPlain});
  std::vector<std::pair<const Exercise*, TestRun>> tests;
  for (const Program* p : chosen) tests.push_back({p->exercise, TestRun{p->binary, {}}});
  auto plain = run_many(tests, 1, a.options.jobs);
  for (size_t t = 0; t < chosen.size(); ++t) {
    if (plain[t][0].clean) a.rows[chosen[t]->row].plain_seconds = plain[t][0].run.elapsed.count() / 1000.0;
  }
}

// Under the controlled scheduler: every program the audit ran, explored with
// the same plan (a wrong fix's verdict may come from it).
void explore_all(Audit& a, const std::vector<Program>& programs) {
  auto chosen = with_role(programs, {Program::Role::kBroken, Program::Role::kSolution, Program::Role::kMutant});
  std::vector<ProgramToExplore> to_explore;
  for (const Program* p : chosen) to_explore.push_back({p->exercise, p->binary});
  std::cout << "Exploring " << to_explore.size() << " test programs under the controlled scheduler ("
            << spec_text(a.plan) << ")...\n"
            << std::flush;
  auto explored = explore_programs(to_explore, a.plan, a.options.jobs);
  a.phases.explored = explored.size();
  for (size_t i = 0; i < chosen.size(); ++i) {
    const Program& p = *chosen[i];
    a.phases.on_record += explored[i].on_record ? 1 : 0;
    if (p.role == Program::Role::kMutant) {
      a.wrong.evidence[p.mutant].explored_rejects = exploration_rejects(explored[i], a.plan);
    } else {
      Row& row = a.rows[p.row];
      (p.role == Program::Role::kSolution ? row.solution : row.broken).explored = std::move(explored[i]);
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
  std::vector<Program> programs;
  if (options.prebuilt.empty()) {
    if (!build_programs(a, tree, programs)) return kExitInternal;
  } else {
    prebuilt_programs(a, programs);
  }
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
