// The deadlock detector. See detector.h for what it finds and REPORTS.md for
// what it prints.
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

#include "primitives/detector.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "primitives/detector/edge_cache.h"
#include "primitives/schedule/invisible.h"

// Present when a sanitizer runtime is linked in; prints the calling thread's
// symbolized stack to stderr.
extern "C" void __sanitizer_print_stack_trace() __attribute__((weak));

namespace racelings {
namespace detector {
namespace {

constexpr int kReportExitCode = 66;  // The code sanitizers use for a report.

struct Config {
  bool enabled = true;
  bool abort_on_report = false;
  int grace_ms = 200;
  bool stress = false;
  uint64_t stress_seed = 0;
};

uint64_t parse_u64(const char* text, uint64_t fallback) {
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  return (end != nullptr && *end == '\0') ? value : fallback;
}

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

// The detector runs inside Invisible scopes (schedule/invisible.h): neither
// ThreadSanitizer nor the controlled scheduler sees its own locks and atomics.
using schedule::Invisible;

std::string location_text(const std::source_location& l) {
  std::string s = l.file_name();
  s += ':';
  s += std::to_string(l.line());
  if (l.column() != 0) {
    s += ':';
    s += std::to_string(l.column());
  }
  return s;
}

std::string frame_text(const std::source_location& l) {
  std::string fn = l.function_name();
  if (fn.empty()) fn = "<unknown>";
  return "    #0 " + fn + " " + location_text(l) + "\n";
}

std::string summary_text(const std::string& kind, const std::source_location& l) {
  std::string fn = l.function_name();
  if (fn.empty()) fn = "<unknown>";
  return "SUMMARY: racelings: " + kind + " " + location_text(l) + " in " + fn + "\n";
}

}  // namespace

// ---- Threads -------------------------------------------------------------------

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

namespace {

struct Registry {
  std::mutex mu;
  std::vector<std::shared_ptr<ThreadRecord>> live;  // Guarded by mu.
  int next_index = 0;                               // Guarded by mu.

  // The all-blocked watcher.
  std::condition_variable wake_watcher;
  bool watcher_started = false;  // Guarded by mu.
  bool suspect = false;          // Guarded by mu: all threads were seen blocked.
  pid_t watcher_tid = 0;         // Guarded by mu.

  // Reports are printed one at a time.
  std::mutex report_mu;
  std::function<void(const std::string&)> sink;  // Guarded by report_mu.
  std::atomic<int> reports{0};

  // Spawned-thread statistics, guarded by mu.
  int spawned = 0;
  int running = 0;  // Outstanding threads spawned since the last reset.
  int max_running = 0;
  int stats_epoch = 0;  // Counts reset_thread_stats() calls.
};

// A thread stops counting as running (joined, or detached and ended); one
// spawned before the last reset_thread_stats() was never counted in `running`.
void stop_counting_locked(Registry& r, ThreadRecord& t) {
  if (std::exchange(t.outstanding, false) && t.stats_epoch == r.stats_epoch) --r.running;
}

// Set once the process is exiting (main returned or exit() was called):
// from then on threads left blocked are not a deadlock of the program, and
// exit-time work (LeakSanitizer's check, say) may outlast the grace period.
// Relaxed: a late view only delays the point where reports stop.
std::atomic<bool> process_exiting{false};

void at_exit_finish_running_threads();

Registry& registry() {
  // Leaked on purpose: threads may still use it while the process exits.
  static Registry* r = [] {
    std::atexit([] { process_exiting.store(true, std::memory_order_relaxed); });
    return new Registry;
  }();
  return *r;
}

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

struct Edge {
  uint64_t to = 0;
  std::string from_desc, to_desc;
  std::string thread_desc;
  std::source_location from_site, to_site;
};

struct Graph {
  std::mutex mu;
  std::unordered_map<uint64_t, std::vector<Edge>> out;  // Guarded by mu.
  std::set<std::pair<uint64_t, uint64_t>> reported;     // Guarded by mu.
};

Graph& graph() {
  static Graph* g = new Graph;
  return *g;
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

std::string describe_thread_locked(const ThreadRecord& t) {
  std::string s = "Thread T" + std::to_string(t.index);
  if (!t.name.empty()) s += " '" + t.name + "'";
  s += " (tid=" + std::to_string(t.tid.load(std::memory_order_relaxed)) + ")";
  return s;
}

std::string short_thread(const ThreadRecord& t) {
  std::string s = "thread T" + std::to_string(t.index);
  if (!t.name.empty()) s += " '" + t.name + "'";
  return s;
}

// Prints a report whose SUMMARY line is `summary` (see summary_text).
void emit_with_summary(const std::string& kind, const std::string& qualifier, const std::string& body,
                       const std::string& summary, bool with_stack) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.report_mu);
  std::string head = "==================\nWARNING: racelings: " + kind;
  if (!qualifier.empty()) head += " (" + qualifier + ")";
  head += " (pid=" + std::to_string(::getpid()) + ")\n";
  std::string tail = summary + "==================\n";
  if (r.sink) {
    // A test that captures reports checks them itself: they are not printed
    // and do not count (test_main fails a test binary that printed any).
    r.sink(head + body + tail);
    return;
  }
  // Relaxed: a counter read after the reporting threads are done.
  r.reports.fetch_add(1, std::memory_order_relaxed);
  std::string text = head + body;
  // RACELINGS_REPORT_PATH (set by the checker, like a sanitizer's log_path)
  // sends reports to a file, so a program that closes its stderr cannot
  // hide them.
  int fd = STDERR_FILENO;
  const char* path = std::getenv("RACELINGS_REPORT_PATH");
  if (path != nullptr && *path != '\0') {
    int file = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (file >= 0) fd = file;
  }
  // One write per piece so that reports from two threads do not interleave
  // line by line (report_mu also keeps our own reports apart).
  auto write_all = [fd](const std::string& s) {
    const char* p = s.data();
    size_t left = s.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n <= 0) return;
      p += n;
      left -= static_cast<size_t>(n);
    }
  };
  write_all(text);
  if (fd != STDERR_FILENO) {
    write_all(tail);
    ::close(fd);
    return;
  }
  if (with_stack && __sanitizer_print_stack_trace != nullptr) {
    write_all("  Stack of the reporting thread:\n");
    __sanitizer_print_stack_trace();
    write_all("\n");
  }
  write_all(tail);
}

// Set while emit() tells the scheduler about a report: its step log then asks
// views_for_schedule() for the threads' state, and emit() may be called with
// the registry's lock held (a cycle found as a thread starts to wait).
thread_local bool t_noting_failure = false;

void emit(const std::string& kind, const std::string& qualifier, const std::string& body,
          const std::source_location& where, bool with_stack = true) {
  // The controlled scheduler's step log marks the step where it happened.
  t_noting_failure = true;
  schedule::note_failure(kind, qualifier, where);
  t_noting_failure = false;
  emit_with_summary(kind, qualifier, body, summary_text(kind, where), with_stack);
}

[[noreturn]] void end_after_report() {
  // The program can only hang from here; end it the way a sanitizer does.
  std::fflush(stdout);
  std::_Exit(kReportExitCode);
}

void maybe_abort_after_report() {
  if (config().abort_on_report) end_after_report();
}

// Non-zero while a report describes the held locks of threads that may be
// running (report_timeout): such a thread may release a lock and destroy it
// meanwhile. The report raises it, then reads the slots; ~LockInfo, after
// the release that cleared its slot, looks at it and, when raised, waits for
// the report (which holds Registry::mu) before the lock's memory goes. The
// seq_cst fences on both sides make sure one of the two sees the other.
std::atomic<int> describing_running_locks{0};

std::string held_locks_text(const ThreadRecord& t) {
  std::string s;
  int n = std::min(t.held_count.load(std::memory_order_acquire), kMaxHeld);
  for (int i = 0; i < n; ++i) {
    const LockInfo* l = t.held[i].lock.load(std::memory_order_relaxed);
    if (l == nullptr) continue;
    std::source_location site = t.held[i].site.load(std::memory_order_relaxed);
    bool shared = t.held[i].mode.load(std::memory_order_relaxed) == Mode::kShared;
    s += "  and holds " + l->describe() + (shared ? " for reading" : "") + ", acquired at:\n";
    s += frame_text(site);
  }
  return s;
}

// What the thread waits for ("waits for Mutex M3 'a'"), or "" when it runs.
std::string wait_what_locked(const ThreadRecord& t) {
  std::string s;
  switch (t.wait_type) {
    case WaitType::kNone:
      return s;
    case WaitType::kLock:
      s = std::string("waits for ") + (t.wait_mode == Mode::kShared ? "read access to " : "") + t.wait_lock->describe();
      break;
    case WaitType::kJoin:
      s = "waits to join " + short_thread(*t.wait_thread);
      break;
    case WaitType::kOther:
      s = t.wait_object->describe_wait();
      break;
  }
  if (t.wait_has_timeout) s += " (with a timeout)";
  return s;
}

std::string wait_text_locked(const ThreadRecord& t) {
  std::string s = "  " + describe_thread_locked(t) + " ";
  if (t.wait_type == WaitType::kNone) return s + "is running\n";
  return s + wait_what_locked(t) + ":\n" + frame_text(t.wait_site);
}

// Threads that hold `lock`, found through their held slots.
std::vector<ThreadRecord*> holders_locked(Registry& r, const LockInfo& lock) {
  std::vector<ThreadRecord*> out;
  for (auto& t : r.live) {
    int n = std::min(t->held_count.load(std::memory_order_acquire), kMaxHeld);
    for (int i = 0; i < n; ++i) {
      if (t->held[i].lock_id.load(std::memory_order_relaxed) == lock.id() &&
          t->held[i].lock.load(std::memory_order_relaxed) != nullptr) {
        out.push_back(t.get());
        break;
      }
    }
  }
  return out;
}

// The threads `t` waits for: holders of the lock it wants, or the thread it joins.
std::vector<ThreadRecord*> waits_for_locked(Registry& r, const ThreadRecord& t) {
  if (t.wait_has_timeout) return {};
  if (t.wait_type == WaitType::kLock) {
    auto hs = holders_locked(r, *t.wait_lock);
    if (t.wait_mode == Mode::kShared) {
      // A reader waits only for a writer; other readers do not block it.
      std::vector<ThreadRecord*> writers;
      for (ThreadRecord* h : hs) {
        int n = std::min(h->held_count.load(std::memory_order_acquire), kMaxHeld);
        for (int i = 0; i < n; ++i) {
          if (h->held[i].lock_id.load(std::memory_order_relaxed) == t.wait_lock->id() &&
              h->held[i].mode.load(std::memory_order_relaxed) == Mode::kExclusive) {
            writers.push_back(h);
            break;
          }
        }
      }
      return writers;
    }
    return hs;
  }
  if (t.wait_type == WaitType::kJoin && !t.wait_thread->finished.load(std::memory_order_acquire)) {
    return {t.wait_thread.get()};
  }
  return {};
}

// Depth-first search for a path of waits from `from` back to `target`.
bool find_cycle_locked(Registry& r, ThreadRecord* from, ThreadRecord* target, std::vector<ThreadRecord*>& path,
                       std::unordered_set<ThreadRecord*>& seen) {
  for (ThreadRecord* next : waits_for_locked(r, *from)) {
    if (next == target) {
      path.push_back(from);
      return true;
    }
    if (!seen.insert(next).second) continue;
    if (!next->blocked()) continue;
    if (find_cycle_locked(r, next, target, path, seen)) {
      path.push_back(from);
      return true;
    }
  }
  return false;
}

void report_cycle_locked(Registry& r, std::vector<ThreadRecord*> cycle) {
  std::reverse(cycle.begin(), cycle.end());
  std::string body;
  bool joins = false;
  for (ThreadRecord* t : cycle) joins = joins || t->wait_type == WaitType::kJoin;
  body += joins ? "  Threads wait for each other in a cycle (locks held while joining):\n"
                : "  Threads wait for each other's locks in a cycle:\n";
  body += "   ";
  for (ThreadRecord* t : cycle) body += " T" + std::to_string(t->index) + " =>";
  body += " T" + std::to_string(cycle.front()->index) + "\n";
  for (ThreadRecord* t : cycle) {
    body += "\n" + wait_text_locked(*t) + held_locks_text(*t);
  }
  // Other threads that wait on the cycle (e.g. main joining the workers).
  for (auto& t : r.live) {
    if (std::find(cycle.begin(), cycle.end(), t.get()) != cycle.end()) continue;
    if (!t->blocked()) continue;
    body += "\n" + wait_text_locked(*t) + held_locks_text(*t);
  }
  body += "\n";
  emit("deadlock", "cycle of waiting threads", body, cycle.front()->wait_site);
}

void notify_watcher_locked(Registry& r);

// Called under r.mu after a thread started to wait.
void check_after_wait_started_locked(Registry& r, ThreadRecord* me) {
  if (!me->blocked()) return;
  if (me->wait_type == WaitType::kLock || me->wait_type == WaitType::kJoin) {
    std::vector<ThreadRecord*> path;
    std::unordered_set<ThreadRecord*> seen{me};
    if (find_cycle_locked(r, me, me, path, seen)) {
      report_cycle_locked(r, path);
      end_after_report();
    }
  }
  notify_watcher_locked(r);
}

bool all_blocked_locked(Registry& r) {
  if (r.live.empty()) return false;
  for (auto& t : r.live) {
    if (!t->blocked()) return false;
  }
  return true;
}

// ---- The all-blocked watcher -------------------------------------------------

// Between two samples of the OS threads, a grace period apart: any sign that
// the blocked threads are not stuck. A known thread counted as blocked may
// have been notified (or had its lock released) and not have run yet: it is
// then runnable ('R'), and reporting it would accuse a correct program on a
// loaded machine. A thread the primitives do not know (a std::thread, say)
// may still wake someone: os_thread_may_wake().
bool some_thread_may_wake(const std::set<pid_t>& known, const std::map<pid_t, OsThreadSample>& before,
                          const std::map<pid_t, OsThreadSample>& after) {
  const pid_t watcher = current_tid();  // Running as it reads the samples.
  for (auto& [tid, s] : after) {
    if (tid == watcher) continue;
    if (known.count(tid) == 0) {
      if (os_thread_may_wake(tid, before, s)) return true;
      continue;
    }
    auto it = before.find(tid);
    if (s.state == 'R' || (it != before.end() && s.cpu_ticks > it->second.cpu_ticks)) return true;
  }
  return false;
}

void watcher_main() {
  Invisible invisible;
  Registry& r = registry();
  std::unique_lock<std::mutex> lock(r.mu);
  r.watcher_tid = current_tid();
  for (;;) {
    r.wake_watcher.wait(lock, [&] { return r.suspect; });
    r.suspect = false;
    if (process_exiting.load(std::memory_order_relaxed) || !all_blocked_locked(r)) continue;
    // Remember who waits where; report only if nothing moved for the grace period.
    std::vector<std::pair<std::shared_ptr<ThreadRecord>, uint64_t>> snapshot;
    std::set<pid_t> known;
    for (auto& t : r.live) {
      snapshot.emplace_back(t, t->block_seq);
      known.insert(t->tid.load(std::memory_order_relaxed));
    }
    known.insert(r.watcher_tid);
    lock.unlock();
    auto before = sample_os_threads();
    std::this_thread::sleep_for(std::chrono::milliseconds(config().grace_ms));
    auto after = sample_os_threads();
    lock.lock();
    if (process_exiting.load(std::memory_order_relaxed)) continue;
    if (!all_blocked_locked(r) || r.live.size() != snapshot.size()) continue;
    bool same = true;
    for (auto& [t, seq] : snapshot) {
      if (t->finished.load(std::memory_order_acquire) || t->block_seq != seq) same = false;
    }
    if (!same) continue;
    if (some_thread_may_wake(known, before, after)) {
      // Look again later: the thread that moved may stop (or wake the rest).
      r.suspect = true;
      continue;
    }
    std::string body = "  Every thread is waiting and none of them can wake the others.\n";
    const ThreadRecord* first = nullptr;
    for (auto& t : r.live) {
      body += "\n" + wait_text_locked(*t) + held_locks_text(*t);
      // The summary names a worker rather than a joining main thread when it can.
      if (first == nullptr || (first->wait_type == WaitType::kJoin && t->wait_type != WaitType::kJoin)) {
        first = t.get();
      }
    }
    body += "\n";
    emit("deadlock", "all threads are blocked", body, first->wait_site);
    end_after_report();
  }
}

void notify_watcher_locked(Registry& r) {
  // The controlled scheduler knows at once when no thread can run.
  if (schedule::controlled()) return;
  if (!all_blocked_locked(r)) return;
  if (!r.watcher_started) {
    r.watcher_started = true;
    // A raw detached pthread: the watcher must never appear as a known thread,
    // and it must not keep the process alive at exit.
    pthread_t handle;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(
        &handle, &attr,
        [](void*) -> void* {
          pthread_setname_np(pthread_self(), "racelings-watch");
          watcher_main();
          return nullptr;
        },
        nullptr);
    pthread_attr_destroy(&attr);
  }
  r.suspect = true;
  r.wake_watcher.notify_one();
}

std::shared_ptr<ThreadRecord> new_record_locked(Registry& r, std::string name) {
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
  std::lock_guard<std::mutex> lock(r.mu);
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


// Depth-first search in the lock-order graph for a path from `from` to `to`.
bool find_lock_path_locked(Graph& g, uint64_t from, uint64_t to, std::vector<const Edge*>& path,
                           std::unordered_set<uint64_t>& seen) {
  auto it = g.out.find(from);
  if (it == g.out.end()) return false;
  for (const Edge& e : it->second) {
    if (e.to == to) {
      path.push_back(&e);
      return true;
    }
    if (!seen.insert(e.to).second) continue;
    if (find_lock_path_locked(g, e.to, to, path, seen)) {
      path.push_back(&e);
      return true;
    }
  }
  return false;
}

void check_lock_order(ThreadRecord& t, LockInfo& lock, const std::source_location& where) {
  int n = std::min(t.held_count.load(std::memory_order_relaxed), kMaxHeld);
  for (int i = 0; i < n; ++i) {
    const LockInfo* held = t.held[i].lock.load(std::memory_order_relaxed);
    if (held == nullptr || held->id() == lock.id()) continue;
    if (t.edge_cache.contains(held->id(), lock.id())) continue;
    Graph& g = graph();
    // Released before a report is printed: printing (symbolizing) is slow.
    std::unique_lock<std::mutex> guard(g.mu);
    t.edge_cache.insert(held->id(), lock.id());
    auto& edges = g.out[held->id()];
    bool known = std::any_of(edges.begin(), edges.end(), [&](const Edge& e) { return e.to == lock.id(); });
    if (known || g.reported.count({held->id(), lock.id()}) != 0) continue;
    std::vector<const Edge*> path;
    std::unordered_set<uint64_t> seen{lock.id()};
    std::source_location held_site = t.held[i].site.load(std::memory_order_relaxed);
    std::string thread_desc;
    {
      Registry& r = registry();
      std::lock_guard<std::mutex> rl(r.mu);
      thread_desc = describe_thread_locked(t);
    }
    if (find_lock_path_locked(g, lock.id(), held->id(), path, seen)) {
      std::reverse(path.begin(), path.end());
      g.reported.insert({held->id(), lock.id()});
      std::string cycle = "  Cycle in lock order graph: " + held->describe() + " => " + lock.describe();
      for (const Edge* e : path) cycle += " => " + e->to_desc;
      std::string body = cycle + "\n\n";
      auto section = [&](const std::string& from, const std::string& to, const std::string& who,
                         const std::source_location& from_site, const std::source_location& to_site) {
        body += "  " + to + " acquired here while holding " + from + " in " + who + ":\n";
        body += frame_text(to_site) + "\n";
        body += "  " + from + " previously acquired by the same thread here:\n";
        body += frame_text(from_site) + "\n";
      };
      section(held->describe(), lock.describe(), thread_desc, held_site, where);
      for (const Edge* e : path) section(e->from_desc, e->to_desc, e->thread_desc, e->from_site, e->to_site);
      guard.unlock();
      emit("lock-order inversion", "potential deadlock", body, where);
      maybe_abort_after_report();
      continue;
    }
    Edge e;
    e.to = lock.id();
    e.from_desc = held->describe();
    e.to_desc = lock.describe();
    e.thread_desc = thread_desc;
    e.from_site = held_site;
    e.to_site = where;
    edges.push_back(std::move(e));
    const_cast<LockInfo*>(held)->in_graph.store(true, std::memory_order_relaxed);
    lock.in_graph.store(true, std::memory_order_relaxed);
  }
}

void report_self_deadlock(ThreadRecord& t, LockInfo& lock, Mode mode, int slot, const std::source_location& where) {
  bool held_shared = t.held[slot].mode.load(std::memory_order_relaxed) == Mode::kShared;
  std::string what;
  if (lock.kind() == LockKind::kMutex) {
    what = "thread re-locks a mutex it already holds";
  } else if (held_shared && mode == Mode::kExclusive) {
    what = "thread asks to write an RwLock it is reading";
  } else if (!held_shared && mode == Mode::kShared) {
    what = "thread asks to read an RwLock it is writing";
  } else {
    what = "thread asks to write an RwLock it is writing";
  }
  std::string body;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> rl(r.mu);
    body = "  A thread waits for a lock that it holds itself: it would wait forever.\n\n";
    body += "  " + describe_thread_locked(t) + " waits for " + (mode == Mode::kShared ? "read access to " : "") +
            lock.describe() + ":\n";
    body += frame_text(where) + "\n";
    body += "  " + lock.describe() + " was acquired by the same thread" + (held_shared ? " for reading" : "") +
            " here:\n";
    body += frame_text(t.held[slot].site.load(std::memory_order_relaxed)) + "\n";
  }
  emit("deadlock", what, body, where);
}

}  // namespace

// ---- LockInfo ----------------------------------------------------------------

namespace {
// Relaxed: ids only need to be unique.
std::atomic<uint64_t> next_lock_id{1};
}  // namespace

LockInfo::LockInfo(LockKind kind, std::string_view name, std::source_location created)
    : id_(next_lock_id.fetch_add(1, std::memory_order_relaxed)), kind_(kind), name_(name), created_(created) {
  Invisible invisible;}

LockInfo::~LockInfo() {
  Invisible invisible;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (describing_running_locks.load(std::memory_order_relaxed) != 0) {
    // A timeout report may be reading this lock's name: wait for its end.
    std::lock_guard<std::mutex> wait_for_report(registry().mu);
  }
  if (!in_graph.load(std::memory_order_relaxed)) return;
  Graph& g = graph();
  std::lock_guard<std::mutex> guard(g.mu);
  g.out.erase(id_);
  for (auto& [from, edges] : g.out) {
    edges.erase(std::remove_if(edges.begin(), edges.end(), [&](const Edge& e) { return e.to == id_; }), edges.end());
  }
}

std::string LockInfo::describe() const {
  std::string s = kind_ == LockKind::kMutex ? "Mutex M" : "RwLock M";
  s += std::to_string(id_);
  if (!name_.empty()) {
    s += " '" + name_ + "'";
  } else {
    std::string file = created_.file_name();
    auto slash = file.rfind('/');
    if (slash != std::string::npos) file = file.substr(slash + 1);
    s += " 'created at " + file + ":" + std::to_string(created_.line()) + "'";
  }
  return s;
}

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

BlockScope::BlockScope(LockInfo& lock, Mode mode, const std::source_location& where) 
    : self_(enabled() ? self() : nullptr) {
  if (self_ == nullptr) return;  // RACELINGS_DETECT=0: waits are not watched.
  Invisible invisible;
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
  self_->wait_type = WaitType::kLock;
  self_->wait_lock = &lock;
  self_->wait_mode = mode;
  self_->wait_has_timeout = false;
  self_->wait_site = where;
  ++self_->block_seq;
  check_after_wait_started_locked(r, self_);
}

BlockScope::BlockScope(ThreadRecord& joined, const std::source_location& where) 
    : self_(enabled() ? self() : nullptr) {
  if (self_ == nullptr) return;  // RACELINGS_DETECT=0: waits are not watched.
  Invisible invisible;
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
  self_->wait_type = WaitType::kJoin;
  // The joined record is kept alive by the JoinHandle; share it for reports.
  for (auto& t : r.live) {
    if (t.get() == &joined) self_->wait_thread = t;
  }
  if (!self_->wait_thread) {
    // Already finished and unregistered: nothing to wait for.
    self_->wait_type = WaitType::kNone;
    return;
  }
  self_->wait_has_timeout = false;
  self_->wait_site = where;
  ++self_->block_seq;
  check_after_wait_started_locked(r, self_);
}

BlockScope::BlockScope(const Waitable& what, bool has_timeout, const std::source_location& where) 
    : self_(enabled() ? self() : nullptr) {
  if (self_ == nullptr) return;  // RACELINGS_DETECT=0: waits are not watched.
  Invisible invisible;
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
  self_->wait_type = WaitType::kOther;
  self_->wait_object = &what;
  self_->wait_has_timeout = has_timeout;
  self_->wait_site = where;
  ++self_->block_seq;
  check_after_wait_started_locked(r, self_);
}

BlockScope::~BlockScope() {
  if (self_ == nullptr) return;
  Invisible invisible;
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
  self_->wait_type = WaitType::kNone;
  self_->wait_lock = nullptr;
  self_->wait_thread.reset();
  self_->wait_object = nullptr;
  ++self_->block_seq;
}

std::shared_ptr<ThreadRecord> register_spawned(std::string name, const std::source_location& where) {
  Invisible invisible;
  ThreadRecord* parent = self();
  Registry& r = registry();
  std::shared_ptr<ThreadRecord> t;
  {
    std::lock_guard<std::mutex> guard(r.mu);
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
  std::lock_guard<std::mutex> guard(r.mu);
  stop_counting_locked(r, t);
}

void detached(ThreadRecord& t) {
  Invisible invisible;
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
  t.detached = true;
  if (t.finished.load(std::memory_order_acquire)) stop_counting_locked(r, t);
}

void runs_until_exit(ThreadRecord& t) {
  Invisible invisible;
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
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
    std::lock_guard<std::mutex> guard(r.mu);
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

void report_thread_leak(const ThreadRecord& t, const std::source_location& spawned_at,
                        const std::source_location& dropped_at) {
  Invisible invisible;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> guard(r.mu);
    const_cast<ThreadRecord&>(t).leak_reported = true;
  }
  std::string body = "  The JoinHandle of " + short_thread(t) +
                     " was destroyed without join() or detach(): nobody will wait for the thread, see its "
                     "result or learn of its exception.\n\n";
  (void)dropped_at;  // Inside the primitives; the reporting thread's stack shows the caller.
  body += "  Thread T" + std::to_string(t.index) + " created here:\n" + frame_text(spawned_at) + "\n";
  emit("thread leak", "", body, spawned_at);
  maybe_abort_after_report();
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
std::vector<std::shared_ptr<ThreadRecord>> still_running_locked(Registry& r) {
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
    std::lock_guard<std::mutex> guard(r.mu);
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
    std::lock_guard<std::mutex> guard(r.mu);
    running = still_running_locked(r);
  }
  for (auto& t : running) {
    bool reported;
    {
      std::lock_guard<std::mutex> guard(r.mu);
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

void report_mutex_misuse(const LockInfo& lock, std::string_view what, const std::source_location& where) {
  Invisible invisible;
  std::string body = "  " + std::string(what) + ": " + lock.describe() + "\n\n";
  body += "  at:\n" + frame_text(where) + "\n";
  emit("mutex misuse", std::string(what), body, where);
  maybe_abort_after_report();
}

namespace {
[[gnu::noinline]] void stress_point_slow();
}  // namespace

void stress_point() {
  // Checked first and the rest kept out of line: every lock and unlock
  // passes here, and stress is normally off. The controlled scheduler makes
  // its own choices.
  if (config().stress && !schedule::controlled()) stress_point_slow();
}

namespace {
void stress_point_slow() {
  const Config& c = config();
  Invisible invisible;
  static std::once_flag announced;
  std::call_once(announced, [&] {
    std::string line = "racelings: schedule stress on, seed " + std::to_string(c.stress_seed) +
                       " (run again with RACELINGS_STRESS=" + std::to_string(c.stress_seed) + ")\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  });
  ThreadRecord* t = self();
  if (t->rng == 0) t->rng = (c.stress_seed ^ (0x9E3779B97F4A7C15ULL * (t->index + 1))) | 1;
  // xorshift64: a cheap, seedable generator private to the thread.
  t->rng ^= t->rng << 13;
  t->rng ^= t->rng >> 7;
  t->rng ^= t->rng << 17;
  uint64_t roll = t->rng % 64;
  if (roll < 8) {
    std::this_thread::yield();
  } else if (roll < 11) {
    std::this_thread::sleep_for(std::chrono::microseconds(10 + (t->rng >> 8) % 500));
  }
}
}  // namespace

bool stress_spurious_wakeup() {
  Invisible invisible;
  if (!config().stress || schedule::controlled()) return false;
  ThreadRecord* t = self();
  if (t->rng == 0) stress_point();
  t->rng ^= t->rng << 13;
  t->rng ^= t->rng >> 7;
  t->rng ^= t->rng << 17;
  return t->rng % 4 == 0;
}

void report_timeout(std::string_view test_name, double seconds) {
  Invisible invisible;
  Registry& r = registry();
  std::string body;
  std::source_location where{};
  {
    std::lock_guard<std::mutex> guard(r.mu);
    char limit[64];
    std::snprintf(limit, sizeof(limit), "%.1f", seconds);
    body = "  The test " + std::string(test_name) + " did not finish within " + limit +
           " s. Threads known to the primitives:\n";
    describing_running_locks.store(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    for (auto& t : r.live) {
      body += "\n" + wait_text_locked(*t) + held_locks_text(*t);
      if (t->wait_type != WaitType::kNone && where.line() == 0) where = t->wait_site;
    }
    describing_running_locks.store(0, std::memory_order_relaxed);
    if (r.live.empty()) body += "  (none)\n";
    body += "\n";
  }
  emit("timeout", "", body, where);
}

std::map<pid_t, OsThreadSample> sample_os_threads() {
  Invisible invisible;
  std::map<pid_t, OsThreadSample> out;
  if (auto* dir = ::opendir("/proc/self/task")) {
    while (auto* entry = ::readdir(dir)) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      pid_t tid = static_cast<pid_t>(std::atoi(entry->d_name));
      std::string path = std::string("/proc/self/task/") + entry->d_name + "/stat";
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      char buf[1024];
      ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
      ::close(fd);
      if (n <= 0) continue;
      buf[n] = '\0';
      // Fields after the command name, which is in parentheses and may hold spaces.
      const char* p = std::strrchr(buf, ')');
      if (p == nullptr) continue;
      OsThreadSample s;
      // p[2] is the state; utime and stime are fields 14 and 15 (1-based).
      s.state = p[2];
      int field = 3;
      const char* q = p + 2;
      unsigned long long utime = 0, stime = 0;
      while (*q != '\0' && field <= 15) {
        while (*q == ' ') ++q;
        if (field == 14) utime = std::strtoull(q, nullptr, 10);
        if (field == 15) stime = std::strtoull(q, nullptr, 10);
        while (*q != '\0' && *q != ' ') ++q;
        ++field;
      }
      s.cpu_ticks = utime + stime;
      out[tid] = s;
    }
    ::closedir(dir);
  }
  return out;
}

namespace {

// The test watchdog and the all-blocked watcher: threads that never wake a
// thread or task of the program.
bool is_racelings_helper(pid_t tid) {
  std::string path = "/proc/self/task/" + std::to_string(tid) + "/comm";
  char buf[64] = {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  std::string comm(buf, n > 0 ? static_cast<size_t>(n) : 0);
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm == "racelings-dog" || comm == "racelings-watch";
}

// Whether a thread that is not running may still wake up by itself: anything
// but an untimed futex wait (a blocked mutex, condvar, join) may: a sleep, a
// timed wait, I/O. x86-64 syscall numbers; elsewhere every sleeping thread
// counts as one that may wake.
bool may_wake_later(pid_t tid) {
#if defined(__x86_64__)
  std::string path = "/proc/self/task/" + std::to_string(tid) + "/syscall";
  char buf[256] = {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return true;
  // "<nr> <arg1> ... <arg6> <sp> <pc>", or "running", or "-1 <sp> <pc>".
  char* end = nullptr;
  long nr = std::strtol(buf, &end, 10);
  if (end == buf) return true;
  constexpr long kFutex = 202;
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  // ThreadSanitizer's background thread sleeps in the raw nanosleep system
  // call (glibc's sleeps use clock_nanosleep, 230); it never wakes anyone.
  constexpr long kNanosleep = 35;
  if (nr == kNanosleep) return false;
#endif
#endif
  if (nr != kFutex) return true;
  unsigned long long args[6] = {};
  const char* p = end;
  for (auto& a : args) {
    a = std::strtoull(p, &end, 16);
    p = end;
  }
  return args[3] != 0;  // futex(addr, op, val, timeout, ...): a timeout ends the wait.
#else
  (void)tid;
  return true;
#endif
}

}  // namespace

bool os_thread_may_wake(pid_t tid, const std::map<pid_t, OsThreadSample>& before, const OsThreadSample& after) {
  Invisible invisible;
  if (is_racelings_helper(tid)) return false;
  auto it = before.find(tid);
  if (after.state == 'R' || it == before.end() || after.cpu_ticks > it->second.cpu_ticks + 1) return true;
  return may_wake_later(tid);
}

void set_report_sink_for_testing(std::function<void(const std::string&)> sink) {
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.report_mu);
  r.sink = std::move(sink);
}

void emit_report(const std::string& kind, const std::string& qualifier, const std::string& body,
                 const std::source_location& where, bool with_stack) {
  Invisible invisible;
  emit(kind, qualifier, body, where, with_stack);
}

void die_after_report() { end_after_report(); }

int reports_so_far() {
  Invisible invisible;
  return registry().reports.load(std::memory_order_relaxed);
}

ThreadStats thread_stats() {
  Invisible invisible;
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
  return ThreadStats{r.spawned, r.max_running};
}

void reset_thread_stats() {
  Invisible invisible;
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mu);
  // Threads from before (a detached one of an earlier test still ending, say)
  // do not count in what comes next.
  ++r.stats_epoch;
  r.spawned = 0;
  r.running = 0;
  r.max_running = 0;
}

// ---- The controlled scheduler's view ----------------------------------------------
//
// The scheduler sits below the detector; it asks through these hooks what
// each thread holds and waits for (its step log), and has the detector print
// the deadlock it sees when no thread can run.

namespace {

std::vector<schedule::ThreadView> views_for_schedule() {
  Invisible invisible;
  Registry& r = registry();
  // From emit() the lock may be this thread's already; the other controlled
  // threads are all parked outside the registry then, so reading it without
  // the lock is safe.
  std::unique_lock<std::mutex> guard(r.mu, std::defer_lock);
  if (!t_noting_failure) guard.lock();
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

[[noreturn]] void report_all_blocked_for_schedule(const std::function<std::string(int)>& extra) {
  Invisible invisible;
  Registry& r = registry();
  std::string body = "  Every thread is waiting and none of them can wake the others.\n";
  std::string summary;
  {
    std::lock_guard<std::mutex> guard(r.mu);
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
