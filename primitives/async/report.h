// report.h
// -----------------------------------------------------------------------------
//
// How this package prints its reports: the block format of
// primitives/REPORTS.md (a line of 18 `=`, `WARNING: racelings: <kind>
// (<qualifier>) (pid=N)`, sections of `#0 function file:line:column` frames,
// `SUMMARY:`), so the checker parses them like the thread detector's. Internal
// to primitives/async.
//
// Rust equivalent: none (tokio has no deadlock detection).

#ifndef RACELINGS_PRIMITIVES_ASYNC_REPORT_H_
#define RACELINGS_PRIMITIVES_ASYNC_REPORT_H_

#include <source_location>
#include <string>

namespace racelings {
namespace async {
namespace internal {

class TaskHeader;

// "file:line:column" (column left out when unknown).
std::string location_text(const std::source_location& l);
// "    #0 function file:line:column\n"
std::string frame_text(const std::source_location& l);
// "file.cc:12" with the directories left out.
std::string short_location(const std::source_location& l);

// "  Task #3 (spawned at f.cc:12) waits for ...:\n    #0 ...\n" plus the async
// mutexes it holds. Only for a task that is suspended and stays so.
std::string task_wait_text(const TaskHeader& t, bool with_holdings);

// Prints one report to stderr (one write for the text, then the sanitizer's
// stack of the reporting thread when a sanitizer runtime is linked in).
void emit_report(const std::string& kind, const std::string& qualifier, const std::string& body,
                 const std::source_location& where);

// Ends the program the way a sanitizer report does: exit code 66.
[[noreturn]] void die_after_report();

// RACELINGS_DEADLOCK_GRACE_MS (default 200), read once.
int deadlock_grace_ms();

}  // namespace internal
}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_REPORT_H_
