// checker/replay/timeline.h
// -----------------------------------------------------------------------------
//
// A failing schedule, made readable: the steps of a step log (what each
// thread did, in order; primitives/schedule/README.md, "The step log") cut
// down to the story of the failure. The timeline keeps the test that failed,
// marks where it went wrong (the assertion, the sanitizer's report, the
// deadlock) and where the scheduler switched threads while the running one
// could have gone on, and folds the long runs of steps in between where
// nothing of the kind happens ("⋮ 1,204 steps: T1..T4 take turns at
// exercise.cc:22-23"). The text timeline, the terminal stepper and the HTML
// page all show one Timeline.
//
// Rust equivalent: none; shuttle prints a schedule, loom a trace of every
// step, neither folded nor tied to the source.

#ifndef RACELINGS_CHECKER_REPLAY_TIMELINE_H_
#define RACELINGS_CHECKER_REPLAY_TIMELINE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checker/report/step_log.h"

namespace racelings::replay {

// The program's files, as they were when the schedule ran: the text of a
// step's line. Reads files under `root` (paths as the step log gives them,
// "exercises/08_check_then_act/exercise.cc"), once each.
class Sources {
 public:
  explicit Sources(std::string root) : root_(std::move(root)) {}
  // The line's text without its indentation, or "" when unknown.
  std::string line_text(const std::string& file, int line);
  // Every line of the file (empty when it cannot be read).
  const std::vector<std::string>& lines(const std::string& file);

 private:
  std::string root_;
  std::map<std::string, std::vector<std::string>> files_;
};

// "exercises/08_check_then_act/exercise.cc:22" -> file and line (0 if none).
struct Location {
  std::string file;
  int line = 0;
};
Location parse_location(const std::string& at);

// Where it went wrong.
struct Failure {
  std::string kind;    // "test failure", "data race", "deadlock", "livelock", ...
  std::string tool;    // "ThreadSanitizer", "AddressSanitizer", "" for the others
  std::string text;    // what was reported (an assertion's message, a summary)
  std::string thread;  // "T2", or "" when no thread is to blame
  Location at;         // in the program, when known
};

// Why the scheduler's choice at a step matters.
enum class Switch : uint8_t {
  kNone,
  kPreempted,  // the running thread could have gone on, another ran instead
  kSpurious,   // a condition wait woke up without a notification
  kTimedOut,   // a timed wait ended by its timeout
};

struct Row {
  enum class Kind : uint8_t { kStep, kFold };
  Kind kind = Kind::kStep;
  // kStep: the step (index into StepLog::steps) and what led to it.
  size_t step = 0;
  Switch why = Switch::kNone;
  std::string switched_from;  // kPreempted: the thread that could have gone on
  bool chosen = false;        // a deviation of the schedule id made this choice
  bool failure = false;       // the failure happened during this step
  int resumes_after = 0;      // the thread runs again after a switch at this step number (0: no)
  // kFold: steps first..last (StepLog::steps indices, inclusive), and what
  // happened in them, for one line. `missing` counts steps the log did not keep.
  size_t first = 0, last = 0;
  uint64_t missing = 0;
  std::string summary;
};

struct ThreadColumn {
  std::string id;     // "T1"
  std::string label;  // "T1 'user-0'"
};

struct Timeline {
  std::string schedule;
  std::string test;  // the test that failed (or ran last)
  std::vector<ThreadColumn> columns;          // the threads of the shown steps
  std::map<std::string, std::string> labels;  // every thread: "T1" -> "T1 'user-0'"
  std::vector<Row> rows;
  std::optional<Failure> failure;
  std::optional<size_t> failure_row;  // the row of the step it happened in
  std::string ending;                 // "completed", "deadlock", "livelock", or "" if the log stops short
  size_t steps_in_test = 0;           // steps of the test shown, before folding
  size_t steps_before_test = 0;       // steps of earlier tests, left out
  size_t preemptions = 0;             // in the test, up to the failure
  // Short names for the objects the rows name ("M2"), and what they stand for.
  std::vector<std::pair<std::string, std::string>> legend;
  std::map<std::string, std::string> short_names;  // full name -> short
};

struct TimelineOptions {
  size_t scene_steps = 6;        // steps shown at the start of the test
  size_t around_switch = 3;      // steps shown before a switch
  size_t max_after_switch = 5000;  // and where the thread switched from runs again, if within this
  size_t before_failure = 10;    // steps shown before the failure (3 before a failed assertion)
  size_t max_switches = 8;       // the schedule's choices given a span of their own (the first and the last ones)
  size_t max_rows = 400;        // the bound, whatever the log
  // The student's file: atomic operations elsewhere (the libraries', the
  // test's) are folded unless something happens at them.
  std::string focus_file;
  // What went wrong when the log marks nothing (the program crashed or
  // timed out: its last step is where it stopped).
  std::optional<Failure> otherwise;
};

// build_timeline(): the story of `log`. Its schedule id is decoded to tell
// the schedule's own choices from the scheduler's defaults.
Timeline build_timeline(const report::StepLog& log, const TimelineOptions& options = {});

// parse_sanitizer_summary(): a sanitizer's SUMMARY text ("ThreadSanitizer:
// data race /proc/self/cwd/exercises/x/exercise.cc:30:16 in f()") as a
// Failure (tool, kind, location).
Failure parse_sanitizer_summary(const std::string& summary);

// Words for a step: "lock M2", "wait C1 (blocks)", "exit".
std::string step_cell(const Timeline& timeline, const report::Step& step);
// The thread's label for a column id ("T1" -> "T1 'user-0'").
std::string column_label(const Timeline& timeline, const std::string& thread);
// The short name of an object, or the object's name when it has none.
std::string short_name(const Timeline& timeline, const std::string& object);
// "exercise.cc:22" for a step's location (the file's last component).
std::string short_location(const Location& at);

// thousands(): a count with its thousands apart, 12345 -> "12,345".
std::string thousands(uint64_t n);

// The state after a step, in words, one line per thread or object that
// matters: "T1 'user-0' holds M2", "T0 'main' waits for T1 'user-0' to end",
// "Barrier(4): 2 of 4 arrived". `changed_only`: only what differs from
// `previous` (nullptr: from nothing).
std::vector<std::string> state_lines(const Timeline& timeline, const report::StepState& state,
                                     const report::StepState* previous);

// Where each thread is: its latest step's location in the program, up to
// and including steps[index]; threads that have ended are left out.
std::map<std::string, Location> thread_positions(const report::StepLog& log, size_t index);

// The text of a switch: "switch: T1 'user-0' could go on, but T2 'user-1'
// runs now (the schedule's choice)".
// The text of a resumption: "T1 'user-0' runs again, after its switch at step 12".
std::string resume_note(const Timeline& timeline, const Row& row, const report::Step& step);
std::string switch_note(const Timeline& timeline, const Row& row, const report::Step& step);
// The text of the failure: "✗ test failure at test.cc:48: name-3 was promised to 2 users".
std::string failure_note(const Timeline& timeline, Sources* sources);

}  // namespace racelings::replay

#endif  // RACELINGS_CHECKER_REPLAY_TIMELINE_H_
