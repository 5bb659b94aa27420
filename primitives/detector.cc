// The deadlock detector's registry of threads and its entry points: what
// the primitives call on every lock, unlock, spawn and join, and the check at
// exit for threads still running. See detector.h for what the detector finds,
// REPORTS.md for what it prints, and detector/internal.h for its other parts.

#include "primitives/detector.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "primitives/detector/internal.h"
#include "primitives/schedule/schedule.h"

namespace racelings {
namespace detector {
namespace {

uint64_t parse_u64(const char* text, uint64_t fallback) {
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  return (end != nullptr && *end == '\0') ? value : fallback;
}

}  // namespace

const Config& config() {
  static const Config kConfig = [] {
    Config c;
    const char* detect = std::getenv("RACELINGS_DETECT");
    c.enabled = !(detect != nullptr && std::strcmp(detect, "0") == 0);
    const char* on_report = std::getenv("RACELINGS_ON_REPORT");
    c.abort_on_report = on_report != nullptr && std::strcmp(on_report, "abort") == 0;
    c.grace_ms = static_cast<int>(parse_u64(std::getenv("RACELINGS_DEADLOCK_GRACE_MS"), 200));
    const char* stress = std::getenv("RACELINGS_STRESS");
    if (stress != nullptr && *stress != '\0' && std::strcmp(stress, "0") != 0) {
      c.stress = true;
      c.stress_seed = parse_u64(stress, 0);
      if (c.stress_seed == 0) {
        // A word that is not a number still turns stress on, with a seed we print.
        c.stress_seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
      }
    }
    return c;
  }();
  return kConfig;
}

pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

std::atomic<bool> process_exiting{false};

namespace {
void at_exit_finish_running_threads();

// A thread stops counting as running (joined, or detached and ended); one
// spawned before the last reset_thread_stats() was never counted in `running`.
void stop_counting_locked(Registry& r, ThreadRecord& t) REQUIRES(r.mu) {
  if (std::exchange(t.outstanding, false) && t.stats_epoch == r.stats_epoch) --r.running;
}
}  // namespace

Registry& registry() {
  // Leaked on purpose: threads may still use it while the process exits.
  static Registry* r = [] {
    std::atexit([] { process_exiting.store(true, std::memory_order_relaxed); });
    return new Registry;
  }();
  return *r;
}

namespace {

// Registered when the first thread is spawned, so that it runs before the
// static destructors of what existed by then, and before ThreadSanitizer's
// own exit work (registered first, run last).
void ensure_exit_check() {
  static const bool registered = [] {
    std::atexit(at_exit_finish_running_threads);
    return true;
  }();
  (void)registered;
}

// Keeps the calling thread's record alive and reports its end at thread exit.
struct ThreadHolder {
  std::shared_ptr<ThreadRecord> record;
  ~ThreadHolder() {
    if (record && !record->finished.load(std::memory_order_relaxed)) exit_current();
  }
};

thread_local ThreadRecord* tls_self = nullptr;
thread_local ThreadHolder tls_holder;

std::shared_ptr<ThreadRecord> new_record_locked(Registry& r, std::string name) REQUIRES(r.mu) {
  auto t = std::make_shared<ThreadRecord>();
  t->index = r.next_index++;
  t->name = std::move(name);
  r.live.push_back(t);
  return t;
}

// Out of line, so that self(), called on every lock and unlock, stays a
// load and a test.
[[gnu::noinline]] ThreadRecord* register_current_thread() {
  Invisible invisible;
  Registry& r = registry();
  std::string name;
  pid_t tid = current_tid();
  if (tid == ::getpid()) {
    name = "main";
  } else {
    char buf[32] = {};
    char comm[32] = {};
    pthread_getname_np(pthread_self(), buf, sizeof(buf));
    // An OS thread inherits the process name; that is not a name it was given.
    int fd = ::open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ssize_t n = ::read(fd, comm, sizeof(comm) - 1);
      ::close(fd);
      if (n > 0 && comm[n - 1] == '\n') comm[n - 1] = '\0';
    }
    if (std::strcmp(buf, comm) != 0) name = buf;
  }
  ensure_exit_check();
  PlainLock lock(r.mu);
  auto t = new_record_locked(r, std::move(name));
  t->tid.store(tid, std::memory_order_relaxed);
  tls_holder.record = t;
  tls_self = t.get();
  internal::tls_held = tls_self;
  return tls_self;
}

int find_held(const ThreadRecord& t, uint64_t id) {
  int n = std::min(t.held_count.load(std::memory_order_relaxed), kMaxHeld);
  for (int i = n - 1; i >= 0; --i) {
    if (t.held[i].lock_id.load(std::memory_order_relaxed) == id &&
        t.held[i].lock.load(std::memory_order_relaxed) != nullptr) {
      return i;
    }
  }
  return -1;
}

}  // namespace

// ---- Public entry points -----------------------------------------------------

namespace internal {
std::atomic<int> detect_state{-1};
std::atomic<int> stress_state{-1};

bool read_detect_setting() {
  bool on = config().enabled;
  detect_state.store(on ? 1 : 0, std::memory_order_relaxed);
  return on;
}

bool read_stress_setting() {
  bool on = config().stress;
  stress_state.store(on ? 1 : 0, std::memory_order_relaxed);
  return on;
}

HeldLocks* register_for_locks() { return self(); }
}  // namespace internal

ThreadRecord* self() {
  ThreadRecord* t = tls_self;
  return t != nullptr ? t : register_current_thread();
}

void internal::before_acquire_slow(LockInfo& lock, Mode mode, const std::source_location& where) {
  Invisible invisible;
  ThreadRecord* t = self();
  int slot = find_held(*t, lock.id());
  if (slot >= 0) {
    bool held_shared = t->held[slot].mode.load(std::memory_order_relaxed) == Mode::kShared;
    // Recursive reads are allowed: glibc's rwlock prefers readers, so they cannot hang.
    if (!(held_shared && mode == Mode::kShared)) {
      report_self_deadlock(*t, lock, mode, slot, where);
      end_after_report();
    }
  }
  if (t->held_count.load(std::memory_order_relaxed) > 0) check_lock_order(*t, lock, where);
  stress_point();
}

void internal::released_slow(LockInfo& lock, const std::source_location& where) {
  Invisible invisible;
  ThreadRecord* t = self();
  int slot = find_held(*t, lock.id());
  if (slot < 0) {
    int n = t->held_count.load(std::memory_order_relaxed);
    if (n > kMaxHeld) {
      // Beyond the slots we track: count it down without checking.
      t->held_count.store(n - 1, std::memory_order_release);
      return;
    }
    report_mutex_misuse(lock, "unlock of a lock this thread does not hold", where);
    return;
  }
  int n = std::min(t->held_count.load(std::memory_order_relaxed), kMaxHeld);
  // Keep slots dense: move the last one into the hole.
  if (slot != n - 1) {
    HeldSlot& last = t->held[n - 1];
    HeldSlot& hole = t->held[slot];
    hole.lock.store(nullptr, std::memory_order_relaxed);
    hole.lock_id.store(last.lock_id.load(std::memory_order_relaxed), std::memory_order_relaxed);
    hole.site.store(last.site.load(std::memory_order_relaxed), std::memory_order_relaxed);
    hole.mode.store(last.mode.load(std::memory_order_relaxed), std::memory_order_relaxed);
    hole.lock.store(last.lock.load(std::memory_order_relaxed), std::memory_order_relaxed);
  }
  t->held[n - 1].lock.store(nullptr, std::memory_order_relaxed);
  t->held_count.store(t->held_count.load(std::memory_order_relaxed) - 1, std::memory_order_release);
  stress_point();
}

std::shared_ptr<ThreadRecord> register_spawned(std::string name, const std::source_location& where) {
  Invisible invisible;
  ThreadRecord* parent = self();
  Registry& r = registry();
  std::shared_ptr<ThreadRecord> t;
  {
    PlainLock guard(r.mu);
    t = new_record_locked(r, std::move(name));
    t->spawned = true;
    t->spawned_at = where;
    t->parent = short_thread(*parent);
    ++r.spawned;
    t->outstanding = true;
    t->stats_epoch = r.stats_epoch;
    r.max_running = std::max(r.max_running, ++r.running);
    ensure_exit_check();
  }
  // Under the controlled scheduler the thread exists (and may be chosen to
  // run) from now on; its OS thread waits for that turn in enter_spawned().
  t->sched = schedule::on_spawn(t->index, t->name);
  return t;
}

void joined(ThreadRecord& t) {
  Invisible invisible;
  Registry& r = registry();
  PlainLock guard(r.mu);
  stop_counting_locked(r, t);
}

void detached(ThreadRecord& t) {
  Invisible invisible;
  Registry& r = registry();
  PlainLock guard(r.mu);
  t.detached = true;
  if (t.finished.load(std::memory_order_acquire)) stop_counting_locked(r, t);
}

void runs_until_exit(ThreadRecord& t) {
  Invisible invisible;
  Registry& r = registry();
  PlainLock guard(r.mu);
  t.runs_until_exit = true;
}

void enter_spawned(const std::shared_ptr<ThreadRecord>& record) {
  Invisible invisible;
  record->tid.store(current_tid(), std::memory_order_relaxed);
  tls_holder.record = record;
  tls_self = record.get();
  internal::tls_held = tls_self;
  // Under the controlled scheduler: wait for this thread's first turn.
  schedule::on_start(record->sched);
}

void exit_current() {
  Invisible invisible;
  ThreadRecord* t = tls_self;
  if (t == nullptr) return;
  // The main thread's record ends only when the process exits.
  if (t->tid.load(std::memory_order_relaxed) == ::getpid()) process_exiting.store(true, std::memory_order_relaxed);
  Registry& r = registry();
  {
    PlainLock guard(r.mu);
    t->finished.store(true, std::memory_order_release);
    if (t->detached) stop_counting_locked(r, *t);
    r.live.erase(std::remove_if(r.live.begin(), r.live.end(), [&](const auto& p) { return p.get() == t; }),
                 r.live.end());
    // With this thread gone, the ones left may all be waiting for nothing.
    notify_watcher_locked(r);
  }
  // Under the controlled scheduler: give the turn away for good (the main
  // thread keeps it while the process exits).
  if (t->spawned) schedule::on_exit();
}

void wait_for_thread(ThreadRecord& t, const std::source_location& where) { schedule::wait_for_exit(t.sched, where); }
schedule::ThreadCtl* schedule_ctl(const ThreadRecord& t) { return t.sched; }

std::string thread_description(const ThreadRecord& t) { return short_thread(t); }
std::string_view thread_name(const ThreadRecord& t) { return t.name; }
bool thread_finished(const ThreadRecord& t) {
  Invisible invisible;
  return t.finished.load(std::memory_order_acquire);
}

namespace {

// How long exit waits for threads that are still running: what
// ThreadSanitizer's atexit_sleep_ms gave every run, now paid only by a
// program that left a thread running (the runs set atexit_sleep_ms=0).
constexpr auto kExitWaitForThreads = std::chrono::milliseconds(1000);

// Spawned threads that nobody joined and that are still running: a detached
// thread, or one whose JoinHandle was dropped. Each is reported as a thread
// leak (once), and exit then waits for them, so that ThreadSanitizer still
// sees what they do while the program ends (the race TSan's exit sleep was
// for) and the run's verdict does not depend on how far they got.
std::vector<std::shared_ptr<ThreadRecord>> still_running_locked(Registry& r) REQUIRES(r.mu) {
  std::vector<std::shared_ptr<ThreadRecord>> out;
  for (auto& t : r.live) {
    if (t.get() == tls_self || !t->spawned || t->runs_until_exit) continue;
    if (t->finished.load(std::memory_order_acquire)) continue;
    out.push_back(t);
  }
  return out;
}

void report_running_at_exit(const ThreadRecord& t) {
  std::string body = "  " + short_thread(t) +
                     " was still running when the program exited: nobody joined it, so its work was cut "
                     "short, and whatever it still touches races with the program's exit.\n\n";
  body += "  Thread T" + std::to_string(t.index) + " created here:\n" + frame_text(t.spawned_at) + "\n";
  emit("thread leak", "", body, t.spawned_at);
}

// Threads the primitives do not know (a std::thread, say) that are on a CPU.
bool unknown_thread_running(Registry& r) {
  std::set<pid_t> known{current_tid()};
  {
    PlainLock guard(r.mu);
    for (auto& t : r.live) known.insert(t->tid.load(std::memory_order_relaxed));
    known.insert(r.watcher_tid);
  }
  for (auto& [tid, sample] : sample_os_threads()) {
    if (known.count(tid) == 0 && sample.state == 'R') return true;
  }
  return false;
}

void at_exit_finish_running_threads() {
  Invisible invisible;
  if (!enabled()) return;
  Registry& r = registry();
  std::vector<std::shared_ptr<ThreadRecord>> running;
  {
    PlainLock guard(r.mu);
    running = still_running_locked(r);
  }
  for (auto& t : running) {
    bool reported;
    {
      PlainLock guard(r.mu);
      reported = std::exchange(t->leak_reported, true);
    }
    if (!reported) report_running_at_exit(*t);
  }
  auto deadline = std::chrono::steady_clock::now() + kExitWaitForThreads;
  auto busy = [&] {
    for (auto& t : running) {
      if (!t->finished.load(std::memory_order_acquire)) return true;
    }
    // Under the controlled scheduler the threads that matter are all known
    // (and sampling /proc in each of its many short processes costs more
    // than the rest of their exit).
    return !schedule::controlled() && unknown_thread_running(r);
  };
  while (busy() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!running.empty()) maybe_abort_after_report();
}

}  // namespace

ThreadStats thread_stats() {
  Invisible invisible;
  Registry& r = registry();
  PlainLock guard(r.mu);
  return ThreadStats{r.spawned, r.max_running};
}

void reset_thread_stats() {
  Invisible invisible;
  Registry& r = registry();
  PlainLock guard(r.mu);
  // Threads from before (a detached one of an earlier test still ending, say)
  // do not count in what comes next.
  ++r.stats_epoch;
  r.spawned = 0;
  r.running = 0;
  r.max_running = 0;
}

WaitKind waiting_in(std::string_view thread_name) {
  Invisible invisible;
  Registry& r = registry();
  PlainLock guard(r.mu);
  for (const auto& t : r.live) {
    if (t->name != thread_name) continue;
    switch (t->wait_type) {
      case WaitType::kNone:
        break;
      case WaitType::kLock:
        return WaitKind::kLock;
      case WaitType::kJoin:
        return WaitKind::kJoin;
      case WaitType::kOther:
        return WaitKind::kOther;
    }
  }
  return WaitKind::kNone;
}

// ---- The controlled scheduler's view ----------------------------------------------
//
// The scheduler sits below the detector; it asks through these hooks what
// each thread holds and waits for (its step log), and has the detector print
// the deadlock it sees when no thread can run. Installed here, by a static
// initializer of the unit every program links.

namespace {

std::vector<schedule::ThreadView> views_locked(Registry& r) REQUIRES(r.mu) {
  std::vector<schedule::ThreadView> out;
  for (auto& t : r.live) {
    schedule::ThreadView v;
    v.index = t->index;
    int n = std::min(t->held_count.load(std::memory_order_acquire), kMaxHeld);
    for (int i = 0; i < n; ++i) {
      const LockInfo* l = t->held[i].lock.load(std::memory_order_relaxed);
      if (l == nullptr) continue;
      bool shared = t->held[i].mode.load(std::memory_order_relaxed) == Mode::kShared;
      v.holds.push_back(l->describe() + (shared ? " (reading)" : ""));
    }
    v.waits = wait_what_locked(*t);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<schedule::ThreadView> views_for_schedule() {
  Invisible invisible;
  Registry& r = registry();
  if (t_noting_failure) {
    // From emit() the lock may be this thread's already; the other controlled
    // threads are all parked outside the registry then, so no one else can
    // touch it: as good as held.
    r.mu.assert_held();
    return views_locked(r);
  }
  PlainLock guard(r.mu);
  return views_locked(r);
}

[[noreturn]] void report_all_blocked_for_schedule(const std::function<std::string(int)>& extra) {
  Invisible invisible;
  Registry& r = registry();
  std::string body = "  Every thread is waiting and none of them can wake the others.\n";
  std::string summary;
  {
    PlainLock guard(r.mu);
    const ThreadRecord* first = nullptr;
    for (auto& t : r.live) {
      std::string theirs = extra(t->index);
      if (t->wait_type != WaitType::kNone) {
        body += "\n" + wait_text_locked(*t) + held_locks_text(*t);
        // The summary names a worker rather than a joining main thread when it can.
        if (first == nullptr || (first->wait_type == WaitType::kJoin && t->wait_type != WaitType::kJoin)) {
          first = t.get();
        }
      } else if (!theirs.empty()) {
        body += "\n  " + describe_thread_locked(*t) + " " + theirs + held_locks_text(*t);
      }
    }
    body += "\n";
    summary = summary_text("deadlock", first != nullptr ? first->wait_site : std::source_location::current());
  }
  emit_with_summary("deadlock", "all threads are blocked", body, summary, true);
  end_after_report();
}

const bool kScheduleHooksInstalled = [] {
  schedule::DetectorHooks hooks;
  hooks.current_thread = [] {
    Invisible invisible;
    ThreadRecord* t = self();
    // A record made before a fork names the parent's thread id.
    t->tid.store(current_tid(), std::memory_order_relaxed);
    return std::pair<int, std::string>(t->index, t->name);
  };
  hooks.views = views_for_schedule;
  hooks.report_all_blocked = report_all_blocked_for_schedule;
  hooks.emit = [](const std::string& kind, const std::string& qualifier, const std::string& body,
                  const std::string& location) {
    Invisible invisible;
    emit_with_summary(kind, qualifier, body, "SUMMARY: racelings: " + kind + " " + location + "\n", true);
  };
  schedule::set_detector_hooks(std::move(hooks));
  return true;
}();

}  // namespace

}  // namespace detector
}  // namespace racelings
