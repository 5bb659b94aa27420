// checker/integrity/preprocessed_scan.h
// -----------------------------------------------------------------------------
//
// The second layer of the integrity check: the source rules again, on the
// student's file as the preprocessor expanded it (`clang -E`, made by
// tools/integrity.bzl with the build's own flags). A name assembled from
// pieces (`__tsan_##default_options`), an attribute hidden in a macro, or a
// `_Pragma` written by one is spelled out there. The output's line markers
// (`# 12 "exercises/16_stop_flag/exercise.cc"`) say which file and line each
// expanded line comes from, so a reason still quotes the student's line.
//
// The line markers also list every file the submission pulled in: only the
// project's headers (primitives/...) and the system's (/usr/...) may appear.

#ifndef RACELINGS_CHECKER_INTEGRITY_PREPROCESSED_SCAN_H_
#define RACELINGS_CHECKER_INTEGRITY_PREPROCESSED_SCAN_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checker/integrity/source_scan.h"

namespace racelings::checker {

struct PreprocessedSource {
  // The expanded lines of the main file, by its own line numbers (1-based;
  // a line that expanded to several output lines has them joined).
  std::map<int, std::string> main_lines;
  // Every file named in a line marker, as written there, in order of first
  // appearance, with the main file's line that was current then (the
  // #include that pulled it in, for a file the main file includes).
  std::vector<std::pair<std::string, int>> files;
};

// parse_preprocessed(): `text` is `clang -E` output for `main_file` (the
// path as the compiler was given it).
PreprocessedSource parse_preprocessed(std::string_view text, const std::string& main_file);

// scan_preprocessed(): the source rules over the main file's expanded
// lines (merge_violations() in integrity.h keeps those the source scan
// already found once), and the files included from outside the project's
// and the system's headers. `reference` is as for scan_submission().
std::vector<Violation> scan_preprocessed(std::string_view preprocessed, const std::string& main_file,
                                         std::string_view reference);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_PREPROCESSED_SCAN_H_
