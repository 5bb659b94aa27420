// checker/grade_pages.h
// -----------------------------------------------------------------------------
//
// In grading, each failing exercise whose failure the controlled scheduler
// can show gets the timeline of a failing schedule: as a page beside the
// student's results (<student>/replay/<exercise>.html, linked from the class
// report) and as text appended to the result's output (Gradescope shows it).
// The schedule is the exploration pass's when that is what failed; for runs
// that failed under the operating system's scheduler, one found now by the
// same plan (not shrunk: it is only shown, never graded). A run that timed
// out gets no page: its hang is one the deadlock detector could not prove (a
// spin, a lock outside the primitives), so every schedule would hang too,
// each waiting out the watchdog, and a hang is never shrunk into a timeline.

#ifndef RACELINGS_CHECKER_GRADE_PAGES_H_
#define RACELINGS_CHECKER_GRADE_PAGES_H_

#include <map>
#include <string>
#include <vector>

#include "checker/catalog.h"
#include "checker/explore.h"
#include "checker/judge.h"

namespace racelings::checker {

struct FailedExercise {
  const Exercise* exercise = nullptr;
  std::string binary;
  const RunVerdict* exploration = nullptr;  // the exploration pass's failing verdict, if that failed
  bool timed_out = false;                   // a run under the operating system's scheduler timed out
};

struct SchedulePage {
  std::string page;      // relative to the student's folder: "replay/08_check_then_act.html"
  std::string timeline;  // the timeline as plain text
};

// schedule_pages(): the pages of `failed`, written under `student_dir`,
// quoting the sources of `tree`, by exercise name; an exercise no schedule
// shows failing gets none.
std::map<std::string, SchedulePage> schedule_pages(const std::vector<FailedExercise>& failed, const ExplorePlan& plan,
                                                   int jobs, const std::string& tree, const std::string& student_dir);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_GRADE_PAGES_H_
