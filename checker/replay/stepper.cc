// checker/replay/stepper.cc: the timeline one row at a time, in a terminal.

#include "checker/replay/stepper.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

#include "checker/replay/paint.h"
#include "checker/replay/timeline_text.h"

namespace racelings::replay {
namespace {

using report::Step;

// The step whose state and positions a row shows (a fold: its last step).
size_t step_of(const Timeline& t, const report::StepLog& log, size_t row) {
  const Row& r = t.rows[row];
  size_t s = r.kind == Row::Kind::kStep ? r.step : (r.last >= r.first ? r.last : r.first);
  return std::min(s, log.steps.size() - 1);
}

// A one-line account of a row, for the list of rows around the current one.
std::string row_line(const Timeline& t, const report::StepLog& log, const Row& r) {
  if (r.kind == Row::Kind::kFold) return "⋮ " + r.summary;
  const Step& s = log.steps[r.step];
  return std::to_string(s.step) + "  " + column_label(t, s.thread) + "  " + step_cell(t, s) + "  " +
         short_location(parse_location(s.at)) + (r.failure ? "  ✗" : "");
}

// The lines of `file` to show: all if they fit, else a window around the
// current thread's line (or the first marked one).
std::pair<size_t, size_t> source_window(size_t lines, int focus, size_t room) {
  if (lines <= room) return {1, lines};
  size_t centre = focus > 0 ? static_cast<size_t>(focus) : 1;
  size_t first = centre > room / 2 ? centre - room / 2 : 1;
  first = std::min(first, lines - room + 1);
  return {first, first + room - 1};
}

// A rule across the frame with a title: "-- title ------".
std::string rule(const Paint& p, const std::string& title, size_t w) {
  std::string text = "-- " + title + " ";
  size_t used = display_width(text);
  return p.dim(fit(text, w) + std::string(w > used ? w - used : 0, '-'));
}

// The frame's head: where we are, why the scheduler switched, the step itself.
std::vector<std::string> frame_top(const Timeline& t, const Step& s, const Row& r, Sources& sources,
                                   const StepperOptions& options, const Paint& p, size_t row, size_t w) {
  std::vector<std::string> top;
  std::string head = options.exercise + " · schedule " + t.schedule + " · row " + std::to_string(row + 1) + " of " +
                     std::to_string(t.rows.size());
  if (r.kind == Row::Kind::kStep) head += " · step " + std::to_string(s.step);
  top.push_back(p.bold(fit(head, w)));
  if (r.kind == Row::Kind::kFold) {
    top.push_back(fit("⋮ " + r.summary, w));
    return top;
  }
  if (r.why != Switch::kNone || r.chosen) top.push_back(p.yellow(fit("» " + switch_note(t, r, s), w)));
  if (r.resumes_after != 0) top.push_back(p.yellow(fit("» " + resume_note(t, r, s), w)));
  Location at = parse_location(s.at);
  top.push_back(fit(
      column_label(t, s.thread) + "  " + step_cell(t, s) + (at.file.empty() ? "" : "  at " + short_location(at)), w));
  if (r.failure) {
    std::string note = failure_note(t, &sources);
    top.push_back(p.red(fit("✗ it goes wrong here: " + note.substr(0, note.find('\n')), w)));
  }
  return top;
}

// Who stands where: threads on the exercise's lines, and the others elsewhere.
struct ThreadPlaces {
  std::map<int, std::vector<std::string>> marks;  // exercise line -> threads there
  std::vector<std::string> elsewhere;
  int focus = 0;  // the exercise line to centre on
};

ThreadPlaces thread_places(const Timeline& t, const report::StepLog& log, Sources& sources,
                           const StepperOptions& options, const Row& r, size_t at_step, size_t w) {
  ThreadPlaces places;
  const Step& s = log.steps[at_step];
  for (const auto& [thread, where] : thread_positions(log, at_step)) {
    bool now = r.kind == Row::Kind::kStep && thread == s.thread;
    std::string label = column_label(t, thread) + (now ? " (now)" : "");
    if (where.file == options.exercise_file && where.line > 0) {
      places.marks[where.line].push_back(label);
      if (now || places.focus == 0) places.focus = where.line;
    } else {
      std::string text = where.line > 0 ? sources.line_text(where.file, where.line) : std::string();
      places.elsewhere.push_back(fit(label + "  " + short_location(where) + "  " + text, w - 2));
    }
  }
  return places;
}

// The frame's foot: the state after the step, threads elsewhere, the rows
// around this one and the keys.
std::vector<std::string> frame_bottom(const Timeline& t, const report::StepLog& log, const Step& s,
                                      const ThreadPlaces& places, const Paint& p, size_t row, size_t w) {
  std::vector<std::string> bottom;
  std::vector<std::string> state = state_lines(t, s.state, nullptr);
  if (state.empty()) state.push_back("no lock held, no thread waits");
  bottom.push_back(rule(p, "state after this step", w));
  for (size_t i = 0; i < state.size() && i < 6; ++i) bottom.push_back("  " + fit(state[i], w - 2));
  if (state.size() > 6) bottom.push_back(p.dim("  ... and " + std::to_string(state.size() - 6) + " more"));
  if (!places.elsewhere.empty()) {
    bottom.push_back(rule(p, "elsewhere", w));
    for (size_t i = 0; i < places.elsewhere.size() && i < 4; ++i) bottom.push_back("  " + places.elsewhere[i]);
  }
  bottom.push_back(rule(p, "rows", w));
  size_t from = row >= 2 ? row - 2 : 0;
  for (size_t i = from; i < t.rows.size() && i <= row + 2; ++i) {
    std::string line = (i == row ? "› " : "  ") + row_line(t, log, t.rows[i]);
    bottom.push_back(i == row ? p.reverse(fit(line, w)) : p.dim(fit(line, w)));
  }
  bottom.push_back(p.dim(fit("n/→ next · p/← previous · f failure · s next switch · g/G first/last · q quit", w)));
  return bottom;
}

// The exercise's source in `room` lines, each thread's line marked.
std::vector<std::string> frame_source(Sources& sources, const StepperOptions& options, const ThreadPlaces& places,
                                      const Paint& p, size_t room, size_t w) {
  const auto& lines = sources.lines(options.exercise_file);
  std::vector<std::string> source{rule(p, options.exercise_file, w)};
  auto [first, last] = source_window(lines.size(), places.focus, room);
  for (size_t n = first; n <= last && n <= lines.size(); ++n) {
    auto m = places.marks.find(static_cast<int>(n));
    bool here = m != places.marks.end();
    bool current = here && std::any_of(m->second.begin(), m->second.end(),
                                       [](const std::string& l) { return l.ends_with(" (now)"); });
    char number[16];
    std::snprintf(number, sizeof(number), "%4zu", n);
    std::string who;
    if (here) {
      for (const auto& l : m->second) who += (who.empty() ? "◀ " : ", ") + l;
    }
    std::string code = lines[n - 1];
    size_t code_room = w > 9 + display_width(who) + 2 ? w - 9 - display_width(who) - 2 : 10;
    std::string text = std::string(current ? "▶" : here ? "•" : " ") + " " + number + " │ " + pad(code, code_room);
    text += here ? "  " + who : "";
    source.push_back(current ? p.bold(p.yellow(text)) : here ? p.yellow(text) : text);
  }
  if (lines.empty()) source.push_back("  (" + options.exercise_file + " cannot be read)");
  return source;
}

}  // namespace

std::string stepper_frame(const Timeline& t, const report::StepLog& log, Sources& sources,
                          const StepperOptions& options, size_t row, int height, int width) {
  Paint p{options.colour};
  const size_t w = static_cast<size_t>(std::max(width, 40));
  const size_t h = static_cast<size_t>(std::max(height, 16));
  if (t.rows.empty()) return "(the log has no step of this test)\n";
  row = std::min(row, t.rows.size() - 1);
  const Row& r = t.rows[row];
  size_t at_step = step_of(t, log, row);
  const Step& s = log.steps[at_step];
  std::vector<std::string> top = frame_top(t, s, r, sources, options, p, row, w);
  ThreadPlaces places = thread_places(t, log, sources, options, r, at_step, w);
  std::vector<std::string> bottom = frame_bottom(t, log, s, places, p, row, w);
  // The source gets what is left.
  size_t room = h > top.size() + bottom.size() + 1 ? h - top.size() - bottom.size() - 1 : 3;
  std::vector<std::string> source = frame_source(sources, options, places, p, std::max<size_t>(room, 3), w);
  std::string out;
  for (const auto& l : top) out += l + "\n";
  for (const auto& l : source) out += l + "\n";
  for (const auto& l : bottom) out += l + "\n";
  return out;
}

namespace {

// The terminal in raw mode on the alternate screen, restored when this
// ends, and on the signals that would otherwise leave it raw.
struct RawTerminal {
  static inline termios saved{};
  static inline int fd = -1;
  static void restore() {
    if (fd < 0) return;
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    const char leave[] = "\033[?25h\033[?1049l";
    (void)!::write(STDOUT_FILENO, leave, sizeof(leave) - 1);
    fd = -1;
  }
  static void on_signal(int sig) {
    restore();
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
  explicit RawTerminal(int in) {
    if (::tcgetattr(in, &saved) != 0) return;
    termios raw = saved;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO | ISIG));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(in, TCSAFLUSH, &raw) != 0) return;
    fd = in;
    for (int sig : {SIGTERM, SIGHUP, SIGQUIT}) ::signal(sig, on_signal);
    const char enter[] = "\033[?1049h\033[?25l";
    (void)!::write(STDOUT_FILENO, enter, sizeof(enter) - 1);
  }
  ~RawTerminal() { restore(); }
  bool on() const { return fd >= 0; }
};

enum class Command { kNext, kPrevious, kFailure, kSwitch, kFirst, kLast, kQuit, kNone };

Command key_command(char c) {
  switch (c) {
    case 'n':
    case 'j':
    case ' ':
    case '\r':
    case '\n':
      return Command::kNext;
    case 'p':
    case 'k':
    case 127:
    case '\b':
      return Command::kPrevious;
    case 'f':
      return Command::kFailure;
    case 's':
      return Command::kSwitch;
    case 'g':
      return Command::kFirst;
    case 'G':
      return Command::kLast;
    case 'q':
    case 'Q':
    case 3:
    case 4:
    case '\033':
      return Command::kQuit;
    default:
      return Command::kNone;
  }
}

// The keys read at once: each a command, an escape sequence (arrows, Home,
// End) one command; keys typed ahead are all kept.
std::vector<Command> read_keys(int fd) {
  char buf[64];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  if (n <= 0) return {Command::kQuit};
  std::string keys(buf, static_cast<size_t>(n));
  std::vector<Command> out;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == '\033' && i + 2 < keys.size() && (keys[i + 1] == '[' || keys[i + 1] == 'O')) {
      std::string seq = keys.substr(i, 3);
      size_t length = 3;
      if (i + 3 < keys.size() && keys[i + 3] == '~') {
        seq = keys.substr(i, 4);
        length = 4;
      }
      if (seq == "\033[C" || seq == "\033[B" || seq == "\033OC" || seq == "\033OB") out.push_back(Command::kNext);
      if (seq == "\033[D" || seq == "\033[A" || seq == "\033OD" || seq == "\033OA") out.push_back(Command::kPrevious);
      if (seq == "\033[H" || seq == "\033[1~" || seq == "\033OH") out.push_back(Command::kFirst);
      if (seq == "\033[F" || seq == "\033[4~" || seq == "\033OF") out.push_back(Command::kLast);
      i += length - 1;
      continue;
    }
    out.push_back(key_command(keys[i]));
  }
  return out;
}

// A line: "n", "p 3", "f", "s", "g", "G", "q"; empty is next.
Command read_line_command(int fd, int* count) {
  std::string line;
  char c;
  ssize_t n;
  while ((n = ::read(fd, &c, 1)) == 1 && c != '\n') {
    if (line.size() < 64) line += c;
  }
  if (n <= 0 && line.empty()) return Command::kQuit;
  *count = 1;
  size_t space = line.find(' ');
  if (space != std::string::npos) *count = std::clamp(std::atoi(line.c_str() + space + 1), 1, 100000);
  std::string word = line.substr(0, space);
  if (word.empty() || word == "n" || word == "next") return Command::kNext;
  if (word == "p" || word == "previous") return Command::kPrevious;
  if (word == "f" || word == "failure") return Command::kFailure;
  if (word == "s" || word == "switch") return Command::kSwitch;
  if (word == "g" || word == "first") return Command::kFirst;
  if (word == "G" || word == "last") return Command::kLast;
  if (word == "q" || word == "quit") return Command::kQuit;
  return Command::kNone;
}

void write_all(int fd, const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void terminal_size(int fd, int* rows, int* cols) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    *rows = ws.ws_row;
    *cols = ws.ws_col;
  }
}

size_t apply(const Timeline& t, Command c, size_t row, int count) {
  size_t last = t.rows.size() - 1;
  switch (c) {
    case Command::kNext:
      return std::min(last, row + static_cast<size_t>(count));
    case Command::kPrevious:
      return row > static_cast<size_t>(count) ? row - static_cast<size_t>(count) : 0;
    case Command::kFailure:
      return t.failure_row.value_or(row);
    case Command::kFirst:
      return 0;
    case Command::kLast:
      return last;
    case Command::kSwitch:
      for (size_t i = row + 1; i < t.rows.size(); ++i) {
        if (t.rows[i].kind == Row::Kind::kStep && (t.rows[i].why != Switch::kNone || t.rows[i].chosen)) return i;
      }
      return row;
    default:
      return row;
  }
}

}  // namespace

void run_stepper(const Timeline& t, const report::StepLog& log, Sources& sources, const StepperOptions& options) {
  if (t.rows.empty()) {
    write_all(options.out_fd, "(the log has no step of this test)\n");
    return;
  }
  bool terminal = ::isatty(options.in_fd) && ::isatty(options.out_fd);
  std::optional<RawTerminal> raw;
  if (terminal) raw.emplace(options.in_fd);
  size_t row = 0;
  for (;;) {
    int rows = 30, cols = 100;
    terminal_size(options.out_fd, &rows, &cols);
    std::string frame = stepper_frame(t, log, sources, options, row, rows - 1, cols);
    int count = 1;
    std::vector<Command> commands;
    if (raw && raw->on()) {
      std::string screen = "\033[H\033[2J";
      for (char ch : frame) screen += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
      write_all(options.out_fd, screen);
      commands = read_keys(options.in_fd);
    } else {
      write_all(options.out_fd, frame + "[n]ext [p]revious [f]ailure [s]witch [q]uit > ");
      commands = {read_line_command(options.in_fd, &count)};
      write_all(options.out_fd, "\n");
    }
    for (Command c : commands) {
      if (c == Command::kQuit) return;
      row = apply(t, c, row, count);
    }
  }
}

}  // namespace racelings::replay
