// checker/replay_view.h
// -----------------------------------------------------------------------------
//
// `racelings replay`, and what check, explore and grade show of a failing
// schedule: the timeline of its step log (checker/replay/), as text under
// the findings, as a terminal stepper (--step) and as a self-contained HTML
// page. Every failing schedule the checker runs with a step log gets its
// page in `.racelings/replay/<exercise>.html`, which check and explore name.

#ifndef RACELINGS_CHECKER_REPLAY_VIEW_H_
#define RACELINGS_CHECKER_REPLAY_VIEW_H_

#include <optional>
#include <string>

#include "checker/catalog.h"
#include "checker/commands.h"
#include "checker/judge.h"
#include "checker/ui.h"

namespace racelings::checker {

struct ReplayOptions {
  std::string id;        // the schedule; empty: the last that failed
  bool step = false;     // the interactive stepper
  std::string html;      // also write the page here
  std::string log;       // show this step log instead of running the program (authors, tests)
  std::string prebuilt;  // run <prebuilt>/exercises/<name>/test instead of building (tests)
  int width = 0;         // the text's width (0: the terminal's)
};

int cmd_replay(Context& ctx, const std::string& query, const ReplayOptions& options);

// timeline_text(): the timeline of the verdict's step log, `width` columns
// wide (0: the terminal's); empty without a log.
std::string timeline_text(const RunVerdict& verdict, const Exercise& exercise, const std::string& root, bool colour,
                          int width = 0);

// write_replay_page(): the page of the verdict's failing schedule, written
// to `path` (directories made); false without a step log or when it cannot
// be written. `root` is the tree whose sources the page quotes.
bool write_replay_page(const RunVerdict& verdict, const Exercise& exercise, const std::string& root,
                       const std::string& path);

// shows_failure(): the verdict's step log shows where it went wrong (its
// timeline has a step marked with the failure).
bool shows_failure(const RunVerdict& verdict, const Exercise& exercise);

// Where check and explore keep the page of an exercise's last failure.
std::string replay_page_path(const std::string& root, const Exercise& exercise);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_REPLAY_VIEW_H_
