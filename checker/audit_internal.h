// checker/audit_internal.h
// -----------------------------------------------------------------------------
//
// The audit's state as its steps fill it in (audit.cc), and the views of it
// that are printed and written (audit_report.cc). Only for those two files.

#ifndef RACELINGS_CHECKER_AUDIT_INTERNAL_H_
#define RACELINGS_CHECKER_AUDIT_INTERNAL_H_

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/audit_explore.h"
#include "checker/catalog.h"
#include "checker/commands.h"
#include "checker/explore.h"
#include "checker/mutants.h"
#include "checker/report/finding.h"
#include "checker/runner.h"
#include "checker/ui.h"

namespace racelings::checker::audit {

struct Side {
  bool built = true;
  int runs = 0;
  int good = 0;  // detected (broken) or clean (solution)
  std::vector<report::Kind> kinds;
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

// Wall-clock seconds of each step, for the summary.
struct Phases {
  double build = 0, runs = 0, plain = 0, explore = 0, total = 0;
  size_t explored = 0, on_record = 0;  // programs explored; of them, explorations taken from the record
};

// What the audit found, over all rows.
struct Outcome {
  bool all_detected = true, all_clean = true, all_rejected = true, all_survive = true;
  MutantTally mutants;
  bool mutants_ok = true;
  bool ok() const { return all_detected && all_clean && mutants_ok && all_rejected && all_survive; }
};

struct Audit {
  AuditOptions options;
  ExplorePlan plan;
  std::vector<Row> rows;
  MutantRuns wrong;
  Phases phases;
};

Outcome judge_rows(const Audit& audit);
void print_table(const Audit& audit, const Ui& ui);
void print_failures(const Audit& audit, const Ui& ui);
void print_summary(const Audit& audit, const Outcome& outcome, const Ui& ui);
nlohmann::json audit_json(const Audit& audit, const Outcome& outcome);

}  // namespace racelings::checker::audit

#endif  // RACELINGS_CHECKER_AUDIT_INTERNAL_H_
