// checker/grade_class.h
// -----------------------------------------------------------------------------
//
// Grading's class-wide outputs (class.json, class.csv, report.html under the
// output folder), made from every student's result files: also those graded
// by an earlier run, so that a resumed or partial run still reports the class.

#ifndef RACELINGS_CHECKER_GRADE_CLASS_H_
#define RACELINGS_CHECKER_GRADE_CLASS_H_

#include <string>
#include <vector>

#include "checker/catalog.h"

namespace racelings::checker {

// write_class_outputs(): the class files under `out`, for the students whose
// folders are `out`/<student>; false when one could not be written.
bool write_class_outputs(const std::string& out, const std::vector<std::string>& students, const Catalog& catalog);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_GRADE_CLASS_H_
