// Printing the detector's reports (REPORTS.md): the text of threads, locks
// and waits, one report at a time to stderr or RACELINGS_REPORT_PATH, and
// the reports that do not come from a wait (misuse, leaks, timeouts).

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "primitives/detector.h"
#include "primitives/detector/internal.h"

// Present when a sanitizer runtime is linked in; prints the calling thread's
// symbolized stack to stderr.
extern "C" void __sanitizer_print_stack_trace() __attribute__((weak));

namespace racelings {
namespace detector {

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
  PlainLock lock(r.report_mu);
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
          const std::source_location& where, bool with_stack) {
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

void report_thread_leak(const ThreadRecord& t, const std::source_location& spawned_at,
                        const std::source_location& dropped_at) {
  Invisible invisible;
  {
    Registry& r = registry();
    PlainLock guard(r.mu);
    const_cast<ThreadRecord&>(t).leak_reported = true;
  }
  std::string body = "  The JoinHandle of " + short_thread(t) +
                     " was destroyed without join() or detach(): nobody will wait for the thread, see its "
                     "result or learn of its exception.\n\n";
  (void)dropped_at;  // Inside the primitives; the reporting thread's stack shows the caller.
  std::string thread = short_thread(t);  // "thread T1 'name'"
  thread[0] = 'T';
  body += "  " + thread + " created here:\n" + frame_text(spawned_at) + "\n";
  emit("thread leak", "", body, spawned_at);
  maybe_abort_after_report();
}

void report_mutex_misuse(const LockInfo& lock, std::string_view what, const std::source_location& where) {
  Invisible invisible;
  std::string who;
  {
    Registry& r = registry();
    PlainLock guard(r.mu);
    who = describe_thread_locked(*self());
  }
  std::string body = "  " + std::string(what) + ": " + lock.describe() + "\n\n";
  body += "  " + who + " did it here:\n" + frame_text(where) + "\n";
  emit("mutex misuse", std::string(what), body, where);
  maybe_abort_after_report();
}

void report_timeout(std::string_view test_name, double seconds) {
  Invisible invisible;
  Registry& r = registry();
  std::string body;
  std::source_location where{};
  {
    PlainLock guard(r.mu);
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

void set_report_sink_for_testing(std::function<void(const std::string&)> sink) {
  Registry& r = registry();
  PlainLock guard(r.report_mu);
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

}  // namespace detector
}  // namespace racelings
