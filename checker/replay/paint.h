// checker/replay/paint.h: ANSI colours for the terminal views, or none.

#ifndef RACELINGS_CHECKER_REPLAY_PAINT_H_
#define RACELINGS_CHECKER_REPLAY_PAINT_H_

#include <string>

namespace racelings::replay {

struct Paint {
  bool on = false;
  std::string wrap(const char* code, const std::string& s) const {
    return on ? "\033[" + std::string(code) + "m" + s + "\033[0m" : s;
  }
  std::string bold(const std::string& s) const { return wrap("1", s); }
  std::string dim(const std::string& s) const { return wrap("2", s); }
  std::string red(const std::string& s) const { return wrap("31", s); }
  std::string yellow(const std::string& s) const { return wrap("33", s); }
  std::string cyan(const std::string& s) const { return wrap("36", s); }
  std::string reverse(const std::string& s) const { return wrap("7", s); }
};

}  // namespace racelings::replay

#endif  // RACELINGS_CHECKER_REPLAY_PAINT_H_
