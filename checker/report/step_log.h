// checker/report/step_log.h
// -----------------------------------------------------------------------------
//
// The step log of a controlled execution (RACELINGS_STEP_LOG, written by
// primitives/schedule; the format is in primitives/schedule/README.md, "The
// step log"): which thread did what, where, in which order, and the state
// after each step. `parse_step_log` reads it; `render_steps` prints the steps
// around the failure as plain text (what `racelings replay` shows).
//
// The log comes from the program under test: a line that is not what the
// format says is skipped, and sizes are capped, so a broken or hostile log
// gives a shorter timeline, never a crash.
//
// Rust equivalent: none; shuttle keeps its schedule, not a readable trace.

#ifndef RACELINGS_CHECKER_REPORT_STEP_LOG_H_
#define RACELINGS_CHECKER_REPORT_STEP_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace racelings::report {

struct StepThreadState {
  std::string thread;  // "T1"
  std::string status;  // "running", "ready", "blocked"
  std::string waits;   // what it waits for, or empty
  std::vector<std::string> holds;
};

struct StepState {
  int64_t clock_us = 0;
  std::vector<StepThreadState> threads;
  std::vector<std::pair<std::string, std::string>> objects;  // name, state
};

struct Step {
  int step = 0;
  uint64_t decision = 0;
  std::string thread;  // "T1"
  std::string name;    // its name, "" when unnamed
  std::string op;      // "lock", "send", ... (see the format)
  std::string object;  // "Mutex M3 'account A'", or empty
  std::string at;      // "exercises/27_bank_transfer/exercise.cc:31", or empty
  std::string function;
  std::string result;  // "ok", "blocked", "woken", ...
  StepState state;
};

struct StepThread {
  std::string thread, name, parent;
};

// A failure, or the start of a test, after step `after_step`.
struct StepMark {
  int after_step = 0;
  std::string kind;  // a finding kind ("deadlock", "test failure"), or the test's name
  std::string text;
  std::string thread;
  std::string at;
};

struct StepLog {
  std::string schedule;
  std::vector<StepThread> threads;
  std::vector<Step> steps;
  std::vector<StepMark> failures;
  std::vector<StepMark> tests;
  std::string ending;  // "completed", "deadlock", "livelock"; empty if the log stops short
  int skipped_lines = 0;
};

// Bounds that keep memory flat whatever the log.
inline constexpr std::size_t kMaxLoggedSteps = 200000;
inline constexpr std::size_t kMaxStepLogBytes = std::size_t{64} << 20;

// parse_step_log(): nullopt (with `error`) when the text is not a step log at
// all (no header line of this format and version). The text may be the log
// followed by its tail files (`<path>.1`, `<path>.2`): steps are put in order.
std::optional<StepLog> parse_step_log(std::string_view text, std::string* error);

// thread_label(): "T2 'teller-1'" (or "T2") for a step.
std::string thread_label(const Step& step);

// render_steps(): the last `count` steps up to and including the first
// failure (or the end), one line each ("  12  T1 'user-0'  lock Mutex M2
// 'names'  exercises/08_check_then_act/exercise.cc:22"), then the failure.
std::string render_steps(const StepLog& log, std::size_t count);

}  // namespace racelings::report

#endif  // RACELINGS_CHECKER_REPORT_STEP_LOG_H_
