// schedule.h
// -----------------------------------------------------------------------------
//
// The controlled scheduler, as the primitives see it. Off by default: a
// program runs its threads freely, and every call below is one test of a
// global flag. Under the scheduler (a test run with RACELINGS_EXPLORE or
// RACELINGS_SCHEDULE, see README.md) the threads the primitives know run one
// at a time, and every operation that another thread could observe is a
// *scheduling point* where a strategy picks which thread runs next. A
// schedule is the list of those choices; its short id replays it exactly.
//
// What the primitives do with it:
//
//   * call point() before an operation (lock, send, notify, spawn...), with
//     the caller's source location, so that another thread may run first
//     and the step log names the operation;
//   * block through the narrow blocking API, never in the kernel: a thread
//     that cannot go on calls block_on(object) and tries again when woken; a
//     thread that may have made progress possible calls signal_all(object).
//     A lock-free primitive writes `while (!try_op()) block_on(this);` and
//     `signal_all(this)` after each change of state;
//   * hold a Quiet scope while they run internal code, so that internal
//     locks and atomics are not scheduling points of their own.
//
// std::mutex, std::condition_variable, std::shared_mutex, sleeps, yields,
// the clocks and (under ThreadSanitizer) std::atomic operations are routed
// here by link-time interposition (interpose.cc), so that code which uses
// them directly is scheduled too.
//
// Handing control from one thread to another creates no happens-before edge
// that ThreadSanitizer sees: races are reported exactly as without the
// scheduler.
//
// Rust equivalent: none in std; loom's `rt` module and shuttle's `Execution`
// play this part for Rust programs.

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_SCHEDULE_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_SCHEDULE_H_

#include <cstdint>
#include <functional>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace racelings {
namespace schedule {

struct ThreadCtl;
class Traced;

namespace internal {

// True in a process run under the controlled scheduler. Written once, before
// any thread but the main one exists, and only ever read after: a plain bool.
extern bool g_controlled;

// Per-thread state the inline checks read. initial-exec TLS: one load from
// the thread pointer (the primitives are linked into executables).
struct ThreadFlags {
  ThreadCtl* ctl = nullptr;  // Set while the scheduler runs this thread.
  int quiet = 0;             // Inside a primitive: no scheduling points.
  int in_scheduler = 0;      // Inside the scheduler or the detector: everything passes through.
  bool spurious_ok = false;  // The next condition wait may wake spuriously.
  // What the primitive under way calls the object it may block on, for the
  // step log (see Describe).
  const Traced* describe = nullptr;
  const std::source_location* describe_where = nullptr;
};
inline thread_local ThreadFlags tls_flags __attribute__((tls_model("initial-exec")));

}  // namespace internal

// controlled(): the process runs under the controlled scheduler.
inline bool controlled() { return internal::g_controlled; }

// managed(): the calling thread is one the scheduler runs (not a helper
// thread, nor a thread started behind the primitives' back).
inline bool managed() { return internal::g_controlled && internal::tls_flags.ctl != nullptr; }

// What a thread does at a scheduling point, for the step log and reports.
enum class Op : uint8_t {
  kStart,        // a thread's first step
  kSpawn,        // started a thread
  kJoin,         // waits for a thread to end
  kExit,         // the thread's function returned
  kLock,         // Mutex/RawMutex lock, std::mutex lock
  kTryLock,
  kUnlock,
  kReadLock,     // RwLock read, std::shared_mutex lock_shared
  kWriteLock,
  kRwUnlock,
  kWait,         // Condvar / std::condition_variable wait
  kNotifyOne,
  kNotifyAll,
  kSend,
  kRecv,
  kClose,        // a channel's Sender or Receiver goes away
  kBarrier,
  kOnce,
  kSubmit,       // a task is handed to a thread pool or runtime
  kTask,         // a thread pool or async task starts or resumes
  kSleep,
  kYield,
  kAtomicLoad,   // a std::atomic operation (under ThreadSanitizer)
  kAtomicStore,
  kAtomicRmw,
  kOther,
};
std::string_view op_name(Op op);

// Traced: a primitive that can name itself ("Mutex M3 'account A'") and say
// what state it is in ("2 queued") in the step log. Only asked while a step
// log is written. An object that can die while the scheduler still runs must
// call forget(this) in its destructor (Traced's own does).
class Traced {
 public:
  virtual std::string trace_name() const = 0;
  virtual std::string trace_state() const { return {}; }

 protected:
  Traced() = default;
  Traced(const Traced&) = default;
  Traced& operator=(const Traced&) = default;
  ~Traced();
};
void forget(const Traced* object);

// ---- Scheduling points --------------------------------------------------------

void point_slow(Op op, const void* object, const Traced* traced, const std::source_location& where);

// point(): the calling thread is about to do `op` on `object`; the scheduler
// may run other threads first. A no-op unless this thread is managed.
inline void point(Op op, const void* object, const Traced* traced,
                  const std::source_location& where = std::source_location::current()) {
  if (managed() && internal::tls_flags.quiet == 0 && internal::tls_flags.in_scheduler == 0) {
    point_slow(op, object, traced, where);
  }
}

// point_after(): the calling thread has just done `op` (an unlock, a spawn):
// the scheduler may run other threads now, which may see its effect.
void point_after_slow(Op op, const void* object, const Traced* traced, const std::source_location& where);
inline void point_after(Op op, const void* object, const Traced* traced,
                        const std::source_location& where = std::source_location::current()) {
  if (managed() && internal::tls_flags.quiet == 0 && internal::tls_flags.in_scheduler == 0) {
    point_after_slow(op, object, traced, where);
  }
}

// finish_step(): the operation this thread was let through is complete (a
// lock is held), and the thread is about to change that without a
// scheduling point first (an unlock, whose point comes after it): the step
// log writes the step now, with the state it left.
void finish_step_slow();
inline void finish_step() {
  if (managed() && internal::tls_flags.quiet == 0 && internal::tls_flags.in_scheduler == 0) finish_step_slow();
}

// point_at_pc()/point_after_at_pc(): the same for an interposed call, located
// by its return address.
void point_at_pc(Op op, const void* object, const void* pc);
void point_after_at_pc(Op op, const void* object, const void* pc);

// Quiet: while one lives, the calling thread's operations are no scheduling
// points (blocking still goes through the scheduler). Primitives hold one
// around their internal code, after their own point().
class Quiet {
 public:
  Quiet() { ++internal::tls_flags.quiet; }
  ~Quiet() { --internal::tls_flags.quiet; }
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;
};

// SpuriousAllowed: the condition wait made while one lives may end without a
// notification, as the scheduler chooses (Condvar's waits; internal waits of
// the primitives are never woken spuriously, to keep schedules short).
class SpuriousAllowed {
 public:
  SpuriousAllowed() : saved_(internal::tls_flags.spurious_ok) { internal::tls_flags.spurious_ok = true; }
  ~SpuriousAllowed() { internal::tls_flags.spurious_ok = saved_; }
  SpuriousAllowed(const SpuriousAllowed&) = delete;
  SpuriousAllowed& operator=(const SpuriousAllowed&) = delete;

 private:
  bool saved_;
};

// Describe: while one lives, a block inside an interposed call (the
// primitive's own std::mutex, say) is logged as a wait for `traced` at
// `where` ("Mutex M3 'account A'"), not for an anonymous std::mutex.
class Describe {
 public:
  Describe(const Traced* traced, const std::source_location& where)
      : saved_(internal::tls_flags.describe), saved_where_(internal::tls_flags.describe_where) {
    internal::tls_flags.describe = traced;
    internal::tls_flags.describe_where = &where;
  }
  ~Describe() {
    internal::tls_flags.describe = saved_;
    internal::tls_flags.describe_where = saved_where_;
  }
  Describe(const Describe&) = delete;
  Describe& operator=(const Describe&) = delete;

 private:
  const Traced* saved_;
  const std::source_location* saved_where_;
};

// Uncontrolled: code run inside one (the test watchdog, say) runs as if there
// were no scheduler: real locks, real clocks, no scheduling points. For
// helpers that watch the program; never for the program's own work.
class Uncontrolled {
 public:
  Uncontrolled() { ++internal::tls_flags.in_scheduler; }
  ~Uncontrolled() { --internal::tls_flags.in_scheduler; }
  Uncontrolled(const Uncontrolled&) = delete;
  Uncontrolled& operator=(const Uncontrolled&) = delete;
};

// ---- The narrow blocking API --------------------------------------------------

// Why a block_on() returned.
enum class Wake : uint8_t { kSignalled, kTimedOut, kSpurious };

inline constexpr int64_t kNoDeadline = INT64_MAX;

// block_on(): the calling (managed) thread waits until another thread calls
// signal_one/signal_all(object), or until the virtual clock reaches
// `deadline_ns` (see now_ns()). Other threads run meanwhile. If no thread
// can ever run again, the scheduler reports the deadlock and ends the
// program. The caller retries its operation afterwards: a wake is a hint.
Wake block_on(const void* object, Op op, const Traced* traced, int64_t deadline_ns, const std::source_location& where);

// The same for an interposed call, located by its return address.
Wake block_on_at_pc(const void* object, Op op, int64_t deadline_ns, const void* pc);

// signal_all()/signal_one(): makes the threads blocked on `object` (or the
// one that waited longest) runnable. Cheap when nobody waits; any thread may
// call them. signal_one() returns whether it woke a thread.
void signal_all(const void* object);
bool signal_one(const void* object);

// spurious_wakeup(): a scheduling choice at a condition wait made under a
// SpuriousAllowed scope: true when this wait should return at once, as a
// spurious wakeup would. Clears the scope's permission for this wait.
bool spurious_wakeup(const void* object);

// ---- Threads ------------------------------------------------------------------

// on_spawn(): the calling thread is about to start thread T<index>; returns
// its control block, or nullptr when the process is not controlled.
ThreadCtl* on_spawn(int index, std::string_view name);
// on_created(): the new thread's OS thread exists: from now on the scheduler
// may give it the turn.
void on_created(ThreadCtl* ctl);
// on_start(): first thing on the new thread: waits for its first turn.
void on_start(ThreadCtl* ctl);
// on_exit(): last thing on a thread: gives its turn away for good.
void on_exit();
// wait_for_exit(): blocks the caller until the thread has called on_exit().
void wait_for_exit(ThreadCtl* ctl, const std::source_location& where);

// ---- The virtual clock --------------------------------------------------------

// now_ns(): nanoseconds on the virtual clock. It starts at a fixed value in
// every controlled run and moves only when every thread waits for a deadline,
// when the scheduler lets a timed wait time out, or by 1 us per clock read.
int64_t now_ns();

// The clocks as std::chrono sees them (steady and system), virtual for a
// managed thread, real otherwise; interpose.cc routes the std::chrono clocks
// here. real_*: always the machine's (for watchdogs and timers that guard
// against hangs).
int64_t steady_now_ns();
int64_t system_now_ns();
int64_t real_steady_now_ns();

// Converts an absolute time on `clock` (CLOCK_MONOTONIC or CLOCK_REALTIME,
// as computed from the clocks above) into a virtual deadline.
int64_t deadline_from(int clock, int64_t absolute_ns);

// sleep_for_ns(): a managed thread sleeps on the virtual clock (a scheduling
// point; 0 is a yield).
void sleep_for_ns(int64_t ns, const void* pc);
// yield_now(): a scheduling point where the thread prefers to let others run.
void yield_now(const void* pc);

// ---- Reports and the step log ---------------------------------------------------

// What the detector tells the scheduler about a thread, for the step log and
// for deadlock reports: the locks it holds and what it waits for.
struct ThreadView {
  int index = 0;
  std::vector<std::string> holds;
  std::string waits;  // Empty when the detector sees no wait.
};

// Hooks the deadlock detector installs (the scheduler sits below it).
struct DetectorHooks {
  // The calling thread's index and name (T<index> in reports).
  std::function<std::pair<int, std::string>()> current_thread;
  // Every known thread's holds and waits.
  std::function<std::vector<ThreadView>()> views;
  // Reports that every thread is blocked and ends the program; `extra` adds
  // the scheduler's own account of threads the detector does not see wait,
  // by thread index.
  std::function<void(const std::function<std::string(int)>& extra)> report_all_blocked;
  // Prints a report in the detector's format: kind, qualifier, body, and the
  // SUMMARY line's location ("file:line in function").
  std::function<void(const std::string&, const std::string&, const std::string&, const std::string&)> emit;
};
void set_detector_hooks(DetectorHooks hooks);

// note_failure(): something went wrong at this step (a report, a failed
// assertion at `at`, "file:line"): the step log marks it.
void note_failure_at(std::string_view kind, std::string_view text, std::string_view at);
inline void note_failure(std::string_view kind, std::string_view text, const std::source_location& where) {
  if (!internal::g_controlled) return;
  note_failure_at(
      kind, text,
      where.line() == 0 ? std::string() : std::string(where.file_name()) + ":" + std::to_string(where.line()));
}

// begin_test(): a test (GoogleTest's Suite.Name) starts: the step bound counts
// from here, and the step log says so.
void begin_test(std::string_view name);

// thread_label(): "T2 'teller-1'" for the calling thread (the step log's
// naming), or "" when it is not managed.
std::string thread_label();

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_SCHEDULE_H_
