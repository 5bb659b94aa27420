// checker/replay/page_assets.h: the replay page's style sheet and script,
// inlined into every page (page.cc).

#ifndef RACELINGS_CHECKER_REPLAY_PAGE_ASSETS_H_
#define RACELINGS_CHECKER_REPLAY_PAGE_ASSETS_H_

namespace racelings::replay {

extern const char* const kPageStyle;
// Reads the JSON in <script id="replay-data"> (rows, threads, files,
// failure_row) and drives the controls, the source marks, the state list
// and the table's current row.
extern const char* const kPageScript;

}  // namespace racelings::replay

#endif  // RACELINGS_CHECKER_REPLAY_PAGE_ASSETS_H_
