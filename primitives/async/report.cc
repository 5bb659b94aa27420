// Report formatting for primitives/async; see report.h.

#include "primitives/async/report.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "primitives/async/core.h"
#include "primitives/async/mutex.h"
#include "primitives/detector.h"

namespace racelings {
namespace async {
namespace internal {
namespace {

std::string function_of(const std::source_location& l) {
  std::string fn = l.function_name();
  return fn.empty() ? "<unknown>" : fn;
}

}  // namespace

std::string location_text(const std::source_location& l) { return detector::location_text(l); }

std::string frame_text(const std::source_location& l) {
  if (l.line() == 0) return "    #0 <unknown location>\n";
  return "    #0 " + function_of(l) + " " + location_text(l) + "\n";
}

std::string short_location(const std::source_location& l) {
  std::string file = l.file_name();
  auto slash = file.rfind('/');
  if (slash != std::string::npos) file = file.substr(slash + 1);
  return file + ":" + std::to_string(l.line());
}

std::string TaskHeader::describe() const {
  std::string s = "Task #" + std::to_string(id);
  switch (kind) {
    case TaskKind::kSpawned:
      s += " (spawned at " + short_location(spawned_at) + ")";
      break;
    case TaskKind::kBlockOn:
      s += " (block_on at " + short_location(spawned_at) + ")";
      break;
    case TaskKind::kJoinChild:
      s += " (join_all child " + std::to_string(child_index) + " of " + std::to_string(child_count) + ", in task #" +
           std::to_string(parent_id) + " at " + short_location(spawned_at) + ")";
      break;
  }
  return s;
}

std::string TaskHeader::short_name() const { return "task #" + std::to_string(id); }

std::string task_wait_text(const TaskHeader& t, bool with_holdings) {
  std::string s = "  " + t.describe() + " ";
  s += t.wait_what != nullptr ? t.wait_what->describe_wait() : std::string("is suspended");
  s += ":\n" + frame_text(t.wait_where);
  if (with_holdings) s += async_mutex_holdings(t);
  return s;
}

void emit_report(const std::string& kind, const std::string& qualifier, const std::string& body,
                 const std::source_location& where) {
  // Through the thread detector: one report at a time, counted, and written
  // where RACELINGS_REPORT_PATH says. No "Stack of the reporting thread":
  // that thread is the runtime's (its frames say nothing about the tasks),
  // and symbolizing it under a sanitizer is slow.
  detector::emit_report(kind, qualifier, body, where, /*with_stack=*/false);
}

void die_after_report() { detector::die_after_report(); }

int deadlock_grace_ms() {
  static const int kGrace = [] {
    const char* text = std::getenv("RACELINGS_DEADLOCK_GRACE_MS");
    if (text == nullptr || *text == '\0') return 200;
    char* end = nullptr;
    long v = std::strtol(text, &end, 10);
    return (end != nullptr && *end == '\0' && v >= 0) ? static_cast<int>(v) : 200;
  }();
  return kGrace;
}

}  // namespace internal
}  // namespace async
}  // namespace racelings
