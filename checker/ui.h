// checker/ui.h
// -----------------------------------------------------------------------------
//
// How the checker talks to a person: colours only on a terminal and never
// when NO_COLOR is set (https://no-color.org), a progress bar, and source
// lines quoted from the student's own file under a finding.

#ifndef RACELINGS_CHECKER_UI_H_
#define RACELINGS_CHECKER_UI_H_

#include <string>
#include <string_view>
#include <vector>

#include "checker/report/finding.h"

namespace racelings::checker {

class Ui {
 public:
  // Colour when stdout is a terminal and NO_COLOR is unset (or `force`).
  static Ui for_stdout(bool force_no_colour = false);

  bool colour() const { return colour_; }
  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string red(std::string_view s) const { return wrap("31", s); }
  std::string green(std::string_view s) const { return wrap("32", s); }
  std::string yellow(std::string_view s) const { return wrap("33", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string cyan(std::string_view s) const { return wrap("36", s); }

  // "[#####-----] 5/10"
  std::string progress_bar(int done, int total, int width = 40) const;

 private:
  std::string wrap(const char* code, std::string_view s) const;
  bool colour_ = false;
};

// quote_sources(): the lines of the student's files that the findings point
// at, each with its number and a note of who touched it there, e.g.
//   exercises/01_spawn_join/exercise.cc
//     21 |     total = sum;          <- Write by thread T1
// Only files under `root` that exist are quoted; frames are de-duplicated.
std::string quote_sources(const std::vector<report::Finding>& findings, const std::string& root, const Ui& ui);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_UI_H_
