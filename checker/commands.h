// checker/commands.h
// -----------------------------------------------------------------------------
//
// The racelings commands. Each returns the process exit code:
//
//   0  success: the exercise passes, the audit is green, the command did its job
//   1  the exercise does not pass yet / the audit found a problem
//   2  the command line was wrong (unknown exercise, bad option)
//   4  racelings itself failed (a broken catalog, Bazel could not run)

#ifndef RACELINGS_CHECKER_COMMANDS_H_
#define RACELINGS_CHECKER_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "checker/catalog.h"
#include "checker/ui.h"
#include "checker/workspace.h"

namespace racelings::checker {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNotPassing = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 4;

struct Context {
  std::string root;
  Catalog catalog;
  Ui ui;
  State state;
};

int cmd_status(Context& ctx);
int cmd_list(Context& ctx);
// `explore_budget`: schedules of the exploration pass after clean runs (0: none).
int cmd_check(Context& ctx, const std::string& query, int runs, uint64_t explore_budget);
int cmd_hint(Context& ctx, const std::string& query);
int cmd_watch(Context& ctx);
int cmd_reset(Context& ctx, const std::string& query, bool yes);
int cmd_explain(const Ui& ui, bool json);

struct ExplorePlan;
// explore: runs the exercise's tests under the controlled scheduler, one
// schedule after another (checker/explore.h). replay: checker/replay_view.h.
// `prebuilt`: run <prebuilt>/exercises/<name>/test instead of building (tests).
int cmd_explore(Context& ctx, const std::string& query, const ExplorePlan& plan, const std::string& prebuilt = "");

struct AuditOptions {
  int runs = 5;
  int jobs = 0;
  std::string json_path;
  std::string html_path;
  // Run already-built binaries found under this directory (e.g. a Bazel
  // runfiles tree) instead of building: <dir>/exercises/NN/test, ...
  std::string prebuilt;
  std::vector<std::string> only;  // exercise queries; empty means all
  bool in_place = false;          // audit the tree as it is, even if edited
  // Schedules each program is explored under the controlled scheduler (0: no exploration).
  uint64_t explore = 1000;
  // Explore again even programs whose passing exploration is on record (explore_cache.h).
  bool no_cache = false;
};
int cmd_audit(Context& ctx, const AuditOptions& options);

// The exercise that comes next: the first not passed with its current content.
const Exercise* next_exercise(Context& ctx);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_COMMANDS_H_
