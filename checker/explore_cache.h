// checker/explore_cache.h
// -----------------------------------------------------------------------------
//
// Controlled-scheduler runs, on record. An exploration with a budget of
// schedules is deterministic: the same program, in the same environment,
// under the same spec, runs the same schedules and reaches the same verdict
// (primitives/schedule/README.md); so is a replay of one schedule by its id.
// So their outcome is kept, keyed by the program's bytes, its environment, the
// spec, the run's limits and this checker's own bytes, and an unchanged
// program is not explored or replayed again: a second audit, a re-grade, a
// `check` of an unchanged file.
//
// - A pass keeps the explorer's summary line.
// - A failure keeps what the run left (exit, output, completion record, step
//   log), and is judged again from it, so its findings, schedule id and
//   timeline are those of the run. Only a failure that judging again
//   reproduces is kept, and never one that may come from the machine rather
//   than the schedule: a run stopped by a time limit or for memory, a timeout
//   finding, a run with a warning about the tools.
// - Explorations with a time budget are never kept (not deterministic).
//
// The record lives in $XDG_CACHE_HOME/racelings/explored/ (~/.cache by
// default), one file per run, at most 256 MiB (least recently used first out). RACELINGS_EXPLORE_CACHE=0, or
// `audit --no-cache`, runs everything again.

#ifndef RACELINGS_CHECKER_EXPLORE_CACHE_H_
#define RACELINGS_CHECKER_EXPLORE_CACHE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "checker/catalog.h"
#include "checker/judge.h"
#include "checker/runner.h"

namespace racelings::checker {

// The verdict of an earlier run of the same deterministic exploration or
// replay; nullopt when there is none, `test` is neither, or the record is
// off. Its ExploreSummary says `on_record`.
std::optional<RunVerdict> run_on_record(const Exercise& exercise, const TestRun& test);

// Keeps `verdict` when `test` is a deterministic exploration or replay and
// the verdict may be kept (above).
void record_run(const Exercise& exercise, const TestRun& test, const RunVerdict& verdict);

// Off for the rest of this process (the audit's --no-cache).
void disable_explore_record();

// Where the record lives.
std::string explore_record_dir();

// The record is kept under a size: when its files pass `cap_bytes`, the
// least recently used go (a record read is used again), down to three
// quarters of it. Records of an older checker or program are never read
// again, and only this ages them out. record_run() calls it once per process
// with kExploreRecordCapBytes. Returns how many files it removed.
inline constexpr uintmax_t kExploreRecordCapBytes = uintmax_t{256} << 20;
int prune_explore_record(uintmax_t cap_bytes);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_EXPLORE_CACHE_H_
