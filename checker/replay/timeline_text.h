// checker/replay/timeline_text.h
// -----------------------------------------------------------------------------
//
// The timeline as text, for a terminal or a log: a column per thread, a row
// per step with the line of the program and its source, the switches and
// the failure marked, the state under each step where it changed, and the
// folds between.
//
//   step  T1 'user-0'     T2 'user-1'      where           source
//     37  lock M2                          exercise.cc:22  if (accounts.lock()->contains(name)) return false;
//         · T1 'user-0' holds M2
//     38  unlock M2                        exercise.cc:22  if (accounts.lock()->contains(name)) return false;
//   » switch: T1 'user-0' could go on, but T2 'user-1' runs now (the schedule's choice)
//     39                  lock M2          exercise.cc:22  if (accounts.lock()->contains(name)) return false;

#ifndef RACELINGS_CHECKER_REPLAY_TIMELINE_TEXT_H_
#define RACELINGS_CHECKER_REPLAY_TIMELINE_TEXT_H_

#include <string>
#include <string_view>

#include "checker/replay/timeline.h"
#include "checker/report/step_log.h"

namespace racelings::replay {

struct TextOptions {
  int width = 120;      // columns of the terminal; the source is cut to fit
  bool colour = false;  // ANSI colours
};

std::string render_timeline_text(const Timeline& timeline, const report::StepLog& log, Sources& sources,
                                 const TextOptions& options);

// Display width of UTF-8 text (one column per code point), and text cut to
// `width` columns with "…".
size_t display_width(std::string_view text);
std::string fit(std::string_view text, size_t width);
std::string pad(std::string_view text, size_t width);

// The width of the terminal on standard output, or `fallback`.
int terminal_width(int fallback);

}  // namespace racelings::replay

#endif  // RACELINGS_CHECKER_REPLAY_TIMELINE_TEXT_H_
