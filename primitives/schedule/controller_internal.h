// controller_internal.h
// -----------------------------------------------------------------------------
//
// Internal to the scheduler's own files: the controller's state and the
// functions its files share. Everything named *_locked runs with
// Controller::mu held, inside Invisible, on the thread that holds the turn
// (or on a thread the scheduler does not run, signalling an object).

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_CONTROLLER_INTERNAL_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_CONTROLLER_INTERNAL_H_

#include <sys/types.h>
#include <time.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include "primitives/schedule/controller.h"
#include "primitives/schedule/run_record.h"
#include "primitives/schedule/schedule.h"
#include "primitives/schedule/step_log.h"
#include "primitives/schedule/strategy.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace schedule {

void futex_wait(std::atomic<uint32_t>* word, uint32_t expected, const timespec* timeout);
void futex_wake(std::atomic<uint32_t>* word, int count);

// A lock on a futex word (Drepper's "mutex2"): no pthread call, so nothing
// the interposition or ThreadSanitizer would see.
class CAPABILITY("mutex") FutexLock {
 public:
  void lock() ACQUIRE();
  void unlock() RELEASE();

 private:
  std::atomic<uint32_t> state_{0};  // 0 free, 1 held, 2 held with waiters
};

// Where an operation is in the program: a source location from the
// primitives' API, or the return address of an interposed call.
struct Where {
  std::source_location loc{};
  const void* pc = nullptr;
  // For a location inside the primitives' own code (a guard's destructor
  // unlocking), while a step log is written: the return addresses above it,
  // where the log finds the program's own line (see located()).
  std::array<const void*, 8> callers{};
};

// located(): `loc` as a Where, with its callers when the step log needs them.
Where located(const std::source_location& loc);
// library_file(): a file of the standard library, the primitives or
// GoogleTest, not of the program itself.
bool library_file(std::string_view file);

struct ThreadCtl {
  // kNew: known, but its OS thread is not created yet (it cannot be chosen).
  enum class State : uint8_t { kNew, kRunnable, kBlocked, kFinished };

  int index = 0;  // The deadlock detector's T<index>.
  std::string name;
  pid_t tid = 0;
  std::atomic<uint32_t> turn{0};  // 1: may run. Futex word.
  State state = State::kNew;

  // While blocked.
  const void* blocked_on = nullptr;
  Op blocked_op = Op::kOther;
  int64_t deadline = kNoDeadline;
  uint64_t block_seq = 0;  // Order of blocking: signal_one wakes the oldest.
  Wake wake = Wake::kSignalled;

  // Steps in a row while other threads could run (the time slice).
  uint64_t streak = 0;

  // What it does when it next runs, for the step log (nothing to log when
  // it resumes after an operation it already did and logged).
  bool pending_valid = true;
  Op pending_op = Op::kStart;
  const void* pending_object = nullptr;
  const Traced* pending_traced = nullptr;
  Where pending_where;
  const char* resume_result = "started";
};

// An operation about to run, as the step log will show it.
struct LoggedOp {
  ThreadCtl* thread = nullptr;  // nullptr: nothing pending.
  Op op = Op::kOther;
  const void* object = nullptr;
  const Traced* traced = nullptr;
  Where where;
  const char* result = "ok";
  uint64_t decision = 0;
};

// Spinning: every kSpinStepsPerTick steps in a row that change nothing, time
// passes: the clock moves to the next deadline a thread waits for, or, with
// none, by kSpinQuantumNs, twice as much each time (so that a loop that
// polls the clock for a deadline of its own ends after a few ticks). After
// kSpinLivelockSteps it is a livelock.
inline constexpr uint64_t kSpinStepsPerTick = 1000;
inline constexpr uint64_t kSpinLivelockSteps = 100000;
inline constexpr int64_t kSpinQuantumNs = 1000000;

struct Controller {
  FutexLock mu;
  std::vector<ThreadCtl*> threads GUARDED_BY(mu);  // By index. Never shrinks.
  ThreadCtl* current GUARDED_BY(mu) = nullptr;     // Holds the turn.
  uint64_t step GUARDED_BY(mu) = 0;
  uint64_t step_bound = kDefaultStepBound;  // Per test (see begin_test), set before it runs.
  uint64_t test_start_step GUARDED_BY(mu) = 0;
  // Steps in a row that changed nothing (atomic loads, yields): spinning.
  uint64_t spin_steps GUARDED_BY(mu) = 0;
  int spin_ticks GUARDED_BY(mu) = 0;  // Times the clock moved for them, since the last change.
  int64_t clock GUARDED_BY(mu) = 0;  // Virtual nanoseconds.
  uint64_t block_seq GUARDED_BY(mu) = 0;
  std::atomic<int> blocked_count{0};  // Read without mu as a hint.
  std::unique_ptr<Strategy> strategy;  // Set before the threads start.
  RunRecord* record = nullptr;  // Set before the threads start.
  bool ended = false;  // Read without mu as a hint: control has ended.
  DetectorHooks hooks;

  // Threads the scheduler does not run signalled something: when nothing can
  // run, wait a while for them before reporting a deadlock.
  bool foreign_seen GUARDED_BY(mu) = false;
  std::atomic<uint32_t> park_word{0};

  // The step log (when on).
  std::unique_ptr<StepLog> log;  // Opened before the threads start.
  uint64_t log_entries GUARDED_BY(mu) = 0;
  LoggedOp log_pending GUARDED_BY(mu);  // Scheduled to run next; logged at the next decision.
  std::set<const Traced*> traced_seen GUARDED_BY(mu);
  std::map<const void*, std::string> untraced_names GUARDED_BY(mu);
};

Controller& controller();
pid_t current_tid();
std::string label(const ThreadCtl& t);
ThreadCtl* find_thread_locked(Controller& c, int index) REQUIRES(c.mu);
void wake_locked(Controller& c, ThreadCtl* t, Wake why) REQUIRES(c.mu);

// Picks who runs next and makes it current (controller.cc). `self` is the
// thread that holds the turn (it may have just blocked or finished).
ThreadCtl* decide_locked(Controller& c, ThreadCtl* self, bool yielded) REQUIRES(c.mu);
void hand_over(ThreadCtl* self, ThreadCtl* next);
void finish_record_locked(Controller& c, Ending ending) REQUIRES(c.mu);

// Reports (reports.cc). These end the program.
[[noreturn]] void report_deadlock_locked(Controller& c, ThreadCtl* self) REQUIRES(c.mu);
// `spinning`: the threads changed nothing for kSpinLivelockSteps steps;
// otherwise the test passed its step bound.
[[noreturn]] void report_livelock_locked(Controller& c, ThreadCtl* self, bool spinning) REQUIRES(c.mu);
// Waits (with mu released) for a thread the scheduler does not run to wake
// one that it does; false if none did within the grace period.
bool park_for_foreign_locked(Controller& c) REQUIRES(c.mu);

// The step log (reports.cc).
void open_step_log(Controller& c, const std::string& path, const std::string& schedule_id);
void log_thread_locked(Controller& c, const ThreadCtl* t, const ThreadCtl* parent) REQUIRES(c.mu);
void log_scheduled_locked(Controller& c, ThreadCtl* next) REQUIRES(c.mu);
void flush_pending_locked(Controller& c) REQUIRES(c.mu);
void log_blocked_locked(Controller& c, const ThreadCtl* t) REQUIRES(c.mu);
void log_exit_locked(Controller& c, const ThreadCtl* t) REQUIRES(c.mu);
// Logs an operation the thread has just done (an "after" point).
void log_done_locked(Controller& c, const ThreadCtl* t) REQUIRES(c.mu);
void log_end_locked(Controller& c, Ending ending) REQUIRES(c.mu);
void log_test_locked(Controller& c, std::string_view name) REQUIRES(c.mu);
std::string where_text(const Where& where);
// "file:line in function" for a SUMMARY line, and the function alone.
std::string where_summary(const Where& where);
std::string where_function(const Where& where);

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_CONTROLLER_INTERNAL_H_
