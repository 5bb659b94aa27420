// explorer_internal.h
// -----------------------------------------------------------------------------
//
// Internal to the explorer's files: running one controlled execution in a
// child process (child.cc), and the depth-first search over choices
// (search.cc).

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_EXPLORER_INTERNAL_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_EXPLORER_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "primitives/schedule/explorer.h"
#include "primitives/schedule/run_record.h"

namespace racelings {
namespace schedule {

struct ChildRequest {
  StrategyKind strategy = StrategyKind::kDefault;
  uint64_t seed = 0;
  int depth = 3;
  uint64_t expected_steps = 1000;
  std::vector<Deviation> forced;
  bool trace = false;
  // Shown: the child's output goes where the explorer's goes, with its step
  // log. Otherwise it is captured for classification only.
  bool shown = false;
  std::string step_log;
  std::string schedule_id;
};

struct ChildOutcome {
  bool failed = false;
  std::string signature;  // The kind of failure ("ThreadSanitizer: data race").
  int wait_status = 0;
  uint64_t steps = 0;
  uint64_t preemptions = 0;
  uint64_t divergences = 0;
  std::vector<Deviation> deviations;
  bool deviations_overflow = false;
  std::vector<TraceEntry> trace;
  bool trace_overflow = false;
  Ending ending = Ending::kRunning;
  int tests_ran = -1;  // -1: not known
};

// Runs one execution per run(), each in a child forked from the calling
// (single-threaded) process.
class ChildRunner {
 public:
  ChildRunner(const TestHooks& hooks, uint64_t step_bound);
  ~ChildRunner();
  ChildRunner(const ChildRunner&) = delete;
  ChildRunner& operator=(const ChildRunner&) = delete;

  ChildOutcome run(const ChildRequest& request);
  // Keeps the captured output of the last run (a failing one) aside, so that
  // it can be shown if its replay unexpectedly passes; show_kept() prints it.
  void keep_last_output();
  void show_kept();
  // The fewest tests any run so far ran (-1: not known, or no run yet).
  int fewest_tests_ran() const { return fewest_tests_ran_; }

 private:
  const TestHooks& hooks_;
  uint64_t step_bound_;
  RunRecord* record_;
  std::string capture_path_;
  std::string kept_path_;
  int limit_seconds_;
  int fewest_tests_ran_ = -1;
  bool tests_ran_known_ = true;
};

// failure_signature(): what kind of failure an execution's output shows.
std::string failure_signature(const std::string& output, int wait_status, bool tests_returned);

// The bounded depth-first search: stateless (each execution replays a prefix
// of choices from the start), iterating the preemption bound from 0 up.
class DfsSearch {
 public:
  explicit DfsSearch(int max_bound);
  // The forced choices of the next execution; nullopt once every execution
  // within the largest bound was run.
  std::optional<std::vector<Deviation>> next();
  // The decisions of the execution that ran the last prefix.
  void record(const std::vector<TraceEntry>& trace);
  int bound() const { return bound_; }

 private:
  struct Frame {
    TraceEntry entry;
    uint64_t tried_run = 0;      // run(t) options already explored
    uint64_t tried_timeout = 0;  // timeout(t) options already explored
    uint32_t tried_spurious = 0;
    uint32_t chosen = 0;
  };
  int cost(const Frame& f, uint32_t value) const;
  bool tried(const Frame& f, uint32_t value) const;
  void mark(Frame& f, uint32_t value);
  std::vector<uint32_t> options(const Frame& f) const;

  int max_bound_;
  int bound_ = 0;
  bool started_ = false;   // An execution of this bound has run.
  uint64_t replayed_to_ = 0;  // Frames up to this step came from the prefix.
  std::vector<Frame> frames_;
};

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_EXPLORER_INTERNAL_H_
