// The instructor's audit: every pristine broken exercise must show its
// expected finding in every run, every solution must be clean in every run,
// and every wrong fix kept beside an exercise must be rejected (mutants.h).
// Then every program it ran is explored under the controlled scheduler
// (audit_explore.h): each broken exercise must fail within the budget with a
// schedule id that replays, each solution must survive every schedule, and a
// wrong fix that only a schedule shows is rejected by exploration.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "checker/audit_explore.h"
#include "checker/bazel.h"
#include "checker/commands.h"
#include "checker/html.h"
#include "checker/integrity/integrity.h"
#include "checker/integrity/source_scan.h"
#include "checker/judge.h"
#include "checker/mutants.h"
#include "checker/process.h"
#include "checker/report/explain.h"
#include "checker/report/report_parser.h"
#include "checker/report/symbolizer.h"
#include "checker/runner.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

using report::Kind;
namespace fs = std::filesystem;

struct Side {
  bool built = true;
  int runs = 0;
  int good = 0;  // detected (broken) or clean (solution)
  std::vector<Kind> kinds;
  std::vector<report::Finding> findings;  // merged over runs, for the report
  double seconds = 0;                     // total run time
  std::string binary;                     // the program, once built
  ProgramExploration explored;            // under the controlled scheduler
};

struct Row {
  const Exercise* ex;
  Side broken, solution;
  double plain_seconds = 0;  // one run of the solution without a sanitizer
  std::vector<MutantResult> mutants;
};

// The wrong fixes of the selected exercises, with what the integrity scan of
// their source says of each (those it rejects are neither built nor run, as
// in grade; the layers only the build shows are checked after it).
struct MutantRuns {
  std::vector<Mutant> mutants;
  std::vector<MutantEvidence> evidence;
  std::vector<size_t> row;  // mutant -> row index
  std::vector<std::string> errors;
};

MutantRuns collect_mutants(const std::vector<Row>& rows, const std::string& sources) {
  MutantRuns m;
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

void add_kinds(Side& side, const std::vector<report::Finding>& findings) {
  for (const auto& f : findings) {
    bool seen = false;
    for (Kind k : side.kinds) seen = seen || k == f.kind;
    if (!seen) side.kinds.push_back(f.kind);
  }
}

nlohmann::json kinds_json(const std::vector<Kind>& kinds) {
  nlohmann::json out = nlohmann::json::array();
  for (Kind k : kinds) out.push_back(std::string(report::kind_name(k)));
  return out;
}

std::string fraction(int good, int runs) { return std::to_string(good) + "/" + std::to_string(runs); }

std::string audit_tree_dir(const std::string& root) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::string base = xdg != nullptr && *xdg ? xdg : std::string(home != nullptr ? home : "/tmp") + "/.cache";
  return base + "/racelings/audit/" + content_hash(root) + "/tree";
}

}  // namespace

int cmd_audit(Context& ctx, const AuditOptions& options) {
  const Ui& ui = ctx.ui;
  if (options.runs < 1) {
    std::cerr << "racelings: --runs must be at least 1\n";
    return kExitUsage;
  }
  // Which tree: prebuilt binaries, this tree, or a pristine copy of it.
  std::string tree = ctx.root;
  bool pristine_used = false;
  if (options.prebuilt.empty() && !options.in_place) {
    if (!is_git_repo(ctx.root)) {
      std::cout << ui.yellow("note:") << " not a git checkout: auditing the exercises as they are in this tree\n";
    } else {
      std::vector<std::string> changed = changed_files(ctx.root, "exercises/");
      std::vector<std::string> changed_solutions = changed_files(ctx.root, "solutions/");
      changed.insert(changed.end(), changed_solutions.begin(), changed_solutions.end());
      if (!changed.empty()) {
        // A fixed place per tree, so its Bazel server and outputs stay warm
        // from one audit to the next.
        std::string dir = audit_tree_dir(ctx.root);
        remove_tree(dir);
        std::string error;
        if (!export_head(ctx.root, dir, error)) {
          std::cerr << "racelings: " << error << "\n";
          return kExitInternal;
        }
        tree = dir;
        pristine_used = true;
        std::cout << ui.yellow("note:") << " " << changed.size()
                  << " file(s) under exercises/ or solutions/ differ from git HEAD (e.g. " << changed.front()
                  << "); auditing the pristine versions from HEAD instead\n";
      }
    }
  }

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
  std::vector<const Exercise*> selected;
  for (const auto& q : options.only) {
    const Exercise* ex = catalog->find(q);
    if (ex == nullptr) {
      std::cerr << "racelings: " << catalog->unknown_message(q) << "\n";
      return kExitUsage;
    }
    selected.push_back(ex);
  }
  if (selected.empty()) {
    for (const auto& ex : catalog->exercises()) selected.push_back(&ex);
  }

  std::vector<Row> rows;
  for (const Exercise* ex : selected) rows.push_back(Row{ex, {}, {}, 0, {}});
  auto started = std::chrono::steady_clock::now();
  MutantRuns wrong = collect_mutants(rows, options.prebuilt.empty() ? tree : options.prebuilt);
  std::vector<std::pair<size_t, std::string>> run_mutants;  // (mutant, binary) to run

  std::vector<std::pair<const Exercise*, TestRun>> tests;
  std::vector<std::pair<size_t, bool>> owners;  // row index, is solution
  std::vector<std::pair<const Exercise*, TestRun>> plain_tests;
  std::vector<size_t> plain_owners;
  if (options.prebuilt.empty()) {
    std::vector<std::string> targets;
    for (const Exercise* ex : selected) {
      targets.push_back(ex->exercise_target());
      targets.push_back(ex->solution_target());
      targets.push_back(ex->plain_target());
    }
    for (size_t m = 0; m < wrong.mutants.size(); ++m) {
      if (wrong.evidence[m].violations.empty()) targets.push_back(wrong.mutants[m].target());
    }
    std::cout << "Building " << targets.size() << " test programs (each under its own sanitizer)...\n" << std::flush;
    BazelOptions bazel;
    bazel.workspace = tree;
    bazel.extra_flags = {"--keep_going"};
    BuildOutcome built = build(targets, bazel);
    if (!built.failure.empty() && built.errors.empty()) {
      std::cerr << built.output << "\nracelings: " << built.failure << "\n";
      return kExitInternal;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      Row& row = rows[i];
      row.broken.built = built.built[row.ex->exercise_target()];
      row.solution.built = built.built[row.ex->solution_target()];
      if (!row.broken.built) {
        auto errors = errors_in(built.errors, "exercises/" + row.ex->name + "/");
        row.broken.runs = options.runs;
        row.broken.kinds = {Kind::kBuildError};
        row.broken.findings = errors;
        row.broken.good = row.ex->expect == Kind::kBuildError ? options.runs : 0;
      } else {
        tests.push_back({row.ex, TestRun{output_path(built, tree, row.ex->exercise_target()), {}}});
        owners.push_back({i, false});
      }
      if (built.built[row.ex->plain_target()]) {
        plain_tests.push_back({row.ex, TestRun{output_path(built, tree, row.ex->plain_target()), {}}});
        plain_owners.push_back(i);
      }
      if (!row.solution.built) {
        row.solution.runs = options.runs;
        row.solution.kinds = {Kind::kBuildError};
        row.solution.findings = errors_in(built.errors, "solutions/" + row.ex->name + "/");
      } else {
        tests.push_back({row.ex, TestRun{output_path(built, tree, row.ex->solution_target()), {}}});
        owners.push_back({i, true});
      }
    }
    for (size_t m = 0; m < wrong.mutants.size(); ++m) {
      const Mutant& mutant = wrong.mutants[m];
      if (!wrong.evidence[m].violations.empty()) continue;
      if (!built.built[mutant.target()]) {
        wrong.evidence[m].built = false;
        wrong.evidence[m].build_errors = errors_in(built.errors, "exercises/" + mutant.exercise->name + "/mutants/");
        continue;
      }
      std::string program = output_path(built, tree, mutant.target());
      wrong.evidence[m].violations = refusals(check_test_program(program));
      if (wrong.evidence[m].violations.empty()) run_mutants.push_back({m, program});
    }
  } else {
    for (size_t i = 0; i < rows.size(); ++i) {
      const Exercise* ex = rows[i].ex;
      for (bool solution : {false, true}) {
        std::string binary = options.prebuilt + "/" + (solution ? "solutions/" : "exercises/") + ex->name + "/test";
        if (!fs::exists(binary)) {
          Side& side = solution ? rows[i].solution : rows[i].broken;
          side.built = false;
          side.runs = options.runs;
          side.kinds = {Kind::kBuildError};
          continue;
        }
        tests.push_back({ex, TestRun{binary, {}}});
        owners.push_back({i, solution});
      }
    }
    for (size_t m = 0; m < wrong.mutants.size(); ++m) {
      const Mutant& mutant = wrong.mutants[m];
      if (!wrong.evidence[m].violations.empty()) continue;
      std::string binary = options.prebuilt + "/exercises/" + mutant.exercise->name + "/" + mutant.binary_name();
      if (!fs::exists(binary)) {
        wrong.evidence[m].built = false;
        continue;
      }
      // The manifest's paths are those of these runfiles.
      wrong.evidence[m].violations = refusals(check_test_program(binary, options.prebuilt));
      if (wrong.evidence[m].violations.empty()) run_mutants.push_back({m, binary});
    }
  }
  // The mutants run with the rest, after them in the list.
  const size_t first_mutant_test = tests.size();
  for (const auto& [m, binary] : run_mutants) tests.push_back({wrong.mutants[m].exercise, TestRun{binary, {}}});

  if (std::string w = report::symbolizer_preflight(); !w.empty()) std::cout << ui.yellow("warning: " + w) << "\n";
  std::cout << "Running " << tests.size() << " test programs";
  if (!run_mutants.empty()) std::cout << " (" << run_mutants.size() << " of them wrong fixes)";
  std::cout << " " << options.runs << (options.runs == 1 ? " time" : " times") << " each...\n" << std::flush;
  auto results = run_many(tests, options.runs, options.jobs);
  for (size_t t = first_mutant_test; t < tests.size(); ++t) {
    wrong.evidence[run_mutants[t - first_mutant_test].first].runs = std::move(results[t]);
  }
  for (size_t t = 0; t < first_mutant_test; ++t) {
    auto [index, solution] = owners[t];
    Row& row = rows[index];
    Side& side = solution ? row.solution : row.broken;
    side.binary = tests[t].second.binary;
    std::vector<report::Finding> all;
    for (const RunVerdict& v : results[t]) {
      ++side.runs;
      side.seconds += static_cast<double>(v.run.elapsed.count()) / 1000.0;
      if (solution) {
        side.good += v.clean ? 1 : 0;
      } else {
        side.good += has_kind(v.findings, row.ex->expect) ? 1 : 0;
      }
      add_kinds(side, v.findings);
      all.insert(all.end(), v.findings.begin(), v.findings.end());
    }
    side.findings = report::merge_findings(std::move(all));
  }
  // The sanitizer's cost: each solution once more without one.
  auto plain = run_many(plain_tests, 1, options.jobs);
  for (size_t t = 0; t < plain_tests.size(); ++t) {
    if (plain[t][0].clean) rows[plain_owners[t]].plain_seconds = plain[t][0].run.elapsed.count() / 1000.0;
  }
  // Under the controlled scheduler: every program the audit ran, explored
  // with the same plan (a wrong fix's verdict may come from it).
  ExplorePlan plan;
  plan.budget = options.explore;
  if (options.explore > 0) {
    std::vector<ProgramToExplore> programs;
    std::vector<Side*> sides;
    for (Row& row : rows) {
      for (Side* side : {&row.broken, &row.solution}) {
        if (side->binary.empty()) continue;
        programs.push_back({row.ex, side->binary});
        sides.push_back(side);
      }
    }
    const size_t first_mutant_program = programs.size();
    for (const auto& [m, binary] : run_mutants) programs.push_back({wrong.mutants[m].exercise, binary});
    std::cout << "Exploring " << programs.size() << " test programs under the controlled scheduler (" << spec_text(plan)
              << ")...\n"
              << std::flush;
    auto explored = explore_programs(programs, plan, options.jobs);
    for (size_t i = 0; i < sides.size(); ++i) sides[i]->explored = std::move(explored[i]);
    for (size_t i = first_mutant_program; i < programs.size(); ++i) {
      const ProgramExploration& e = explored[i];
      wrong.evidence[run_mutants[i - first_mutant_program].first].explored_rejects = exploration_rejects(e, plan);
    }
  }
  for (size_t m = 0; m < wrong.mutants.size(); ++m) {
    rows[wrong.row[m]].mutants.push_back(judge_mutant(wrong.mutants[m], wrong.evidence[m]));
  }
  double total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // The table.
  bool all_detected = true, all_clean = true, all_rejected = true, all_survive = true;
  MutantTally mutants_total;
  std::printf("\n%-28s %-5s %-22s %-10s %-10s %-7s %-14s %-22s %-12s %s\n", "exercise", "san", "expected",
              "detected", "sol. clean", "cost", "wrong fixes", "explored: broken", "solution", "broken shows");
  auto pad = [](const std::string& s, size_t width) { return std::string(width - std::min(s.size(), width - 1), ' '); };
  for (const Row& row : rows) {
    bool detected = row.broken.good == row.broken.runs && row.broken.runs > 0;
    bool clean = row.solution.good == row.solution.runs && row.solution.runs > 0;
    all_detected = all_detected && detected;
    all_clean = all_clean && clean;
    bool rejected = options.explore == 0 || exploration_rejects(row.broken.explored, plan);
    bool survives = options.explore == 0 || exploration_survives(row.solution.explored, plan);
    all_rejected = all_rejected && rejected;
    all_survive = all_survive && survives;
    std::string broken_cell = exploration_cell(row.broken.explored);
    std::string solution_cell = exploration_cell(row.solution.explored);
    std::string shows;
    for (Kind k : row.broken.kinds) shows += (shows.empty() ? "" : ", ") + std::string(report::kind_name(k));
    std::string det = fraction(row.broken.good, row.broken.runs);
    std::string cln = fraction(row.solution.good, row.solution.runs);
    char line[512];
    std::snprintf(line, sizeof(line), "%-28s %-5s %-22s ", row.ex->name.c_str(), row.ex->sanitizer.c_str(),
                  std::string(report::kind_name(row.ex->expect)).c_str());
    char cost[16] = "-";
    if (row.plain_seconds > 0 && row.solution.runs > 0) {
      std::snprintf(cost, sizeof(cost), "%.1fx", (row.solution.seconds / row.solution.runs) / row.plain_seconds);
    }
    MutantTally t = tally(row.mutants);
    mutants_total.total += t.total;
    mutants_total.rejected += t.rejected;
    mutants_total.pending += t.pending;
    mutants_total.failed += t.failed;
    std::string fixes = tally_text(t);
    std::string fixes_cell = t.failed > 0 ? ui.red(fixes) : t.pending > 0 ? ui.yellow(fixes) : ui.green(fixes);
    std::cout << line << (detected ? ui.green(det) : ui.red(det)) << std::string(11 - std::min<size_t>(det.size(), 10), ' ')
              << (clean ? ui.green(cln) : ui.red(cln)) << std::string(11 - std::min<size_t>(cln.size(), 10), ' ')
              << cost << std::string(8 - std::min<size_t>(std::strlen(cost), 7), ' ') << fixes_cell
              << std::string(15 - std::min<size_t>(fixes.size(), 14), ' ')
              << (rejected ? ui.green(broken_cell) : ui.red(broken_cell)) << pad(broken_cell, 23)
              << (survives ? ui.green(solution_cell) : ui.red(solution_cell)) << pad(solution_cell, 13) << shows
              << "\n";
  }
  // Details of every failure, so the instructor sees why.
  for (const Row& row : rows) {
    bool detected = row.broken.good == row.broken.runs && row.broken.runs > 0;
    bool clean = row.solution.good == row.solution.runs && row.solution.runs > 0;
    if (!detected) {
      std::cout << "\n" << ui.red(row.ex->name + ": the broken version did not always show " +
                                  std::string(report::kind_name(row.ex->expect)))
                << "\n";
      for (const auto& f : row.broken.findings) std::cout << report::render(f, false);
      if (row.broken.findings.empty()) std::cout << "  (it passed its tests cleanly)\n";
    }
    if (!clean) {
      std::cout << "\n" << ui.red(row.ex->name + ": the solution was not clean") << "\n";
      for (const auto& f : row.solution.findings) std::cout << report::render(f, false);
    }
    const ProgramExploration& b = row.broken.explored;
    if (options.explore > 0 && b.ran && !exploration_rejects(b, plan)) {
      std::cout << "\n"
                << ui.red(row.ex->name +
                          (!b.failed     ? ": no explored schedule of the broken version fails"
                           : !b.replayed ? ": the broken version's failing schedule " + b.schedule +
                                               " did not fail the same way when replayed"
                                         : ": the replay of the broken version's failing schedule " + b.schedule +
                                               " does not show where it fails (no step of its log is marked)"))
                << "\n";
    }
    const ProgramExploration& s = row.solution.explored;
    if (options.explore > 0 && s.ran && !exploration_survives(s, plan)) {
      std::cout << "\n"
                << ui.red(row.ex->name + (s.schedule.empty()
                                              ? std::string(": the solution's exploration run failed")
                                              : ": the solution fails under schedule " + s.schedule +
                                                    " (RACELINGS_SCHEDULE=" + s.schedule + " replays it)"))
                << "\n";
      for (const auto& f : s.findings) std::cout << report::render(f, false);
    }
    for (const MutantResult& m : row.mutants) {
      if (status_ok(m.status)) continue;
      std::cout << "\n" << ui.red(m.mutant.label() + ": wrong fix " + std::string(status_name(m.status))) << ": "
                << m.why << "\n  (" << m.mutant.mistake << ")\n";
      for (const auto& f : m.findings) std::cout << report::render(f, false);
    }
  }
  for (const std::string& error : wrong.errors) std::cout << "\n" << ui.red("racelings: " + error) << "\n";
  if (mutants_total.pending > 0) {
    std::cout << "\n" << ui.yellow("Pending exploration") << " (wrong fixes only a controlled schedule can reject):\n";
    for (const Row& row : rows) {
      for (const MutantResult& m : row.mutants) {
        if (m.status == MutantStatus::kPendingExploration) {
          std::cout << "  " << m.mutant.label() << ": " << m.mutant.mistake << " ("
                    << m.rejected_runs << "/" << m.runs << " runs rejected it)\n";
        }
      }
    }
  }
  const bool mutants_ok = mutants_total.failed == 0 && wrong.errors.empty();
  std::printf("\n%zu exercises, %d run(s) each, %.0f s (cost: a solution's run time under its sanitizer over "
              "one run without): ",
              rows.size(), options.runs, total_seconds);
  std::cout << (all_detected ? ui.green("every broken exercise detected") : ui.red("some broken exercises missed"))
            << ", " << (all_clean ? ui.green("every solution clean") : ui.red("some solutions not clean"));
  if (options.explore > 0) {
    std::cout << "; explored (" << options.explore << " schedules): "
              << (all_rejected ? ui.green("every broken exercise fails, with a schedule that replays and shows it")
                               : ui.red("some broken exercises survive exploration"))
              << ", "
              << (all_survive ? ui.green("every solution survives") : ui.red("some solutions fail a schedule"));
  }
  if (mutants_total.total > 0 || !wrong.errors.empty()) {
    std::string text = std::to_string(mutants_total.rejected) + " of " + std::to_string(mutants_total.total) +
                       " wrong fixes rejected";
    if (mutants_total.pending > 0) text += ", " + std::to_string(mutants_total.pending) + " pending exploration";
    if (mutants_total.failed > 0) text += ", " + std::to_string(mutants_total.failed) + " not rejected as they should be";
    if (!wrong.errors.empty()) text += ", " + std::to_string(wrong.errors.size()) + " unreadable";
    double mutant_seconds = 0;
    for (const Row& row : rows) {
      for (const MutantResult& m : row.mutants) mutant_seconds += m.seconds;
    }
    char spent[64];
    std::snprintf(spent, sizeof(spent), " (their runs: %.0f s of run time)", mutant_seconds);
    text += spent;
    std::cout << ", " << (mutants_ok ? (mutants_total.pending > 0 ? ui.yellow(text) : ui.green(text)) : ui.red(text));
  }
  std::cout << "\n";
  if (pristine_used) std::cout << ui.dim("(audited the pristine tree from git HEAD, in " + tree + ")") << "\n";

  nlohmann::json doc;
  doc["exercises"] = nlohmann::json::array();
  for (const Row& row : rows) {
    nlohmann::json e;
    e["name"] = row.ex->name;
    e["chapter"] = row.ex->chapter;
    e["sanitizer"] = row.ex->sanitizer;
    e["expect"] = std::string(report::kind_name(row.ex->expect));
    e["broken"] = {{"runs", row.broken.runs},
                   {"detected", row.broken.good},
                   {"kinds", kinds_json(row.broken.kinds)},
                   {"seconds", row.broken.seconds},
                   {"explored", exploration_json(row.broken.explored)}};
    e["solution"] = {{"runs", row.solution.runs},
                     {"clean", row.solution.good},
                     {"kinds", kinds_json(row.solution.kinds)},
                     {"seconds", row.solution.seconds},
                     {"explored", exploration_json(row.solution.explored)}};
    // Mean instrumented run time over one plain run; null when not measured.
    if (row.plain_seconds > 0 && row.solution.runs > 0) {
      e["slowdown"] = (row.solution.seconds / row.solution.runs) / row.plain_seconds;
      e["plain_seconds"] = row.plain_seconds;
    } else {
      e["slowdown"] = nullptr;
    }
    e["mutants"] = nlohmann::json::array();
    for (const MutantResult& m : row.mutants) e["mutants"].push_back(mutant_json(m));
    doc["exercises"].push_back(e);
  }
  doc["summary"] = {{"exercises", rows.size()},
                    {"runs", options.runs},
                    {"all_detected", all_detected},
                    {"all_clean", all_clean},
                    {"explore_budget", options.explore},
                    {"all_broken_fail_explored", all_rejected},
                    {"all_solutions_survive_explored", all_survive},
                    {"mutants", mutants_total.total},
                    {"mutants_rejected", mutants_total.rejected},
                    {"mutants_pending_exploration", mutants_total.pending},
                    {"mutants_failed", mutants_total.failed},
                    {"mutants_ok", mutants_ok},  // none failed; pending ones allowed until exploration exists
                    {"seconds", total_seconds}};
  if (!wrong.errors.empty()) doc["mutant_errors"] = wrong.errors;
  if (!options.json_path.empty()) {
    if (!write_file_atomically(options.json_path, doc.dump(2) + "\n")) {
      std::cerr << "racelings: could not write " << options.json_path << "\n";
      return kExitInternal;
    }
    std::cout << "JSON: " << options.json_path << "\n";
  }
  if (!options.html_path.empty()) {
    if (!write_file_atomically(options.html_path, audit_html(doc))) {
      std::cerr << "racelings: could not write " << options.html_path << "\n";
      return kExitInternal;
    }
    std::cout << "HTML: " << options.html_path << "\n";
  }
  return all_detected && all_clean && mutants_ok && all_rejected && all_survive ? kExitOk : kExitNotPassing;
}

}  // namespace racelings::checker
