// checker/integrity/integrity.h
// -----------------------------------------------------------------------------
//
// The integrity check of one student file, every layer at once (README.md in
// this folder): its text, its preprocessed text, its LLVM IR and its object.
// The build writes what to check beside each test program that runs student
// code, as `<test>.integrity` (tools/sanitizers.bzl); `racelings check` and
// `grade` and the test itself under plain `bazel test` (test_runner.cc) all
// read that file and call check_integrity(), so they give the same verdict.

#ifndef RACELINGS_CHECKER_INTEGRITY_INTEGRITY_H_
#define RACELINGS_CHECKER_INTEGRITY_INTEGRITY_H_

#include <string>
#include <string_view>
#include <vector>

#include "checker/integrity/source_scan.h"

namespace racelings::checker {

// `<test>.integrity`: one `key=value` a line, paths relative to the test's
// runfiles directory (absolute for system files).
struct IntegrityManifest {
  std::string sanitizer;     // "tsan", "asan", ...
  std::string source;        // the student's file, as the compiler was given it
  std::string reference;     // what the source rules allow besides (the solution); may be empty
  std::string preprocessed;  // `clang -E` output
  std::string ir;            // LLVM IR before any pass
  std::string object;        // the object linked into the test
  std::vector<std::string> runtime_symbols;  // the sanitizer runtime's `.syms` lists
};

// read_integrity_manifest(): false with `error` set when the file is missing
// or lacks a field.
bool read_integrity_manifest(const std::string& path, IntegrityManifest& out, std::string& error);

// The runfiles directory of a test program, where its manifest's paths are.
std::string runfiles_root(const std::string& program);

struct IntegrityReport {
  std::vector<Violation> violations;  // by line (those without one last)
  std::string error;                  // not empty: the check itself could not be done
  std::string source_text;            // the student's file, to quote from
  std::string source_file;            // its path, as the compiler was given it
  bool ok() const { return error.empty() && violations.empty(); }
};

// check_integrity(): every layer over the files of `manifest`, found under
// `root`. A rule broken in several layers is reported by the first.
IntegrityReport check_integrity(const IntegrityManifest& manifest, const std::string& root);

// check_test_program(): the same for a built test program, from the
// `<program>.integrity` beside it, with the manifest's paths under `root`
// (by default the program's own runfiles). A file that cannot be checked is
// refused: the report's error says why.
IntegrityReport check_test_program(const std::string& program, const std::string& root = "");

// refusals(): the report's violations, or, when the file could not be
// checked, one violation that says why.
std::vector<Violation> refusals(const IntegrityReport& report);

// merge_violations(): `violations` in order of line, each rule reported by
// the earliest layer that saw it.
std::vector<Violation> merge_violations(std::vector<Violation> violations);

// render_violations(): one paragraph per violation, in the shape of the
// checker's other findings (a headline, then rustc's "-->" line, which
// editors' problem matchers read), the student's line quoted under it:
//
//   integrity: <reason> [<rule>, <layer>]
//     --> exercises/01_spawn_join/exercise.cc:12
//         12 | <code>
std::string render_violations(const std::vector<Violation>& violations, std::string_view source,
                              const std::string& source_file);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_INTEGRITY_H_
