// checker/replay/page.cc: the timeline as a self-contained HTML page.

#include "checker/replay/page.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "checker/replay/escape.h"
#include "checker/replay/page_assets.h"
#include "checker/replay/timeline_text.h"
#include "checker/replay/wait_graph.h"

namespace racelings::replay {
namespace {

using nlohmann::json;
using report::Step;

// Bounds on what a hostile program can make the page carry.
constexpr size_t kMaxFiles = 6;
constexpr size_t kMaxFileLines = 3000;
constexpr size_t kMaxLineChars = 300;
constexpr size_t kMaxListed = 40;  // state lines, thread positions per row
constexpr size_t kMaxThreadColumns = 8;

// The files the page shows: the exercise first, then those where a thread stands.
std::vector<std::string> files_shown(const Timeline& t, const report::StepLog& log, const PageInput& in,
                                     Sources& sources) {
  std::vector<std::string> files{in.exercise_file};
  for (const Row& r : t.rows) {
    if (files.size() >= kMaxFiles) break;
    if (r.kind != Row::Kind::kStep) continue;
    std::string file = parse_location(log.steps[r.step].at).file;
    if (file.empty() || std::find(files.begin(), files.end(), file) != files.end()) continue;
    if (!sources.lines(file).empty()) files.push_back(file);
  }
  return files;
}

// One row of the page's data: what the panels show at it.
json row_data(const Timeline& t, const report::StepLog& log, const Row& r, size_t index, Sources& sources) {
  json j;
  size_t at_step = r.kind == Row::Kind::kStep ? r.step : (r.last >= r.first ? r.last : r.first);
  at_step = std::min(at_step, log.steps.size() - 1);
  const Step& s = log.steps[at_step];
  j["index"] = index;
  if (r.kind == Row::Kind::kFold) {
    j["kind"] = "fold";
    j["summary"] = r.summary;
  } else {
    Location at = parse_location(s.at);
    j["kind"] = "step";
    j["step"] = s.step;
    j["thread"] = s.thread;
    j["who"] = column_label(t, s.thread);
    j["does"] = step_cell(t, s);
    j["where"] = short_location(at);
    j["file"] = at.file;
    j["line"] = at.line;
    j["text"] = at.line > 0 ? fit(sources.line_text(at.file, at.line), kMaxLineChars) : "";
    if (r.why != Switch::kNone || r.chosen) j["switch"] = switch_note(t, r, s);
    if (r.resumes_after != 0) j["resume"] = resume_note(t, r, s);
    if (r.failure) j["failure"] = true;
  }
  json state = json::array();
  for (const auto& line : state_lines(t, s.state, nullptr)) {
    if (state.size() == kMaxListed) break;
    state.push_back(line);
  }
  j["state"] = state;
  json positions = json::array();
  for (const auto& [thread, where] : thread_positions(log, at_step)) {
    if (positions.size() == kMaxListed) break;
    positions.push_back(
        {{"thread", thread}, {"label", column_label(t, thread)}, {"file", where.file}, {"line", where.line}});
  }
  j["positions"] = positions;
  return j;
}

std::string page_data(const Timeline& t, const report::StepLog& log, const std::vector<std::string>& files,
                      Sources& sources) {
  json data;
  json rows = json::array();
  for (size_t i = 0; i < t.rows.size(); ++i) rows.push_back(row_data(t, log, t.rows[i], i, sources));
  data["rows"] = rows;
  data["failure_row"] = t.failure_row ? json(*t.failure_row) : json(nullptr);
  json threads = json::array();
  for (size_t i = 0; i < t.columns.size(); ++i) threads.push_back({{"id", t.columns[i].id}, {"colour", i % 8}});
  data["threads"] = threads;
  data["files"] = files;
  // Inside a <script> element: no "</script>" nor "<!--" may appear.
  std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out += c;
    }
  }
  return out;
}

void write_sources(std::ostringstream& out, const std::vector<std::string>& files, Sources& sources) {
  out << "<section id=\"source\"><h2>Where each thread is</h2>\n";
  for (size_t f = 0; f < files.size(); ++f) {
    const auto& lines = sources.lines(files[f]);
    out << "<div class=\"file\" data-file=\"" << escape(files[f]) << "\"><h3>" << escape(files[f]) << "</h3><pre>";
    for (size_t i = 0; i < lines.size() && i < kMaxFileLines; ++i) {
      out << "<div class=\"line\" id=\"L" << f << "-" << i + 1 << "\"><span class=\"num\">" << i + 1 << "</span><code>"
          << escape(fit(lines[i], kMaxLineChars)) << "</code><span class=\"marks\"></span></div>";
    }
    if (lines.empty()) out << "<div class=\"line\">(the file cannot be read)</div>";
    out << "</pre></div>\n";
  }
  out << "</section>\n";
}

void write_table(std::ostringstream& out, const Timeline& t, const report::StepLog& log, Sources& sources) {
  bool per_thread = t.columns.size() <= kMaxThreadColumns;
  out << "<section id=\"timeline\"><h2>Timeline</h2><table><thead><tr><th>step</th>";
  if (per_thread) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      out << "<th class=\"thread c" << c % 8 << "\">" << escape(t.columns[c].label) << "</th>";
    }
  } else {
    out << "<th>thread</th><th>does</th>";
  }
  out << "<th>where</th><th>source</th></tr></thead><tbody>\n";
  size_t span = per_thread ? t.columns.size() + 3 : 5;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const Row& r = t.rows[i];
    if (r.kind == Row::Kind::kFold) {
      out << "<tr class=\"fold\" data-row=\"" << i << "\"><td colspan=\"" << span << "\">⋮ " << escape(r.summary)
          << "</td></tr>\n";
      continue;
    }
    const Step& s = log.steps[r.step];
    if (r.why != Switch::kNone || r.chosen) {
      out << "<tr class=\"note switch\"><td colspan=\"" << span << "\">» " << escape(switch_note(t, r, s))
          << "</td></tr>\n";
    }
    if (r.resumes_after != 0) {
      out << "<tr class=\"note switch\"><td colspan=\"" << span << "\">» " << escape(resume_note(t, r, s))
          << "</td></tr>\n";
    }
    out << "<tr class=\"step" << (r.failure ? " failure" : "") << "\" data-row=\"" << i << "\"><td class=\"num\">"
        << (r.failure ? "✗ " : "") << s.step << "</td>";
    if (per_thread) {
      for (size_t c = 0; c < t.columns.size(); ++c) {
        out << "<td class=\"c" << c % 8 << "\">" << (t.columns[c].id == s.thread ? escape(step_cell(t, s)) : "")
            << "</td>";
      }
    } else {
      out << "<td>" << escape(column_label(t, s.thread)) << "</td><td>" << escape(step_cell(t, s)) << "</td>";
    }
    Location at = parse_location(s.at);
    out << "<td class=\"where\">" << escape(short_location(at)) << "</td><td class=\"src\"><code>"
        << escape(at.line > 0 ? fit(sources.line_text(at.file, at.line), kMaxLineChars) : "") << "</code></td></tr>\n";
    if (r.failure) {
      out << "<tr class=\"note failure\"><td colspan=\"" << span << "\"><pre>✗ " << escape(failure_note(t, &sources))
          << "</pre></td></tr>\n";
    }
  }
  out << "</tbody></table></section>\n";
}

}  // namespace

std::string render_page(const Timeline& t, const report::StepLog& log, Sources& sources, const PageInput& in) {
  std::ostringstream out;
  std::string title = in.exercise + " · schedule " + (t.schedule.empty() ? "?" : t.schedule);
  out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      << "<title>" << escape(title) << "</title><style>" << kPageStyle << "</style></head><body>\n";
  out << "<header><h1>" << escape(in.exercise) << " <span class=\"schedule\">schedule " << escape(t.schedule)
      << "</span></h1>\n<p class=\"intro\">";
  if (!t.test.empty()) out << "Test <code>" << escape(t.test) << "</code>: ";
  out << thousands(t.steps_in_test) << " steps" << (t.failure ? " up to the failure" : "") << ", " << t.preemptions
      << (t.preemptions == 1 ? " switch" : " switches") << " while a thread could have gone on";
  if (t.steps_before_test > 0)
    out << " (the " << thousands(t.steps_before_test) << " steps of earlier tests are left out)";
  out << ". In a terminal: <code>" << escape(in.replay_command + " " + t.schedule + " --step") << "</code></p>\n";
  std::string failure = failure_note(t, &sources);
  if (!failure.empty()) {
    out << "<pre id=\"failure\" class=\"" << (t.failure ? "failed" : "passed") << "\">" << (t.failure ? "✗ " : "✓ ")
        << escape(failure) << "</pre>\n";
  }
  out << "</header>\n";
  if (t.rows.empty()) {
    out << "<p>The log has no step of this test.</p></body></html>\n";
    return out.str();
  }
  out << "<nav id=\"controls\"><button id=\"first\" title=\"the first row (Home)\">« start</button>"
      << "<button id=\"prev\" title=\"the row before (←)\">◀ previous</button>"
      << "<input type=\"range\" id=\"slider\" min=\"0\" max=\"" << t.rows.size() - 1 << "\" value=\"0\" "
      << "aria-label=\"row\"><button id=\"next\" title=\"the next row (→)\">next ▶</button>"
      << "<button id=\"to-switch\" title=\"the next switch of thread (s)\">next switch »</button>"
      << "<button id=\"to-failure\" title=\"where it went wrong (f)\">✗ failure</button>"
      << "<span id=\"position\"></span></nav>\n";
  out << "<main><section id=\"now\"><h2>This step</h2><div id=\"now-body\"></div></section>\n";
  std::vector<std::string> files = files_shown(t, log, in, sources);
  write_sources(out, files, sources);
  out << "<section id=\"state\"><h2>State after this step</h2><ul id=\"state-list\"></ul></section>\n";
  if (auto graph = deadlock_graph(t, log)) {
    out << "<section id=\"graph\"><h2>" << escape(graph->title) << "</h2>" << graph_svg(*graph);
    if (!graph->cycle_text.empty()) out << "<p class=\"cycle\">" << escape(graph->cycle_text) << ".</p>";
    out << "</section>\n";
  }
  write_table(out, t, log, sources);
  if (!t.legend.empty()) {
    out << "<section id=\"names\"><h2>Names</h2><dl>";
    for (const auto& [brief, full] : t.legend) out << "<dt>" << escape(brief) << "</dt><dd>" << escape(full) << "</dd>";
    out << "</dl></section>\n";
  }
  out << "</main>\n<script type=\"application/json\" id=\"replay-data\">" << page_data(t, log, files, sources)
      << "</script>\n<script>" << kPageScript << "</script>\n</body></html>\n";
  return out.str();
}

}  // namespace racelings::replay
