// The scheduler's reports (a deadlock it sees at once, a livelock past the
// step bound) and its step log. See README.md for the log's format.

#include <execinfo.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "primitives/schedule/controller_internal.h"
#include "primitives/schedule/invisible.h"

// Present when a sanitizer runtime is linked in: symbolizes a code address.
extern "C" void __sanitizer_symbolize_pc(void* pc, const char* fmt, char* out, size_t size) __attribute__((weak));

namespace racelings {
namespace schedule {

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kStart:
      return "start";
    case Op::kSpawn:
      return "spawn";
    case Op::kJoin:
      return "join";
    case Op::kExit:
      return "exit";
    case Op::kLock:
      return "lock";
    case Op::kTryLock:
      return "try_lock";
    case Op::kUnlock:
      return "unlock";
    case Op::kReadLock:
      return "read_lock";
    case Op::kWriteLock:
      return "write_lock";
    case Op::kRwUnlock:
      return "rw_unlock";
    case Op::kWait:
      return "wait";
    case Op::kNotifyOne:
      return "notify_one";
    case Op::kNotifyAll:
      return "notify_all";
    case Op::kSend:
      return "send";
    case Op::kRecv:
      return "recv";
    case Op::kClose:
      return "close";
    case Op::kBarrier:
      return "barrier_wait";
    case Op::kOnce:
      return "call_once";
    case Op::kSubmit:
      return "submit";
    case Op::kTask:
      return "task";
    case Op::kSleep:
      return "sleep";
    case Op::kYield:
      return "yield";
    case Op::kAtomicLoad:
      return "atomic_load";
    case Op::kAtomicStore:
      return "atomic_store";
    case Op::kAtomicRmw:
      return "atomic_rmw";
    case Op::kOther:
      return "other";
  }
  return "other";
}

Traced::~Traced() { forget(this); }

void forget(const Traced* object) {
  if (!internal::g_controlled) return;
  Invisible invisible;
  Controller& c = controller();
  if (!c.log) return;
  c.mu.lock();
  c.traced_seen.erase(object);
  if (c.log_pending.traced == object) c.log_pending.traced = nullptr;
  c.mu.unlock();
}

void set_detector_hooks(DetectorHooks hooks) { controller().hooks = std::move(hooks); }

// ---- Where ----------------------------------------------------------------------

bool library_file(std::string_view file) {
  static const char* const kLibrary[] = {"/usr/include/", "/usr/lib/",  "/usr/bin/../", "external/",
                                         "primitives/",   "googletest", "<null>"};
  for (const char* prefix : kLibrary) {
    if (file.find(prefix) != std::string_view::npos) return true;
  }
  return file.empty();
}

Where located(const std::source_location& loc) {
  Where where{loc, nullptr, {}};
  if (controller().log && library_file(loc.file_name())) {
    // Invisible: glibc's backtrace() unwinds through libgcc, which takes a
    // global pthread mutex. ThreadSanitizer would see every thread that logs
    // a step synchronise through it, and a logged replay would hide the very
    // race that the schedule failed on (16_stop_flag's replay passed).
    Invisible invisible;
    void* frames[std::tuple_size_v<decltype(where.callers)>];
    int n = ::backtrace(frames, static_cast<int>(where.callers.size()));
    for (int i = 0; i < n; ++i) where.callers[static_cast<size_t>(i)] = frames[i];
  }
  return where;
}

namespace {

std::string symbolize(const void* pc, const char* format) {
  if (pc == nullptr || __sanitizer_symbolize_pc == nullptr) return {};
  char buf[1024] = {};
  // The return address points after the call: its line is the call's.
  __sanitizer_symbolize_pc(const_cast<char*>(static_cast<const char*>(pc)) - 1, format, buf, sizeof(buf));
  std::string s = buf;
  if (s.find("??") != std::string::npos || s.empty()) return {};
  return s;
}

}  // namespace

namespace {

// Where an interposed call was made in the program's own code: the first
// frame of the return address's inlined frames that is neither the standard
// library, the primitives nor GoogleTest ("file:line" and the function), or
// nothing when the call came from those alone. Cached: symbolizing is slow.
struct UserFrame {
  std::string at, function;
};

const UserFrame& user_frame(const void* pc) {
  static std::map<const void*, UserFrame> cache;
  auto it = cache.find(pc);
  if (it != cache.end()) return it->second;
  UserFrame found;
  if (pc != nullptr && __sanitizer_symbolize_pc != nullptr) {
    char buf[4096] = {};
    // One "file:line<TAB>function" per inlined frame, innermost first, each
    // ended by a NUL; an empty one ends the list.
    __sanitizer_symbolize_pc(const_cast<char*>(static_cast<const char*>(pc)) - 1, "%s:%l\t%f", buf, sizeof(buf));
    for (const char* frame = buf; *frame != '\0' && frame < buf + sizeof(buf); frame += std::strlen(frame) + 1) {
      std::string text = frame;
      size_t tab = text.find('\t');
      std::string at = text.substr(0, tab);
      std::string file = at.substr(0, at.rfind(':'));
      // Line 0: code the debug information does not place (a runtime's thread start).
      if (library_file(file) || at.ends_with(":0")) continue;
      const std::string cwd = "/proc/self/cwd/";
      if (at.rfind(cwd, 0) == 0) at = at.substr(cwd.size());
      found.at = at;
      found.function = tab == std::string::npos ? std::string() : text.substr(tab + 1);
      break;
    }
  }
  return cache.emplace(pc, found).first->second;
}

// A location inside the primitives' own headers, reached inline from the
// program's code: the program's line says more (see located()).
const UserFrame* caller_frame(const Where& where) {
  if (where.loc.line() == 0) return nullptr;
  for (const void* pc : where.callers) {
    if (pc == nullptr) break;
    const UserFrame& f = user_frame(pc);
    if (!f.at.empty()) return &f;
  }
  return nullptr;
}

}  // namespace

std::string where_text(const Where& where) {
  if (const UserFrame* caller = caller_frame(where)) return caller->at;
  if (where.loc.line() != 0) {
    std::string s = where.loc.file_name();
    return s + ":" + std::to_string(where.loc.line());
  }
  if (where.pc == nullptr) return {};
  const UserFrame& f = user_frame(where.pc);
  if (!f.at.empty()) return f.at;
  std::string s = symbolize(where.pc, "%s:%l");
  if (!s.empty()) return s;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%p", where.pc);
  return buf;
}

std::string where_function(const Where& where) {
  if (const UserFrame* caller = caller_frame(where)) return caller->function;
  if (where.loc.line() != 0) return where.loc.function_name();
  const UserFrame& f = user_frame(where.pc);
  if (!f.at.empty()) return f.function;
  return symbolize(where.pc, "%f");
}

std::string where_summary(const Where& where) {
  std::string fn = where_function(where);
  return where_text(where) + " in " + (fn.empty() ? "<unknown>" : fn);
}

// ---- Naming objects ----------------------------------------------------------------

namespace {

std::string object_name_locked(Controller& c, const void* object, const Traced* traced, Op op) REQUIRES(c.mu) {
  if (traced != nullptr) return traced->trace_name();
  if (object == nullptr) return {};
  for (ThreadCtl* t : c.threads) {
    if (object == t) return "thread " + label(*t);
  }
  auto it = c.untraced_names.find(object);
  if (it != c.untraced_names.end()) return it->second;
  const char* kind = "object";
  switch (op) {
    case Op::kLock:
    case Op::kTryLock:
    case Op::kUnlock:
      kind = "std::mutex";
      break;
    case Op::kReadLock:
    case Op::kWriteLock:
    case Op::kRwUnlock:
      kind = "std::shared_mutex";
      break;
    case Op::kWait:
    case Op::kNotifyOne:
    case Op::kNotifyAll:
      kind = "std::condition_variable";
      break;
    case Op::kAtomicLoad:
    case Op::kAtomicStore:
    case Op::kAtomicRmw:
      kind = "std::atomic";
      break;
    default:
      break;
  }
  std::string name = std::string(kind) + " #" + std::to_string(c.untraced_names.size() + 1);
  c.untraced_names[object] = name;
  return name;
}

// What a blocked thread waits for, as the scheduler sees it.
std::string blocked_text_locked(Controller& c, const ThreadCtl& t) REQUIRES(c.mu) {
  std::string what = object_name_locked(c, t.blocked_on, nullptr, t.blocked_op);
  switch (t.blocked_op) {
    case Op::kJoin:
      return "waits for " + what.substr(what.find(' ') + 1) + " to end";
    case Op::kLock:
    case Op::kTryLock:
      return "waits to lock " + what;
    case Op::kReadLock:
      return "waits for read access to " + what;
    case Op::kWriteLock:
      return "waits for write access to " + what;
    case Op::kWait:
      return "waits on " + what;
    case Op::kSleep:
      return "sleeps";
    default:
      return "waits (" + std::string(op_name(t.blocked_op)) + ")" + (what.empty() ? "" : " on " + what);
  }
}

std::string frame_text(const Where& where) {
  std::string fn = where_function(where);
  return "    #0 " + (fn.empty() ? std::string("<unknown>") : fn) + " " + where_text(where) + "\n";
}

}  // namespace

// ---- Reports ------------------------------------------------------------------------

[[noreturn]] void report_deadlock_locked(Controller& c, ThreadCtl* self) REQUIRES(c.mu) {
  flush_pending_locked(c);
  if (c.log) {
    c.log->line("{\"type\":\"failure\",\"step\":" + std::to_string(c.log_entries) +
                ",\"kind\":\"deadlock\",\"text\":\"every thread is blocked\"}");
  }
  finish_record_locked(c, Ending::kDeadlock);
  // The scheduler's own account, for threads the detector does not see wait.
  std::map<int, std::string> extra;
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kBlocked) {
      extra[t->index] = blocked_text_locked(c, *t) + ":\n" + frame_text(t->pending_where);
    }
  }
  c.mu.unlock();
  (void)self;
  if (c.hooks.report_all_blocked) {
    c.hooks.report_all_blocked([&](int index) {
      auto it = extra.find(index);
      return it == extra.end() ? std::string() : it->second;
    });
  }
  std::string text = "==================\nWARNING: racelings: deadlock (all threads are blocked)\n";
  for (auto& [index, what] : extra) text += "  Thread T" + std::to_string(index) + " " + what + "\n";
  text += "==================\n";
  (void)!::write(STDERR_FILENO, text.data(), text.size());
  std::_Exit(66);
}

[[noreturn]] void report_livelock_locked(Controller& c, ThreadCtl* self, bool spinning) REQUIRES(c.mu) {
  flush_pending_locked(c);
  uint64_t steps = spinning ? kSpinLivelockSteps : c.step_bound;
  if (c.log) {
    c.log->line("{\"type\":\"failure\",\"step\":" + std::to_string(c.log_entries) + ",\"kind\":\"livelock\",\"text\":" +
                json_string(spinning ? "the threads only spin" : "the step bound was reached") + "}");
  }
  finish_record_locked(c, Ending::kLivelock);
  std::string body =
      spinning ? "  For " + std::to_string(steps) +
                     " scheduling steps the threads only spun (read an atomic, yielded) and none changed "
                     "anything: each waits for something that no thread will ever do.\n"
               : "  The test took more than " + std::to_string(steps) +
                     " scheduling steps: the threads keep running, but the program makes no progress (threads "
                     "that keep undoing each other's work, or a loop that never ends).\n";
  Where summary = self != nullptr ? self->pending_where : Where{};
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kFinished) continue;
    std::string state = t == self                                ? "is running"
                        : t->state == ThreadCtl::State::kBlocked ? blocked_text_locked(c, *t)
                                                                 : "is ready to run";
    body += "\n  Thread " + label(*t) + " " + state + ", at its last step (" + std::string(op_name(t->pending_op)) +
            "):\n" + frame_text(t->pending_where);
  }
  body += "\n";
  c.mu.unlock();
  if (c.hooks.emit) {
    c.hooks.emit("livelock", "no progress in " + std::to_string(steps) + " steps", body, where_summary(summary));
  } else {
    std::string text = "==================\nWARNING: racelings: livelock\n" + body + "==================\n";
    (void)!::write(STDERR_FILENO, text.data(), text.size());
  }
  std::fflush(stdout);
  std::_Exit(66);
}

bool park_for_foreign_locked(Controller& c) REQUIRES(c.mu) {
  // How long to wait for a thread outside the scheduler (a std::thread) to
  // wake one inside before calling it a deadlock.
  constexpr int64_t kGraceNs = 500 * 1000000LL;
  uint32_t seen = c.park_word.load(std::memory_order_acquire);
  int64_t start = real_steady_now_ns();
  c.mu.unlock();
  for (;;) {
    int64_t left = kGraceNs - (real_steady_now_ns() - start);
    if (left <= 0 || c.park_word.load(std::memory_order_acquire) != seen) break;
    timespec ts{static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
    futex_wait(&c.park_word, seen, &ts);
  }
  c.mu.lock();
  return c.park_word.load(std::memory_order_acquire) != seen;
}

void note_failure_at(std::string_view kind, std::string_view text, std::string_view at) {
  if (!internal::g_controlled) return;
  Invisible invisible;
  Controller& c = controller();
  if (!c.log) return;
  c.mu.lock();
  flush_pending_locked(c);
  ThreadCtl* self = internal::tls_flags.ctl;
  std::string line = "{\"type\":\"failure\",\"step\":" + std::to_string(c.log_entries) +
                     ",\"kind\":" + json_string(kind) + ",\"text\":" + json_string(text);
  if (self != nullptr) line += ",\"thread\":" + json_string("T" + std::to_string(self->index));
  if (!at.empty()) line += ",\"at\":" + json_string(at);
  c.log->line(line + "}");
  c.mu.unlock();
}

void finish_step_slow() {
  Invisible invisible;
  Controller& c = controller();
  if (!c.log || c.ended) return;
  c.mu.lock();
  if (c.log_pending.thread == internal::tls_flags.ctl) flush_pending_locked(c);
  c.mu.unlock();
}

// ---- Sanitizer reports ----------------------------------------------------------------------

namespace {

// Appends `text` to buf[*len..size) as JSON string content; control
// characters are dropped. No allocation.
void append_json_text(char* buf, size_t size, size_t* len, const char* text) {
  for (const char* p = text; *p != '\0' && *p != '\n' && *len + 3 < size; ++p) {
    if (*p == '"' || *p == '\\') buf[(*len)++] = '\\';
    if (static_cast<unsigned char>(*p) >= 0x20) buf[(*len)++] = *p;
  }
}

void append_text(char* buf, size_t size, size_t* len, const char* text) {
  for (const char* p = text; *p != '\0' && *len + 1 < size; ++p) buf[(*len)++] = *p;
}

void append_number(char* buf, size_t size, size_t* len, uint64_t n) {
  char digits[24];
  size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (count > 0 && *len + 1 < size) buf[(*len)++] = digits[--count];
}

// Marks a sanitizer's report in the step log, at the step of the thread
// that printed it (a data race is found in the middle of a thread's step,
// between two scheduling points). Runs inside the sanitizer's report: it
// takes no lock but the scheduler's futex, allocates nothing and writes by
// a raw system call.
void note_sanitizer_summary(const char* summary) {
  Controller& c = controller();
  if (!c.log) return;
  c.mu.lock();
  ThreadCtl* self = internal::tls_flags.ctl;
  // The step this thread is running is written at the next decision.
  uint64_t step = c.log_entries + (self != nullptr && c.log_pending.thread == self ? 1 : 0);
  char line[1024];
  size_t len = 0;
  append_text(line, sizeof(line), &len, "{\"type\":\"failure\",\"step\":");
  append_number(line, sizeof(line), &len, step);
  append_text(line, sizeof(line), &len, ",\"kind\":\"sanitizer report\",\"text\":\"");
  append_json_text(line, sizeof(line) - 32, &len, summary);
  append_text(line, sizeof(line), &len, "\"");
  if (self != nullptr) {
    append_text(line, sizeof(line), &len, ",\"thread\":\"T");
    append_number(line, sizeof(line), &len, static_cast<uint64_t>(self->index));
    append_text(line, sizeof(line), &len, "\"");
  }
  append_text(line, sizeof(line), &len, "}\n");
  c.log->raw_line(line, len);
  c.mu.unlock();
}

}  // namespace

}  // namespace schedule
}  // namespace racelings

// The sanitizer runtimes call this with every piece of text they print (a
// hook that only watches: it cannot change or silence a report). A
// report's SUMMARY line marks where, in a controlled execution, the report
// happened.
extern "C" void __sanitizer_on_print(const char* text) {
  using namespace racelings::schedule;
  if (!internal::g_controlled || internal::tls_flags.in_scheduler != 0 || text == nullptr) return;
  // By hand, not strstr(): the runtimes intercept that too.
  static constexpr char kSummary[] = "SUMMARY: ";
  for (const char* p = text; *p != '\0'; ++p) {
    size_t i = 0;
    while (kSummary[i] != '\0' && p[i] == kSummary[i]) ++i;
    if (kSummary[i] == '\0') {
      note_sanitizer_summary(p + i);
      return;
    }
  }
}

namespace racelings {
namespace schedule {

// ---- The step log -------------------------------------------------------------------------

void open_step_log(Controller& c, const std::string& path, const std::string& schedule_id) {
  if (path.empty()) return;
  c.log = std::make_unique<StepLog>(path);
  if (!c.log->on()) {
    c.log.reset();
    return;
  }
  c.log->line("{\"type\":\"header\",\"format\":\"racelings-steps\",\"version\":1,\"schedule\":" +
              json_string(schedule_id) + "}");
}

void log_thread_locked(Controller& c, const ThreadCtl* t, const ThreadCtl* parent) REQUIRES(c.mu) {
  if (!c.log) return;
  std::string line = "{\"type\":\"thread\",\"thread\":" + json_string("T" + std::to_string(t->index)) +
                     ",\"name\":" + json_string(t->name);
  if (parent != nullptr) line += ",\"parent\":" + json_string("T" + std::to_string(parent->index));
  c.log->line(line + "}");
}

namespace {

std::string state_json_locked(Controller& c) REQUIRES(c.mu) {
  std::map<int, ThreadView> views;
  if (c.hooks.views) {
    for (ThreadView& v : c.hooks.views()) views[v.index] = std::move(v);
  }
  std::string s = "{\"clock_us\":" + std::to_string(c.clock / 1000) + ",\"threads\":[";
  bool first = true;
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kFinished) continue;
    const ThreadView& v = views[t->index];
    const char* status = t == c.current ? "running" : t->state == ThreadCtl::State::kBlocked ? "blocked" : "ready";
    std::string waits = v.waits;
    if (waits.empty() && t->state == ThreadCtl::State::kBlocked) waits = blocked_text_locked(c, *t);
    s += std::string(first ? "" : ",") + "{\"thread\":" + json_string("T" + std::to_string(t->index)) +
         ",\"status\":\"" + status + "\"";
    if (!waits.empty()) s += ",\"waits\":" + json_string(waits);
    if (!v.holds.empty()) {
      s += ",\"holds\":[";
      for (size_t i = 0; i < v.holds.size(); ++i) s += (i ? "," : "") + json_string(v.holds[i]);
      s += "]";
    }
    s += "}";
    first = false;
  }
  s += "],\"objects\":[";
  first = true;
  for (const Traced* o : c.traced_seen) {
    std::string state = o->trace_state();
    if (state.empty()) continue;
    s += std::string(first ? "" : ",") + "{\"object\":" + json_string(o->trace_name()) +
         ",\"state\":" + json_string(state) + "}";
    first = false;
  }
  return s + "]}";
}

void write_op_locked(Controller& c, const LoggedOp& op, const char* result) REQUIRES(c.mu) {
  // An interposed call made only by the libraries (a static's guard, a
  // shared_ptr's count) is not a step of the program's own.
  if (op.where.loc.line() == 0 && op.where.pc != nullptr && user_frame(op.where.pc).at.empty()) return;
  if (op.traced != nullptr) c.traced_seen.insert(op.traced);
  ++c.log_entries;
  const ThreadCtl& t = *op.thread;
  std::string line = "{\"type\":\"step\",\"step\":" + std::to_string(c.log_entries) +
                     ",\"decision\":" + std::to_string(op.decision) +
                     ",\"thread\":" + json_string("T" + std::to_string(t.index)) + ",\"name\":" + json_string(t.name) +
                     ",\"op\":\"" + std::string(op_name(op.op)) + "\"";
  std::string object = object_name_locked(c, op.object, op.traced, op.op);
  if (!object.empty()) line += ",\"object\":" + json_string(object);
  std::string at = where_text(op.where);
  if (!at.empty()) line += ",\"at\":" + json_string(at);
  std::string fn = where_function(op.where);
  if (!fn.empty()) line += ",\"function\":" + json_string(fn);
  line += ",\"result\":" + json_string(result);
  // An atomic operation or a yield changes no lock, wait or object: its
  // state is the step before's with this thread running, which the reader
  // carries over. Building it at every step of a spin loop would make the
  // logged run many times slower than the run it shows.
  bool same_state = op.op == Op::kYield || op.op == Op::kAtomicLoad || op.op == Op::kAtomicStore ||
                    op.op == Op::kAtomicRmw;
  if (!same_state) line += ",\"state\":" + state_json_locked(c);
  c.log->step(line + "}");
}

LoggedOp pending_of(const ThreadCtl* t, uint64_t decision) {
  LoggedOp op;
  op.thread = const_cast<ThreadCtl*>(t);
  op.op = t->pending_op;
  op.object = t->pending_object;
  op.traced = t->pending_traced;
  op.where = t->pending_where;
  op.result = t->resume_result;
  op.decision = decision;
  return op;
}

}  // namespace

void log_scheduled_locked(Controller& c, ThreadCtl* next) REQUIRES(c.mu) {
  if (!c.log) return;
  c.log_pending = next->pending_valid ? pending_of(next, c.step) : LoggedOp{};
}

void log_done_locked(Controller& c, const ThreadCtl* t) REQUIRES(c.mu) {
  if (!c.log) return;
  write_op_locked(c, pending_of(t, c.step), "ok");
}

void flush_pending_locked(Controller& c) REQUIRES(c.mu) {
  if (!c.log || c.log_pending.thread == nullptr) return;
  LoggedOp op = c.log_pending;
  c.log_pending = LoggedOp{};
  write_op_locked(c, op, op.result);
}

void log_blocked_locked(Controller& c, const ThreadCtl* t) REQUIRES(c.mu) {
  if (!c.log) return;
  write_op_locked(c, pending_of(t, c.step + 1), "blocked");
}

void log_exit_locked(Controller& c, const ThreadCtl* t) REQUIRES(c.mu) {
  if (!c.log) return;
  write_op_locked(c, pending_of(t, c.step + 1), "ok");
}

void log_test_locked(Controller& c, std::string_view name) REQUIRES(c.mu) {
  if (!c.log) return;
  flush_pending_locked(c);
  c.log->line("{\"type\":\"test\",\"step\":" + std::to_string(c.log_entries) + ",\"name\":" + json_string(name) + "}");
}

void log_end_locked(Controller& c, Ending ending) REQUIRES(c.mu) {
  if (!c.log) return;
  const char* how = ending == Ending::kCompleted ? "completed" : ending == Ending::kDeadlock ? "deadlock" : "livelock";
  c.log->line("{\"type\":\"end\",\"steps\":" + std::to_string(c.log_entries) +
              ",\"decisions\":" + std::to_string(c.step) + ",\"ending\":\"" + how + "\"}");
}

}  // namespace schedule
}  // namespace racelings
