// internal.h
// -----------------------------------------------------------------------------
//
// The deadlock detector's internals, shared by its units (not for programs):
//
//   detector.cc             the registry of threads, the entry points the
//                           primitives call, the check at exit, the
//                           controlled scheduler's hooks
//   detector/report.cc      report text and output, misuse/leak/timeout reports
//   detector/lock_order.cc  the lock-order graph, self-deadlock, LockInfo
//   detector/wait_for.cc    the wait-for graph: BlockScope, cycles, the
//                           all-blocked watcher
//   detector/os_threads.cc  the OS's view of threads (/proc/self/task)
//   detector/stress.cc      schedule stress
//
// Concurrency inside the detector:
//  * A thread's held-lock slots are written only by that thread, with atomic
//    stores, and read by others only on slow paths (cycle search, reports).
//    A thread changes its wait state only under Registry::mu, and it removes a
//    lock from its slots before it releases the lock and before it next takes
//    Registry::mu; so a reader holding Registry::mu that sees a thread waiting
//    also sees every lock that thread released before it started to wait.
//    That is what makes a wait-for cycle found under Registry::mu real.
//  * The lock-order graph has its own mutex (Graph::mu); each thread keeps a
//    private cache of edges it has already checked, so the common case of
//    nested locks taken again in a known order touches no shared state.
//  * The "all threads blocked" check runs on a watcher thread that the
//    primitives never see (it is not a ThreadRecord), after a grace period in
//    which nothing may change.

#ifndef RACELINGS_PRIMITIVES_DETECTOR_INTERNAL_H_
#define RACELINGS_PRIMITIVES_DETECTOR_INTERNAL_H_

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <vector>

#include "primitives/detector.h"
#include "primitives/detector/edge_cache.h"
#include "primitives/plain_mutex.h"
#include "primitives/schedule/invisible.h"
#include "primitives/schedule/schedule.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace detector {

constexpr int kReportExitCode = 66;  // The code sanitizers use for a report.

// The detector runs inside Invisible scopes (schedule/invisible.h): neither
// ThreadSanitizer nor the controlled scheduler sees its own locks and atomics.
using racelings::internal::PlainLock;
using racelings::internal::PlainMutex;
using schedule::Invisible;

struct Config {
  bool enabled = true;
  bool abort_on_report = false;
  int grace_ms = 200;
  bool stress = false;
  uint64_t stress_seed = 0;
};
// The environment's settings, read once.
const Config& config();

pid_t current_tid();

enum class WaitType { kNone, kLock, kJoin, kOther };
struct ThreadRecord : HeldLocks {
  int index = 0;
  std::string name;  // Empty when unnamed.
  std::atomic<pid_t> tid{0};
  std::atomic<bool> finished{false};
  bool spawned = false;
  std::source_location spawned_at{};
  // Its control block under the controlled scheduler (nullptr otherwise).
  schedule::ThreadCtl* sched = nullptr;
  // Guarded by Registry::mu.
  bool runs_until_exit = false;  // A global pool's worker: not a leak at exit.
  bool leak_reported = false;    // Its JoinHandle was dropped: reported once.
  // Counted in ThreadStats' running threads: from spawn until it is joined
  // (or, detached, until it ends).
  bool outstanding = false;
  int stats_epoch = 0;  // The reset_thread_stats() it was spawned after.
  bool detached = false;
  std::string parent;  // "thread T0 'main'"

  // Held locks (HeldLocks, the base): written only by this thread, read by
  // others under Registry::mu.

  // What the thread waits for; guarded by Registry::mu.
  WaitType wait_type = WaitType::kNone;
  LockInfo* wait_lock = nullptr;
  Mode wait_mode = Mode::kExclusive;
  std::shared_ptr<ThreadRecord> wait_thread;
  const Waitable* wait_object = nullptr;
  bool wait_has_timeout = false;
  std::source_location wait_site{};
  uint64_t block_seq = 0;

  // Lock-order edges this thread has already checked; owner-only.
  EdgeCache edge_cache;
  // Schedule stress generator state; owner-only.
  uint64_t rng = 0;

  bool blocked() const {
    if (wait_type == WaitType::kNone || wait_has_timeout) return false;
    if (wait_type == WaitType::kJoin && wait_thread->finished.load(std::memory_order_acquire)) return false;
    return true;
  }
};
struct Registry {
  PlainMutex mu;
  std::vector<std::shared_ptr<ThreadRecord>> live GUARDED_BY(mu);
  int next_index GUARDED_BY(mu) = 0;

  // The all-blocked watcher.
  std::condition_variable wake_watcher;
  bool watcher_started GUARDED_BY(mu) = false;
  bool suspect GUARDED_BY(mu) = false;  // All threads were seen blocked.
  pid_t watcher_tid GUARDED_BY(mu) = 0;

  // Reports are printed one at a time.
  PlainMutex report_mu;
  std::function<void(const std::string&)> sink GUARDED_BY(report_mu);
  std::atomic<int> reports{0};

  // Spawned-thread statistics.
  int spawned GUARDED_BY(mu) = 0;
  int running GUARDED_BY(mu) = 0;  // Outstanding threads spawned since the last reset.
  int max_running GUARDED_BY(mu) = 0;
  int stats_epoch GUARDED_BY(mu) = 0;  // Counts reset_thread_stats() calls.
};

Registry& registry();

// Set once the process is exiting (main returned or exit() was called):
// from then on threads left blocked are not a deadlock of the program, and
// exit-time work (LeakSanitizer's check, say) may outlast the grace period.
// Relaxed: a late view only delays the point where reports stop.
extern std::atomic<bool> process_exiting;

// ---- Reports (report.cc) ----------------------------------------------------

std::string frame_text(const std::source_location& l);
std::string summary_text(const std::string& kind, const std::source_location& l);
std::string describe_thread_locked(const ThreadRecord& t);
std::string short_thread(const ThreadRecord& t);
// Prints a report whose SUMMARY line is `summary` (see summary_text).
void emit_with_summary(const std::string& kind, const std::string& qualifier, const std::string& body,
                       const std::string& summary, bool with_stack);
// Set while emit() tells the scheduler about a report (see report.cc).
extern thread_local bool t_noting_failure;
void emit(const std::string& kind, const std::string& qualifier, const std::string& body,
          const std::source_location& where, bool with_stack = true);
[[noreturn]] void end_after_report();
void maybe_abort_after_report();
// Non-zero while a report describes the locks of threads that may run.
extern std::atomic<int> describing_running_locks;
std::string held_locks_text(const ThreadRecord& t);
// What the thread waits for ("waits for Mutex M3 'a'"), or "" when it runs.
std::string wait_what_locked(const ThreadRecord& t);
std::string wait_text_locked(const ThreadRecord& t);

// ---- The lock-order graph (lock_order.cc) -----------------------------------

void check_lock_order(ThreadRecord& t, LockInfo& lock, const std::source_location& where);
void report_self_deadlock(ThreadRecord& t, LockInfo& lock, Mode mode, int slot, const std::source_location& where);

// ---- The wait-for graph and its watcher (wait_for.cc) -----------------------

// Called under r.mu after a thread started to wait.
void check_after_wait_started_locked(Registry& r, ThreadRecord* me) REQUIRES(r.mu);
bool all_blocked_locked(Registry& r) REQUIRES(r.mu);
void notify_watcher_locked(Registry& r) REQUIRES(r.mu);

}  // namespace detector
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_DETECTOR_INTERNAL_H_
