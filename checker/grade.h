// checker/grade.h
// -----------------------------------------------------------------------------
//
// Grading a class: each student's submission (a folder or an archive holding
// their exercises/NN_topic/exercise.cc files, or a whole copy of the tree) is
// laid over a pristine copy of racelings. Only exercise.cc files are taken
// from the student; tests, BUILD files, the catalog, the primitives and the
// checker always come from the pristine tree. Each exercise is built under
// its sanitizer and run N times: it passes only when it builds, breaks no
// integrity rule (integrity.h), its tests pass, no run shows a finding, and
// no schedule of a fixed exploration under the controlled scheduler fails
// (explore.h).
//
// Outputs, under OUT:
//   <student>/results.json      Gradescope's format (score, tests[], output...)
//   <student>/exercises/*.json  one result per exercise, written atomically
//   class.csv                   student x exercise
//   report.html                 the class matrix as a heat map, pass rates,
//                               the most common findings; one self-contained page
//
// Crash safety: every result file is written atomically and carries a key
// (a hash of what was graded and how); a grading run that was killed resumes
// where it stopped, reusing every result whose key still matches, and a
// rerun gives the same scores. A lock file keeps two runs on one OUT apart.

#ifndef RACELINGS_CHECKER_GRADE_H_
#define RACELINGS_CHECKER_GRADE_H_

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "checker/commands.h"

namespace racelings::checker {

struct GradeOptions {
  std::string submissions;   // directory of submissions
  std::string out;           // output directory
  int runs = 3;              // runs of each exercise
  // Schedules explored under the controlled scheduler after clean runs (0: none).
  uint64_t explore = 100;
  int jobs = 0;              // test programs run at once (0: one per core)
  // The tree as handed out: a git ref of this checkout, or a directory
  // (an autograder's own read-only copy of racelings).
  std::string pristine_ref = "HEAD";
  std::string only_student;  // grade just this one (by name)
};

int cmd_grade(Context& ctx, const GradeOptions& options);

// The class report page from the per-student results (exposed for tests).
std::string class_report_html(const nlohmann::json& cls);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_GRADE_H_
