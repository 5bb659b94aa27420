// checker/explore_cache.h
// -----------------------------------------------------------------------------
//
// Explorations that passed, on record. An exploration with a budget of
// schedules is deterministic: the same program, in the same environment,
// under the same spec, runs the same schedules and reaches the same verdict
// (primitives/schedule/README.md). So a pass is kept, keyed by the program's
// bytes, its environment, the spec and this checker's own bytes, and an
// unchanged program is not explored again: a second audit, a re-grade, a
// `check` of an unchanged file. Failures are never kept (exploration stops at
// the first failing schedule, so they are cheap, and their replay and step
// log are wanted), nor explorations with a time budget (not deterministic).
//
// The record lives in $XDG_CACHE_HOME/racelings/explored/ (~/.cache by
// default), one small file per pass. RACELINGS_EXPLORE_CACHE=0, or
// `audit --no-cache`, explores everything again.

#ifndef RACELINGS_CHECKER_EXPLORE_CACHE_H_
#define RACELINGS_CHECKER_EXPLORE_CACHE_H_

#include <optional>
#include <string>

#include "checker/catalog.h"
#include "checker/judge.h"
#include "checker/runner.h"

namespace racelings::checker {

// The verdict of an earlier passing exploration of the same program, spec
// and environment; nullopt when there is none, `test` is not a deterministic
// exploration, or the record is off. Its ExploreSummary says `on_record`.
std::optional<RunVerdict> explored_pass_on_record(const Exercise& exercise, const TestRun& test);

// Keeps `verdict` when it is a deterministic exploration that passed.
void record_explored_pass(const Exercise& exercise, const TestRun& test, const RunVerdict& verdict);

// Off for the rest of this process (the audit's --no-cache).
void disable_explore_record();

// Where the record lives.
std::string explore_record_dir();

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_EXPLORE_CACHE_H_
