// checker/audit_explore.h
// -----------------------------------------------------------------------------
//
// The audit's exploration pass: each program (a broken exercise, a solution,
// any other version of an exercise the audit runs) is explored under the
// controlled scheduler with the same plan; a failing schedule is then
// replayed once to prove that its id reproduces the failure, and that the
// replay's timeline shows where it went wrong. Generic over
// programs: the caller says which ones, and what it expects of each.

#ifndef RACELINGS_CHECKER_AUDIT_EXPLORE_H_
#define RACELINGS_CHECKER_AUDIT_EXPLORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/catalog.h"
#include "checker/explore.h"
#include "checker/report/finding.h"

namespace racelings::checker {

struct ProgramToExplore {
  const Exercise* exercise = nullptr;
  std::string binary;
};

struct ProgramExploration {
  bool ran = false;
  bool failed = false;      // some schedule failed
  uint64_t schedules = 0;   // schedules run, the failing one included
  double seconds = 0;       // to the failure (or the whole budget)
  std::string schedule;     // the failing schedule's id
  std::string found_by;     // the strategy that found it
  bool replayed = false;    // replaying the id failed again, with the same kind of finding
  bool shown = false;       // and its step log's timeline marks where (racelings replay shows it)
  bool logged_hid = false;  // only a replay without the step log failed (see replay_verdict())
  bool on_record = false;   // the same exploration on record, not run again (explore_cache.h)
  std::vector<report::Finding> findings;
};

// explore_programs(): results[i] is programs[i]'s, `jobs` programs at a time.
std::vector<ProgramExploration> explore_programs(const std::vector<ProgramToExplore>& programs, const ExplorePlan& plan,
                                                 int jobs);

nlohmann::json exploration_json(const ProgramExploration& e);

// exploration_cell(): the audit table's cell: "fails at 3 (0.8 s)",
// "1000 pass", "-" when not explored.
std::string exploration_cell(const ProgramExploration& e);

// Whether the exploration did what the audit needs: a broken version fails
// within the budget with an id that replays, and whose replay shows the
// failure; a solution survives every schedule of the budget.
bool exploration_rejects(const ProgramExploration& e, const ExplorePlan& plan);
bool exploration_survives(const ProgramExploration& e, const ExplorePlan& plan);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_AUDIT_EXPLORE_H_
