#include "checker/ui.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace racelings::checker {

Ui Ui::for_stdout(bool force_no_colour) {
  Ui ui;
  const char* no_colour = std::getenv("NO_COLOR");
  ui.colour_ = !force_no_colour && ::isatty(STDOUT_FILENO) && (no_colour == nullptr || *no_colour == '\0');
  return ui;
}

std::string Ui::wrap(const char* code, std::string_view s) const {
  if (!colour_) return std::string(s);
  return std::string("\033[") + code + "m" + std::string(s) + "\033[0m";
}

std::string Ui::progress_bar(int done, int total, int width) const {
  int filled = total > 0 ? done * width / total : 0;
  std::string bar = "[" + green(std::string(static_cast<size_t>(filled), '#')) +
                    std::string(static_cast<size_t>(width - filled), '-') + "]";
  return bar + " " + std::to_string(done) + "/" + std::to_string(total);
}

namespace {

// A short label for a stack heading, e.g. "Write of size 4 at 0x... by
// thread T1" -> "write by thread T1", "Thread T1 (tid=5, running) created by
// main thread at" -> "thread T1 started here".
std::string who(const report::Finding& finding, const std::string& heading) {
  if (finding.kind == report::Kind::kTestFailure) return "the failing check";
  if (finding.kind == report::Kind::kBuildError) return "error here";
  std::string h = heading.substr(0, heading.find('\n'));
  if (h.rfind("Thread ", 0) == 0 && h.find("created by") != std::string::npos) {
    return "thread " + h.substr(7, h.find(' ', 7) - 7) + " started here";
  }
  auto by = h.find(" by ");
  std::string action = h.substr(0, h.find(' '));
  if (action == "Previous") {
    auto second = h.find(' ', 9);
    action = "previous " + h.substr(9, second == std::string::npos ? std::string::npos : second - 9);
  } else {
    for (auto& c : action) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (by != std::string::npos) return action + h.substr(by);
  if (h.size() > 60) h = h.substr(0, 57) + "...";
  return h;
}

}  // namespace

std::string quote_sources(const std::vector<report::Finding>& findings, const std::string& root, const Ui& ui) {
  // file -> line -> notes
  std::map<std::string, std::map<int, std::set<std::string>>> marks;
  for (const auto& f : findings) {
    for (const auto& stack : f.stacks) {
      for (const auto& frame : stack.frames) {
        if (!report::is_user_frame(frame) || frame.line <= 0) continue;
        if (frame.file.rfind("exercises/", 0) != 0 && frame.file.rfind("solutions/", 0) != 0) continue;
        marks[frame.file][frame.line].insert(who(f, stack.heading));
        break;  // The innermost user frame of each stack is where it happened.
      }
    }
  }
  std::ostringstream out;
  for (const auto& [file, lines] : marks) {
    std::ifstream in(root + "/" + file);
    if (!in) continue;
    std::vector<std::string> text;
    std::string line;
    while (std::getline(in, line)) text.push_back(line);
    out << "  " << ui.bold(file) << "\n";
    for (const auto& [number, notes] : lines) {
      if (number > static_cast<int>(text.size())) continue;
      std::string src = text[static_cast<size_t>(number - 1)];
      std::string note;
      for (const auto& n : notes) note += (note.empty() ? "" : "; ") + n;
      char num[16];
      std::snprintf(num, sizeof(num), "%5d", number);
      out << "  " << ui.dim(num) << " | " << src << "   " << ui.yellow("<- " + note) << "\n";
    }
  }
  return out.str();
}

}  // namespace racelings::checker
