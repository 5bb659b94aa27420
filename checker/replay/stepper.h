// checker/replay/stepper.h
// -----------------------------------------------------------------------------
//
// `racelings replay NN --step`: the timeline one row at a time in a plain
// terminal. Each screen shows the step (who does what, where, and why the
// scheduler let that thread run), the source of exercise.cc with every
// thread's current line marked, the lines elsewhere where other threads
// stand, the state after the step, and the rows around it.
//
//   n, →, ↓, space, enter   next row          p, ←, ↑, backspace   previous row
//   f                       the failure       s                    the next switch
//   g, Home / G, End        first / last row  q, Esc, Ctrl-C       quit
//
// On a terminal the keys act at once (raw mode, on the alternate screen,
// restored on exit); otherwise each command is a line ("n", "p 3", "f",
// "q"), so that it can be scripted.

#ifndef RACELINGS_CHECKER_REPLAY_STEPPER_H_
#define RACELINGS_CHECKER_REPLAY_STEPPER_H_

#include <string>

#include "checker/replay/timeline.h"
#include "checker/report/step_log.h"

namespace racelings::replay {

struct StepperOptions {
  std::string exercise;       // "08_check_then_act"
  std::string exercise_file;  // "exercises/08_check_then_act/exercise.cc"
  bool colour = false;
  int in_fd = 0;
  int out_fd = 1;
};

// run_stepper(): until the user quits or the input ends.
void run_stepper(const Timeline& timeline, const report::StepLog& log, Sources& sources, const StepperOptions& options);

// stepper_frame(): the screen at row `row`, `height` lines of at most
// `width` columns.
std::string stepper_frame(const Timeline& timeline, const report::StepLog& log, Sources& sources,
                          const StepperOptions& options, size_t row, int height, int width);

}  // namespace racelings::replay

#endif  // RACELINGS_CHECKER_REPLAY_STEPPER_H_
