// checker/bazel.h
// -----------------------------------------------------------------------------
//
// The checker's calls to Bazel: build a set of targets in a workspace and say,
// per target, whether it built and, if not, which compiler or linker errors
// were its own. Bazel's Build Event Protocol (a JSON file) tells which target
// succeeded; the captured output gives the errors.

#ifndef RACELINGS_CHECKER_BAZEL_H_
#define RACELINGS_CHECKER_BAZEL_H_

#include <map>
#include <string>
#include <vector>

#include "checker/report/finding.h"

namespace racelings::checker {

struct BuildOutcome {
  bool ok = false;                        // every target built
  std::map<std::string, bool> built;      // label -> built
  // label -> the files it produced (absolute paths), from Bazel's build
  // events: the convenience symlinks (bazel-bin) may point elsewhere.
  std::map<std::string, std::vector<std::string>> files;
  std::string output;                     // Bazel's output, capped
  std::vector<report::Finding> errors;    // compiler and linker errors, all targets
  std::string failure;                    // Bazel itself failed to run (not a compile error)
};

struct BazelOptions {
  std::string workspace;               // where to run
  std::vector<std::string> extra_flags;  // e.g. --keep_going
  int timeout_s = 1800;
};

// build(): `bazel build` of the targets; never throws.
BuildOutcome build(const std::vector<std::string>& targets, const BazelOptions& options);

// The shared disk cache every build of the checker uses, so that a pristine
// copy of the tree (audit, grading) recompiles only what differs.
std::string disk_cache_dir();

// Errors whose file is under `directory` (e.g. "exercises/01_spawn_join/").
std::vector<report::Finding> errors_in(const std::vector<report::Finding>& errors, const std::string& directory);

// Path of a built target's executable: the file Bazel reported for it whose
// name is the target's, else <workspace>/bazel-bin/<package>/<name>.
std::string output_path(const BuildOutcome& outcome, const std::string& workspace, const std::string& label);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_BAZEL_H_
