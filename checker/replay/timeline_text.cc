// checker/replay/timeline_text.cc: the timeline as columns of text.

#include "checker/replay/timeline_text.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "checker/replay/paint.h"
#include "checker/replay/wait_graph.h"

namespace racelings::replay {

using report::Step;

size_t display_width(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string fit(std::string_view text, size_t width) {
  if (display_width(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::string out;
  size_t shown = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80 && ++shown == width) break;
    out += text[i];
  }
  return out + "…";
}

std::string pad(std::string_view text, size_t width) {
  std::string out = fit(text, width);
  size_t w = display_width(out);
  return out + std::string(w < width ? width - w : 0, ' ');
}

int terminal_width(int fallback) {
  winsize ws{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr && std::atoi(columns) >= 40) {
    return std::atoi(columns);
  }
  return fallback;
}

namespace {

// How the rows are laid out: a column per thread, or (too many threads for
// the width) one column naming the thread.
struct Layout {
  bool per_thread = true;
  std::vector<size_t> widths;  // per thread column, or {who, does} in the compact form
  size_t where = 0;
  size_t source = 0;
};

constexpr size_t kStepColumn = 10;  // "✗ 123456  "

Layout lay_out(const Timeline& t, const report::StepLog& log, int width) {
  Layout l;
  std::vector<size_t> widths(t.columns.size(), 0);
  size_t who = 0, does = 0;
  for (size_t c = 0; c < t.columns.size(); ++c) widths[c] = display_width(t.columns[c].label);
  for (const Row& r : t.rows) {
    if (r.kind != Row::Kind::kStep) continue;
    const Step& s = log.steps[r.step];
    size_t cell = display_width(step_cell(t, s));
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c].id == s.thread) widths[c] = std::max(widths[c], cell);
    }
    who = std::max(who, display_width(column_label(t, s.thread)));
    does = std::max(does, cell);
    l.where = std::max(l.where, display_width(short_location(parse_location(s.at))));
  }
  l.where = std::clamp<size_t>(l.where, 5, 24);
  size_t room = static_cast<size_t>(std::max(width, 60));
  size_t fixed = kStepColumn + l.where + 2;
  size_t min_source = 24;
  for (size_t& w : widths) w = std::min<size_t>(w, 26);
  auto total = [&] {
    size_t sum = 0;
    for (size_t w : widths) sum += w + 2;
    return sum;
  };
  // Narrow the columns, down to 10, before giving up on them.
  while (fixed + total() + min_source > room) {
    auto widest = std::max_element(widths.begin(), widths.end());
    if (widest == widths.end() || *widest <= 10) break;
    --*widest;
  }
  if (fixed + total() + min_source <= room) {
    l.widths = widths;
  } else {
    l.per_thread = false;
    l.widths = {std::min<size_t>(who, 18), std::min<size_t>(does, 22)};
  }
  size_t used = fixed;
  for (size_t w : l.widths) used += w + 2;
  l.source = room > used ? room - used : 0;
  return l;
}

std::string header(const Timeline& t, const Layout& l, const Paint& p) {
  std::string cols;
  if (l.per_thread) {
    for (size_t c = 0; c < t.columns.size(); ++c) cols += pad(t.columns[c].label, l.widths[c]) + "  ";
  } else {
    cols += pad("thread", l.widths[0]) + "  " + pad("does", l.widths[1]) + "  ";
  }
  cols += pad("where", l.where) + "  source";
  return p.bold("    step  " + cols) + "\n" + p.dim("    ----  " + std::string(display_width(cols), '-')) + "\n";
}

std::string step_row(const Timeline& t, const Step& s, const Row& r, const Layout& l, Sources& sources,
                     const Paint& p) {
  char number[16];
  std::snprintf(number, sizeof(number), "%6d", s.step);
  std::string out = (r.failure ? p.red("✗") : std::string(" ")) + " " + number + "  ";
  std::string cell = step_cell(t, s);
  if (l.per_thread) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      out += pad(t.columns[c].id == s.thread ? cell : std::string(), l.widths[c]) + "  ";
    }
  } else {
    out += pad(column_label(t, s.thread), l.widths[0]) + "  " + pad(cell, l.widths[1]) + "  ";
  }
  Location at = parse_location(s.at);
  out += pad(short_location(at), l.where) + "  ";
  std::string text = at.line > 0 ? sources.line_text(at.file, at.line) : std::string();
  out += p.dim(fit(text, l.source));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return (r.failure ? p.red(out) : out) + "\n";
}

// "· T1 holds M2 · Barrier(4): 2 of 4 arrived", wrapped under the step.
std::string state_block(const std::vector<std::string>& lines, size_t width, const Paint& p) {
  if (lines.empty()) return {};
  std::string out, line = "          ";
  for (const std::string& item : lines) {
    std::string piece = "· " + item + "  ";
    if (display_width(line) + display_width(piece) > width && display_width(line) > 10) {
      out += p.dim(line) + "\n";
      line = "          ";
    }
    line += fit(piece, width > 12 ? width - 12 : width);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return out + p.dim(line) + "\n";
}

}  // namespace

std::string render_timeline_text(const Timeline& t, const report::StepLog& log, Sources& sources,
                                 const TextOptions& options) {
  Paint p{options.colour};
  size_t width = static_cast<size_t>(std::max(options.width, 60));
  std::string out;
  std::string intro = "Schedule " + (t.schedule.empty() ? std::string("?") : t.schedule);
  if (!t.test.empty()) intro += ", test " + t.test;
  intro += ": " + thousands(t.steps_in_test) + (t.steps_in_test == 1 ? " step" : " steps") +
           (t.failure ? " up to the failure" : "") + ", " + std::to_string(t.preemptions) +
           (t.preemptions == 1 ? " switch" : " switches") + " while a thread could have gone on";
  out += p.bold(intro) + "\n";
  if (t.steps_before_test > 0) {
    out += p.dim("(the " + thousands(t.steps_before_test) + (t.steps_before_test == 1 ? " step" : " steps") +
                 " of the tests that ran before it are left out)") +
           "\n";
  }
  if (t.rows.empty()) return out + "(the log has no step of this test)\n";
  Layout l = lay_out(t, log, options.width);
  out += "\n" + header(t, l, p);
  // Under a step, what its state adds to the one shown before (a release
  // or the end of a wait shows in the rows themselves); in full at the
  // start, after a fold and at the failure.
  const report::StepState* previous = nullptr;
  for (const Row& r : t.rows) {
    if (r.kind == Row::Kind::kFold) {
      out += p.dim("  ⋮       " + fit(r.summary, width > 12 ? width - 10 : width)) + "\n";
      // After a long fold the state is shown whole again; a few quiet steps change nothing.
      if (r.missing > 0 || r.last + 1 > r.first + 10) previous = nullptr;
      continue;
    }
    const Step& s = log.steps[r.step];
    if (r.why != Switch::kNone || r.chosen) out += p.yellow("  » " + fit(switch_note(t, r, s), width - 4)) + "\n";
    if (r.resumes_after != 0) out += p.yellow("  » " + fit(resume_note(t, r, s), width - 4)) + "\n";
    out += step_row(t, s, r, l, sources, p);
    bool full = previous == nullptr || r.failure;
    std::vector<std::string> state = state_lines(t, s.state, full ? nullptr : previous);
    if (full && state.empty()) state.push_back("no lock held, no thread waits");
    out += state_block(state, width, p);
    previous = &s.state;
    if (r.failure) out += p.red("  ✗ " + failure_note(t, &sources)) + "\n";
  }
  if (t.failure && !t.failure_row) out += p.red("  ✗ " + failure_note(t, &sources)) + "\n";
  if (auto graph = deadlock_graph(t, log); graph && graph->has_cycle) {
    out += "\n" + p.bold(graph->title) + "\n  " + graph->cycle_text + ".\n";
  }
  if (!t.failure && !t.ending.empty()) out += "  (" + failure_note(t, &sources) + ")\n";
  if (!t.legend.empty()) {
    out += "\n" + p.bold("Names") + "\n";
    for (const auto& [brief, full] : t.legend) out += "  " + pad(brief, 12) + " " + full + "\n";
  }
  return out;
}

}  // namespace racelings::replay
