// What the audit prints and writes: the table, the details of every failure,
// the summary line and the JSON document (audit.cc fills in the state).

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "checker/audit_internal.h"
#include "checker/report/explain.h"

namespace racelings::checker::audit {
namespace {

using report::Kind;

bool detected(const Row& row) { return row.broken.good == row.broken.runs && row.broken.runs > 0; }
bool clean(const Row& row) { return row.solution.good == row.solution.runs && row.solution.runs > 0; }

bool broken_rejected(const Audit& a, const Row& row) {
  return a.options.explore == 0 || exploration_rejects(row.broken.explored, a.plan);
}
bool solution_survives(const Audit& a, const Row& row) {
  return a.options.explore == 0 || exploration_survives(row.solution.explored, a.plan);
}

std::string fraction(int good, int runs) { return std::to_string(good) + "/" + std::to_string(runs); }

nlohmann::json kinds_json(const std::vector<Kind>& kinds) {
  nlohmann::json out = nlohmann::json::array();
  for (Kind k : kinds) out.push_back(std::string(report::kind_name(k)));
  return out;
}

// `text` and the spaces that fill its column of `width`.
std::string cell(const std::string& shown, const std::string& text, size_t width) {
  return shown + std::string(width - std::min(text.size(), width - 1), ' ');
}

std::string cost_text(const Row& row) {
  char cost[16] = "-";
  if (row.plain_seconds > 0 && row.solution.runs > 0) {
    std::snprintf(cost, sizeof(cost), "%.1fx", (row.solution.seconds / row.solution.runs) / row.plain_seconds);
  }
  return cost;
}

void print_row(const Audit& a, const Row& row, const Ui& ui) {
  std::string det = fraction(row.broken.good, row.broken.runs);
  std::string cln = fraction(row.solution.good, row.solution.runs);
  MutantTally t = tally(row.mutants);
  std::string fixes = tally_text(t);
  std::string fixes_shown = t.failed > 0 ? ui.red(fixes) : t.pending > 0 ? ui.yellow(fixes) : ui.green(fixes);
  std::string broken_cell = exploration_cell(row.broken.explored);
  std::string solution_cell = exploration_cell(row.solution.explored);
  std::string shows;
  for (Kind k : row.broken.kinds) shows += (shows.empty() ? "" : ", ") + std::string(report::kind_name(k));
  char head[160];
  std::snprintf(head, sizeof(head), "%-28s %-5s %-22s ", row.ex->name.c_str(), row.ex->sanitizer.c_str(),
                std::string(report::kind_name(row.ex->expect)).c_str());
  auto colored = [&](bool good, const std::string& s) { return good ? ui.green(s) : ui.red(s); };
  std::cout << head << cell(colored(detected(row), det), det, 11) << cell(colored(clean(row), cln), cln, 11)
            << cell(cost_text(row), cost_text(row), 8) << cell(fixes_shown, fixes, 15)
            << cell(colored(broken_rejected(a, row), broken_cell), broken_cell, 23)
            << cell(colored(solution_survives(a, row), solution_cell), solution_cell, 13) << shows << "\n";
}

void print_exploration_failures(const Audit& a, const Row& row, const Ui& ui) {
  if (a.options.explore == 0) return;
  const ProgramExploration& b = row.broken.explored;
  if (b.ran && !exploration_rejects(b, a.plan)) {
    std::string why = !b.failed     ? ": no explored schedule of the broken version fails"
                      : !b.replayed ? ": the broken version's failing schedule " + b.schedule +
                                          " did not fail the same way when replayed"
                                    : ": the replay of the broken version's failing schedule " + b.schedule +
                                          " does not show where it fails (no step of its log is marked)";
    std::cout << "\n" << ui.red(row.ex->name + why) << "\n";
  }
  const ProgramExploration& s = row.solution.explored;
  if (s.ran && !exploration_survives(s, a.plan)) {
    std::string why = s.schedule.empty() ? std::string(": the solution's exploration run failed")
                                         : ": the solution fails under schedule " + s.schedule +
                                               " (RACELINGS_SCHEDULE=" + s.schedule + " replays it)";
    std::cout << "\n" << ui.red(row.ex->name + why) << "\n";
    for (const auto& f : s.findings) std::cout << report::render(f, false);
  }
}

void print_pending(const Audit& a, const Ui& ui) {
  std::cout << "\n" << ui.yellow("Pending exploration") << " (wrong fixes only a controlled schedule can reject):\n";
  for (const Row& row : a.rows) {
    for (const MutantResult& m : row.mutants) {
      if (m.status != MutantStatus::kPendingExploration) continue;
      std::cout << "  " << m.mutant.label() << ": " << m.mutant.mistake << " (" << m.rejected_runs << "/" << m.runs
                << " runs rejected it)\n";
    }
  }
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.0f s", s);
  return buf;
}

std::string mutants_text(const Audit& a, const Outcome& o) {
  std::string text = std::to_string(o.mutants.rejected) + " of " + std::to_string(o.mutants.total) +
                     " wrong fixes rejected";
  if (o.mutants.pending > 0) text += ", " + std::to_string(o.mutants.pending) + " pending exploration";
  if (o.mutants.failed > 0) text += ", " + std::to_string(o.mutants.failed) + " not rejected as they should be";
  if (!a.wrong.errors.empty()) text += ", " + std::to_string(a.wrong.errors.size()) + " unreadable";
  double mutant_seconds = 0;
  for (const Row& row : a.rows) {
    for (const MutantResult& m : row.mutants) mutant_seconds += m.seconds;
  }
  return text + " (their runs: " + seconds_text(mutant_seconds) + " of run time)";
}

}  // namespace

Outcome judge_rows(const Audit& a) {
  Outcome o;
  for (const Row& row : a.rows) {
    o.all_detected = o.all_detected && detected(row);
    o.all_clean = o.all_clean && clean(row);
    o.all_rejected = o.all_rejected && broken_rejected(a, row);
    o.all_survive = o.all_survive && solution_survives(a, row);
    MutantTally t = tally(row.mutants);
    o.mutants.total += t.total;
    o.mutants.rejected += t.rejected;
    o.mutants.pending += t.pending;
    o.mutants.failed += t.failed;
  }
  o.mutants_ok = o.mutants.failed == 0 && a.wrong.errors.empty();
  return o;
}

void print_table(const Audit& a, const Ui& ui) {
  std::printf("\n%-28s %-5s %-22s %-10s %-10s %-7s %-14s %-22s %-12s %s\n", "exercise", "san", "expected", "detected",
              "sol. clean", "cost", "wrong fixes", "explored: broken", "solution", "broken shows");
  std::fflush(stdout);
  for (const Row& row : a.rows) print_row(a, row, ui);
}

void print_failures(const Audit& a, const Ui& ui) {
  for (const Row& row : a.rows) {
    if (!detected(row)) {
      std::cout << "\n"
                << ui.red(row.ex->name + ": the broken version did not always show " +
                          std::string(report::kind_name(row.ex->expect)))
                << "\n";
      for (const auto& f : row.broken.findings) std::cout << report::render(f, false);
      if (row.broken.findings.empty()) std::cout << "  (it passed its tests cleanly)\n";
    }
    if (!clean(row)) {
      std::cout << "\n" << ui.red(row.ex->name + ": the solution was not clean") << "\n";
      for (const auto& f : row.solution.findings) std::cout << report::render(f, false);
    }
    print_exploration_failures(a, row, ui);
    for (const MutantResult& m : row.mutants) {
      if (status_ok(m.status)) continue;
      std::cout << "\n"
                << ui.red(m.mutant.label() + ": wrong fix " + std::string(status_name(m.status))) << ": " << m.why
                << "\n  (" << m.mutant.mistake << ")\n";
      for (const auto& f : m.findings) std::cout << report::render(f, false);
    }
  }
  for (const std::string& error : a.wrong.errors) std::cout << "\n" << ui.red("racelings: " + error) << "\n";
  bool pending = false;
  for (const Row& row : a.rows) {
    for (const MutantResult& m : row.mutants) pending = pending || m.status == MutantStatus::kPendingExploration;
  }
  if (pending) print_pending(a, ui);
}

void print_summary(const Audit& a, const Outcome& o, const Ui& ui) {
  std::cout << "\n"
            << a.rows.size() << " exercises, " << a.options.runs << " run(s) each, " << seconds_text(a.phases.total)
            << " (cost: a solution's run time under its sanitizer over one run without): "
            << (o.all_detected ? ui.green("every broken exercise detected") : ui.red("some broken exercises missed"))
            << ", " << (o.all_clean ? ui.green("every solution clean") : ui.red("some solutions not clean"));
  if (a.options.explore > 0) {
    std::cout << "; explored (" << a.options.explore << " schedules): "
              << (o.all_rejected ? ui.green("every broken exercise fails, with a schedule that replays and shows it")
                                 : ui.red("some broken exercises survive exploration"))
              << ", "
              << (o.all_survive ? ui.green("every solution survives") : ui.red("some solutions fail a schedule"));
  }
  if (o.mutants.total > 0 || !a.wrong.errors.empty()) {
    std::string text = mutants_text(a, o);
    std::cout << ", " << (o.mutants_ok ? (o.mutants.pending > 0 ? ui.yellow(text) : ui.green(text)) : ui.red(text));
  }
  std::cout << "\n";
  const Phases& p = a.phases;
  std::string time = "Time: build " + seconds_text(p.build) + ", runs " + seconds_text(p.runs) +
                     ", runs without a sanitizer " + seconds_text(p.plain);
  if (a.options.explore > 0) {
    time += ", exploration " + seconds_text(p.explore);
    if (p.on_record > 0) {
      time += " (" + std::to_string(p.on_record) + " of " + std::to_string(p.explored) +
              " programs were explored before, unchanged, and their outcome was taken from the record; --no-cache "
              "explores them again)";
    }
  }
  std::cout << ui.dim(time + ".") << "\n";
}

nlohmann::json audit_json(const Audit& a, const Outcome& o) {
  nlohmann::json doc;
  doc["exercises"] = nlohmann::json::array();
  for (const Row& row : a.rows) {
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
  const Phases& p = a.phases;
  doc["summary"] = {{"exercises", a.rows.size()},
                    {"runs", a.options.runs},
                    {"all_detected", o.all_detected},
                    {"all_clean", o.all_clean},
                    {"explore_budget", a.options.explore},
                    {"all_broken_fail_explored", o.all_rejected},
                    {"all_solutions_survive_explored", o.all_survive},
                    {"mutants", o.mutants.total},
                    {"mutants_rejected", o.mutants.rejected},
                    {"mutants_pending_exploration", o.mutants.pending},
                    {"mutants_failed", o.mutants.failed},
                    {"mutants_ok", o.mutants_ok},
                    {"seconds", p.total},
                    {"phases",
                     {{"build", p.build},
                      {"runs", p.runs},
                      {"plain", p.plain},
                      {"explore", p.explore},
                      {"explored", p.explored},
                      {"on_record", p.on_record}}}};
  if (!a.wrong.errors.empty()) doc["mutant_errors"] = a.wrong.errors;
  return doc;
}

}  // namespace racelings::checker::audit
