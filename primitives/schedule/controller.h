// controller.h
// -----------------------------------------------------------------------------
//
// Internal: starting and ending a controlled execution, and what the
// interposed calls and the explorer need to know about it. Programs and
// primitives use schedule.h.

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_CONTROLLER_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_CONTROLLER_H_

#include <sys/types.h>

#include <string>

#include "primitives/schedule/run_record.h"

namespace racelings {
namespace schedule {

struct ControlOptions {
  RunRecord* record = nullptr;  // The request, and where the outcome goes.
  std::string step_log_path;    // Empty: no step log.
  std::string schedule_id;      // Named in the step log's header.
};

// start_controlled(): from here on, the calling thread (the main thread, with
// no other thread of the primitives alive) and every thread it spawns run
// under the scheduler.
void start_controlled(const ControlOptions& options);

// end_controlled(): the execution is over (the tests returned): every thread
// is let go and runs freely from here, so that the program can end as it
// would without the scheduler. Records the outcome.
void end_controlled();

// True after end_controlled(), or after the scheduler ended the program.
bool control_ended();

// Whether `tid` is a thread the scheduler runs (for the owner of a std::mutex).
bool is_managed_tid(pid_t tid);

// Default bound on the steps of one execution, past which it is a livelock.
inline constexpr uint64_t kDefaultStepBound = 1000000;

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_CONTROLLER_H_
