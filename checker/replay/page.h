// checker/replay/page.h
// -----------------------------------------------------------------------------
//
// The timeline as a self-contained HTML page (inline CSS and script, nothing
// loaded from elsewhere; it opens from a file:// URL): step buttons, a
// slider and the arrow keys move through the rows; the source shows each
// thread's current line; the state after the step, the timeline table, and
// for a deadlock an SVG of its wait-for or lock-order cycle. The address may
// say where to start: `page.html#failure`, `#switch` (the first switch),
// `#row=12`.

#ifndef RACELINGS_CHECKER_REPLAY_PAGE_H_
#define RACELINGS_CHECKER_REPLAY_PAGE_H_

#include <string>

#include "checker/replay/timeline.h"
#include "checker/report/step_log.h"

namespace racelings::replay {

struct PageInput {
  std::string exercise;        // "08_check_then_act"
  std::string exercise_file;   // "exercises/08_check_then_act/exercise.cc": shown first
  std::string replay_command;  // "./racelings replay 08"
};

std::string render_page(const Timeline& timeline, const report::StepLog& log, Sources& sources, const PageInput& input);

}  // namespace racelings::replay

#endif  // RACELINGS_CHECKER_REPLAY_PAGE_H_
