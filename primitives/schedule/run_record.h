// run_record.h
// -----------------------------------------------------------------------------
//
// Internal: what one controlled execution is asked to do and what it did.
// The explorer allocates one in memory shared with the child process that
// runs the execution (so a crashed child still leaves its record), fills in
// the request, and reads the rest after the child has ended. A replay in the
// same process (RACELINGS_SCHEDULE) uses a private one.
//
// Plain data only: the child writes, the parent reads after waitpid().

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_RUN_RECORD_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_RUN_RECORD_H_

#include <cstdint>

#include "primitives/schedule/schedule_id.h"
#include "primitives/schedule/strategy.h"

namespace racelings {
namespace schedule {

// One decision, as the depth-first search needs it: which threads could run
// (as bit masks of thread indices below 64), which could time out, who ran
// before and what was chosen.
struct TraceEntry {
  uint64_t step = 0;
  uint64_t runnable_mask = 0;
  uint64_t timed_mask = 0;
  uint32_t chosen = 0;
  uint32_t fallback = 0;
  int16_t current = -1;
  DecisionKind kind = DecisionKind::kPick;
  uint8_t flags = 0;  // kMayContinue | kYielded
  static constexpr uint8_t kMayContinue = 1;
  static constexpr uint8_t kYielded = 2;
};

// How a controlled execution ended, when the scheduler ended it.
enum class Ending : uint32_t { kRunning = 0, kCompleted = 1, kDeadlock = 2, kLivelock = 3 };

struct RunRecord {
  // Anonymous memory: pages are only touched as far as they are used.
  static constexpr uint32_t kMaxForced = 1u << 20;
  static constexpr uint32_t kMaxDeviations = 1u << 20;
  static constexpr uint32_t kMaxTrace = 1u << 18;

  // The request.
  StrategyKind strategy = StrategyKind::kDefault;
  uint64_t seed = 0;
  int32_t depth = 3;
  uint64_t expected_steps = 1000;
  uint64_t step_bound = 0;  // 0: the default
  uint32_t forced_count = 0;
  bool trace = false;  // Fill in trace[] (depth-first search).

  // What happened.
  uint64_t steps = 0;
  uint64_t preemptions = 0;
  uint64_t divergences = 0;  // Forced choices that did not fit.
  uint32_t threads = 0;
  uint32_t deviation_count = 0;
  bool deviations_overflow = false;
  uint32_t trace_count = 0;
  bool trace_overflow = false;
  Ending ending = Ending::kRunning;
  bool tests_returned = false;  // The tests ran to their end (no early exit).
  int32_t tests_result = -1;    // What they returned (0: passed).
  int32_t tests_ran = -1;       // How many tests ran (-1: not known).

  Deviation forced[kMaxForced];
  Deviation deviations[kMaxDeviations];
  TraceEntry trace_entries[kMaxTrace];
};

// A zeroed RunRecord in fresh anonymous memory, shared with children forked
// later when `shared`; never freed (one per process).
RunRecord* allocate_run_record(bool shared);

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_RUN_RECORD_H_
