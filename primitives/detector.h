// detector.h
// -----------------------------------------------------------------------------
//
// The deadlock detector the primitives report to. Every lock, wait and thread
// of the primitives passes through here, so that a deadlock is reported the
// moment it can be known instead of hanging the program:
//
//   * lock-order inversions, the first time two locks are taken in an order
//     that closes a cycle, even if no thread hangs (as Linux lockdep does);
//   * wait-for cycles: threads each waiting for a lock another holds, or to
//     join another, reported by the thread that closes the cycle;
//   * self-deadlock: re-locking a mutex the thread already holds, or asking
//     for write access to an RwLock it reads;
//   * all threads blocked: every thread the primitives know waits with no
//     timeout, and nothing changed for a grace period (Go's "all goroutines
//     are asleep - deadlock!").
//
// Reports are printed to stderr in the format documented in REPORTS.md. The
// controls (RACELINGS_DETECT, RACELINGS_ON_REPORT, RACELINGS_DEADLOCK_GRACE_MS,
// RACELINGS_STRESS) are documented there too.
//
// This header is the primitives' internal interface; programs use the
// primitives and never call it, except for the testing hooks at the end.
//
// Rust equivalent: none in std (Rust deadlocks silently too); the closest are
// the `parking_lot` crate's `deadlock_detection` feature and loom's runtime.

#ifndef RACELINGS_PRIMITIVES_DETECTOR_H_
#define RACELINGS_PRIMITIVES_DETECTOR_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include "primitives/schedule/schedule.h"

namespace racelings {
namespace detector {

// What a lock is, for reports.
enum class LockKind { kMutex, kRwLock };

// How a lock is held.
enum class Mode { kExclusive, kShared };

// Metadata every tracked lock carries: identity and name for reports. Lock
// ids are never reused, so a stale reference to a destroyed lock is harmless.
// LockInfo is also how the lock names itself in the controlled scheduler's
// step log (schedule::Traced).
class LockInfo final : public schedule::Traced {
 public:
  LockInfo(LockKind kind, std::string_view name, std::source_location created);
  ~LockInfo();
  LockInfo(const LockInfo&) = delete;
  LockInfo& operator=(const LockInfo&) = delete;

  uint64_t id() const { return id_; }
  LockKind kind() const { return kind_; }
  // "Mutex M3 'account A'" or "Mutex M3 'created at bank.cc:12'".
  std::string describe() const;
  std::string trace_name() const override { return describe(); }
  // Set once the lock has edges in the lock-order graph, so that destroying
  // it removes them. Relaxed: only read by the destroying thread, after all
  // users are done with the lock.
  std::atomic<bool> in_graph{false};

 private:
  uint64_t id_;
  LockKind kind_;
  std::string name_;
  std::source_location created_;
};

// What a blocked thread waits for. Primitives other than locks describe
// themselves through this interface when a report names them.
class Waitable {
 public:
  virtual ~Waitable() = default;
  // "waits on Condvar C1 (notify_one was called 1 time while nobody waited)".
  virtual std::string describe_wait() const = 0;
};

// A lock the thread holds. Written only by the holding thread, with atomic
// stores; other threads read it only on the detector's slow paths.
struct HeldSlot {
  std::atomic<const LockInfo*> lock{nullptr};
  std::atomic<uint64_t> lock_id{0};
  std::atomic<std::source_location> site{};
  std::atomic<Mode> mode{Mode::kExclusive};
};

inline constexpr int kMaxHeld = 32;

// The part of a thread's record that every lock and unlock touches: the
// locks it holds, in the order it took them. The fields are stored relaxed,
// then `held_count` with release, so a reader that acquires the count sees
// the slots.
struct HeldLocks {
  HeldSlot held[kMaxHeld];
  std::atomic<int> held_count{0};
};

struct ThreadRecord;

// The thread-local record of the calling thread, registering it on first use.
ThreadRecord* self();

namespace internal {
// RACELINGS_DETECT as read once: 1 detection on, 0 off, -1 not read yet.
// Relaxed: it only ever goes from -1 to the one value the environment gives,
// and a thread that still sees -1 reads the environment itself.
extern std::atomic<int> detect_state;
bool read_detect_setting();
}  // namespace internal

// True unless RACELINGS_DETECT=0. Read once; inline because every lock and
// unlock asks, and with detection off this check is all they pay.
inline bool enabled() {
  int state = internal::detect_state.load(std::memory_order_relaxed);
  return state >= 0 ? state == 1 : internal::read_detect_setting();
}

namespace internal {
// The calling thread's held locks, once it is registered; inline so that the
// common case of a lock taken with no other lock held stays in the caller.
// initial-exec: one load from the thread pointer instead of a call to
// __tls_get_addr (the primitives are linked into executables, not dlopened).
inline thread_local HeldLocks* tls_held __attribute__((tls_model("initial-exec"))) = nullptr;
HeldLocks* register_for_locks();
// RACELINGS_STRESS as read once: 1 on, 0 off, -1 not read yet.
extern std::atomic<int> stress_state;
bool read_stress_setting();
inline bool stress_on() {
  int state = stress_state.load(std::memory_order_relaxed);
  return state >= 0 ? state == 1 : read_stress_setting();
}
void before_acquire_slow(LockInfo& lock, Mode mode, const std::source_location& where);
void released_slow(LockInfo& lock, const std::source_location& where);
}  // namespace internal

// Locks. The primitive calls before_acquire before it blocks, then acquired
// once it holds the lock, and released just before it unlocks. The checks
// (re-locking, lock order, stress) only run when the thread already holds a
// lock or stress is on; a lone lock costs a few stores.
inline void before_acquire(LockInfo& lock, Mode mode, const std::source_location& where) {
  HeldLocks* h = internal::tls_held;
  if (h == nullptr || h->held_count.load(std::memory_order_relaxed) != 0 || internal::stress_on()) {
    internal::before_acquire_slow(lock, mode, where);
  }
}

// holds_any_lock(): the calling thread holds a watched lock. An acquisition
// made while holding one is where lock order matters: primitives then take
// the lock with a real blocking call (never a try-lock first), because that
// is the only kind ThreadSanitizer adds to its own lock-order graph, and they
// register the wait first, so a cycle is caught the moment it closes.
// lone_acquire(): true when the lock the calling thread is about to take
// needs none of before_acquire's checks: the thread is registered, holds no
// watched lock and stress is off. A lock taken without waiting then only
// needs acquired(); RawMutex inlines that path.
inline bool lone_acquire() {
  HeldLocks* h = internal::tls_held;
  return h != nullptr && h->held_count.load(std::memory_order_relaxed) == 0 && !internal::stress_on();
}

inline bool holds_any_lock() {
  HeldLocks* h = internal::tls_held;
  return h != nullptr && h->held_count.load(std::memory_order_relaxed) != 0;
}

inline void acquired(LockInfo& lock, Mode mode, const std::source_location& where) {
  HeldLocks* h = internal::tls_held;
  if (h == nullptr) h = internal::register_for_locks();
  int n = h->held_count.load(std::memory_order_relaxed);
  if (n < kMaxHeld) {
    HeldSlot& slot = h->held[n];
    slot.lock_id.store(lock.id(), std::memory_order_relaxed);
    slot.site.store(where, std::memory_order_relaxed);
    slot.mode.store(mode, std::memory_order_relaxed);
    slot.lock.store(&lock, std::memory_order_relaxed);
  }
  // Release: a reader that sees the new count sees the slot's contents.
  h->held_count.store(n + 1, std::memory_order_release);
}

// For try-lock: a lock taken without waiting adds no lock-order edge (it
// cannot deadlock), but later locks are ordered after it.
inline void acquired_without_order(LockInfo& lock, Mode mode, const std::source_location& where) {
  acquired(lock, mode, where);
}

inline void released(LockInfo& lock, const std::source_location& where) {
  HeldLocks* h = internal::tls_held;
  int n = h != nullptr ? h->held_count.load(std::memory_order_relaxed) : 0;
  // The common case: the lock released is the last one taken.
  if (n > 0 && n <= kMaxHeld && h->held[n - 1].lock_id.load(std::memory_order_relaxed) == lock.id() &&
      !internal::stress_on()) {
    h->held[n - 1].lock.store(nullptr, std::memory_order_relaxed);
    h->held_count.store(n - 1, std::memory_order_release);
    return;
  }
  internal::released_slow(lock, where);
}

// A blocking wait, for the lifetime of the object. Construct it just before
// the thread blocks and destroy it as soon as it runs again. Waits with a
// timeout are recorded (they show in reports) but never count as blocked.
// With RACELINGS_DETECT=0 it does nothing.
class BlockScope {
 public:
  // Waiting for a lock held by other threads.
  BlockScope(LockInfo& lock, Mode mode, const std::source_location& where);
  // Waiting to join a thread.
  BlockScope(ThreadRecord& joined, const std::source_location& where);
  // Waiting on anything else (condvar, channel, barrier, once).
  BlockScope(const Waitable& what, bool has_timeout, const std::source_location& where);
  ~BlockScope();
  BlockScope(const BlockScope&) = delete;
  BlockScope& operator=(const BlockScope&) = delete;

 private:
  ThreadRecord* self_;
};

// Threads. spawn() registers the child before it starts (so the parent's
// view is complete), and the child reports its end.
std::shared_ptr<ThreadRecord> register_spawned(std::string name, const std::source_location& where);
void enter_spawned(const std::shared_ptr<ThreadRecord>& record);
void exit_current();
// wait_for_thread(): under the controlled scheduler, lets other threads run
// until `t` has ended (call it inside the join's BlockScope, before
// pthread_join); otherwise returns at once.
void wait_for_thread(ThreadRecord& t, const std::source_location& where);
// The thread's control block under the controlled scheduler (nullptr
// otherwise): how spawn and join name it at their scheduling points.
schedule::ThreadCtl* schedule_ctl(const ThreadRecord& t);
std::string thread_description(const ThreadRecord& t);  // "thread T2 'worker'"
std::string_view thread_name(const ThreadRecord& t);
bool thread_finished(const ThreadRecord& t);

// The thread was joined (pthread_join returned), or detached: it no longer
// counts among the running threads of ThreadStats once it has also ended.
void joined(ThreadRecord& t);
void detached(ThreadRecord& t);

// A spawned thread that is meant to run until the process ends (a global
// pool's worker): not reported when it is still running at exit.
void runs_until_exit(ThreadRecord& t);

// Misuse reports that do not stop the program (unless RACELINGS_ON_REPORT=abort).
void report_thread_leak(const ThreadRecord& t, const std::source_location& spawned_at,
                        const std::source_location& dropped_at);
void report_mutex_misuse(const LockInfo& lock, std::string_view what, const std::source_location& where);

// Schedule stress (RACELINGS_STRESS=<seed>): maybe yield or sleep briefly.
// Called at acquire, release, send and receive points.
void stress_point();
// Under schedule stress, true now and then: the condvar wait it guards
// returns at once, as a spurious wakeup (which the standard allows).
bool stress_spurious_wakeup();

// The state ('R' running, 'S' sleeping...) and CPU time in clock ticks of
// every OS thread of this process, by tid, from /proc/self/task: how the
// detectors judge threads they do not know (a std::thread, a runtime's).
struct OsThreadSample {
  char state = '?';
  unsigned long long cpu_ticks = 0;
};
std::map<pid_t, OsThreadSample> sample_os_threads();

// The one answer both detectors give to "may this thread, which they do not
// account for, still wake one of theirs?": yes when it runs or waits for a
// CPU, appeared or used CPU between the two samples, or sleeps in a way that
// ends by itself (a sleep, a timed wait, I/O: anything but an untimed futex
// wait). The test watchdog and the watcher (racelings helpers) never do.
bool os_thread_may_wake(pid_t tid, const std::map<pid_t, OsThreadSample>& before, const OsThreadSample& after);

// Prints the state of every known thread (what it waits for and where) as a
// `timeout` report. Used by the test watchdog.
void report_timeout(std::string_view test_name, double seconds);

// "file:line:column" (column left out when unknown), as reports print it.
std::string location_text(const std::source_location& l);

// Prints a report in the format of REPORTS.md, one at a time, counted in
// reports_so_far() and honouring the testing sink and RACELINGS_REPORT_PATH.
// `with_stack` adds the reporting thread's stack when a sanitizer is linked
// in. The async runtime reports its task deadlocks through this.
void emit_report(const std::string& kind, const std::string& qualifier, const std::string& body,
                 const std::source_location& where, bool with_stack = true);

// Ends the program after a report that could only be followed by a hang,
// with exit code 66, as a sanitizer does.
[[noreturn]] void die_after_report();

// ---- Testing hooks -----------------------------------------------------------

// Every report's text goes to `sink` instead of stderr while set; the program
// does not abort for deadlocks then (the blocked thread stays blocked, so
// only use it for reports that do not hang: inversions, self-deadlock is not
// among them). Pass nullptr to restore stderr.
void set_report_sink_for_testing(std::function<void(const std::string&)> sink);

// Number of reports printed so far, of any kind (reports a testing sink
// captured are not printed, so they do not count).
int reports_so_far();

// Threads started through spawn/Builder/scope since the last reset, and the
// most that were running at the same time, where a thread runs from its
// spawn until it is joined (a detached one, until it ends). Counting to the
// join, not to the thread's last instruction, makes the figure depend on the
// program's structure only: spawn, spawn, join, join is 2 on any machine,
// however fast the first thread ends; spawn, join, spawn, join is 1. Exercise
// tests use it to check that a fix kept the concurrency the exercise is about.
struct ThreadStats {
  int spawned = 0;
  int max_running = 0;
};
ThreadStats thread_stats();
void reset_thread_stats();

// What a live thread of that name (as spawn or Builder named it) waits for
// in a primitive (a lock, a join, anything else: condvar, channel, barrier,
// Once; timed or not), from the moment it registers the wait, just before it
// blocks, to the moment it runs again. Tests wait for it instead of sleeping
// and hoping that the other thread got there.
enum class WaitKind { kNone, kLock, kJoin, kOther };
WaitKind waiting_in(std::string_view thread_name);

// While one is alive, the thread watcher does not report "all threads are
// blocked" at once: the owner of the waits (an async runtime watching its own
// tasks, whose idle workers and block_on are blocked threads too) reports the
// same deadlock in its own words, or finds that something moved. The watcher
// looks again later, and reports after a few grace periods if the owner did
// not. Without it, which of the two reports came first was a race.
class OwnerWatch {
 public:
  OwnerWatch();
  ~OwnerWatch();
  OwnerWatch(const OwnerWatch&) = delete;
  OwnerWatch& operator=(const OwnerWatch&) = delete;
};

}  // namespace detector
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_DETECTOR_H_
