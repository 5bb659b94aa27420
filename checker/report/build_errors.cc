// checker/report/build_errors.cc
//
// parse_build_errors(): the compiler's and the linker's errors, as findings
// of kind build error, with the notes that go with them.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checker/report/parse_text.h"
#include "checker/report/report_parser.h"
#include "checker/report/symbolizer.h"

namespace racelings::report {
namespace {

struct Diagnostic {
  Location where;
  std::string_view severity;  // "error", "fatal error", "warning", "note"
  std::string_view message;
};

std::optional<Diagnostic> parse_diagnostic(std::string_view line) {
  for (std::string_view severity : {"fatal error", "error", "warning", "note"}) {
    const std::string marker = ": " + std::string(severity) + ": ";
    const std::size_t at = line.find(marker);
    if (at == std::string_view::npos) continue;
    auto loc = parse_location(line.substr(0, at));
    if (!loc) continue;
    return Diagnostic{std::move(*loc), severity, trim(line.substr(at + marker.size()))};
  }
  return std::nullopt;
}

// "ld.lld: error: msg", "clang: error: msg", "collect2: error: msg".
std::optional<std::pair<std::string_view, std::string_view>> tool_error(std::string_view t) {
  const std::size_t at = t.find(": error: ");
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  const std::string_view tool = t.substr(0, at);
  if (tool.find_first_of(" \t:") != std::string_view::npos) return std::nullopt;
  return std::make_pair(tool, trim(t.substr(at + 9)));
}

bool is_linker_name(std::string_view tool) {
  const std::size_t slash = tool.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? tool : tool.substr(slash + 1);
  return base == "ld" || base.starts_with("ld.") || base == "lld" || base == "collect2" || base == "ld64.lld";
}

class BuildErrorParser {
 public:
  std::vector<Finding> run(std::string_view input) {
    for_each_line(input, [this](std::string_view line) { handle(line); });
    return std::move(out_);
  }

 private:
  void handle(std::string_view line) {
    const std::string_view t = trim(line);
    if (t.empty()) return;
    // The sanitizer runtime and its symbolizer, printing in the middle of a
    // run: not a compiler's or linker's message.
    if (is_sanitizer_runtime_line(t)) return;
    if (auto d = parse_diagnostic(line)) return diagnostic(*d, line);
    if (function_header(t) || linker_reference(t, line)) return;
    // lld: ">>> referenced by x.cc:4 (/full/path/x.cc:4)" and ">>> x.o:(main)".
    if (t.starts_with(">>>") && current_ && out_[*current_].tool == "linker") {
      lld_context(trim(t.substr(3)), line);
      return;
    }
    if (tool_error_line(t, line)) return;
    if (current_) append_line(out_[*current_].raw, line);
  }

  // "file:line:col: error: ...": an error starts a finding, a note adds to it.
  void diagnostic(Diagnostic& d, std::string_view line) {
    if (d.severity == "error" || d.severity == "fatal error") {
      Frame frame{0, function_, std::move(d.where.file), d.where.line, d.where.column, ""};
      start("compiler", d.message, line, std::move(frame));
    } else if (d.severity == "note" && current_) {
      Finding& f = out_[*current_];
      if (f.notes.size() < kMaxNotesPerFinding) {
        f.notes.push_back(capped(location(Frame{0, "", d.where.file, d.where.line, d.where.column, ""}) + ": " +
                                 std::string(d.message)));
      }
      append_line(f.raw, line);
    } else {
      current_.reset();  // a warning's context is not the error's
    }
  }

  // The lines that name the function of the errors that follow: gcc's "file.cc:
  // In function 'int main()':", and GNU ld's "/usr/bin/ld: /tmp/x.o: in
  // function `main':". Returns whether `t` was one.
  bool function_header(std::string_view t) {
    if (const std::size_t at = t.find(": In function "); at != std::string_view::npos && t.ends_with(":")) {
      std::string_view fn = t.substr(at + 14);
      fn.remove_suffix(1);
      function_ = capped(strip_quotes(fn));
      current_.reset();
      return true;
    }
    if (contains(t, ": In member function ") || contains(t, ": In lambda function") ||
        contains(t, ": In instantiation of ") || contains(t, ": At global scope")) {
      function_.clear();
      current_.reset();
      return true;
    }
    if (const std::size_t at = t.find(": in function `"); at != std::string_view::npos && t.ends_with("':")) {
      link_function_ = capped(t.substr(at + 15, t.size() - at - 17));
      return true;
    }
    return false;
  }

  // GNU ld: "x.cc:4: undefined reference to `f()'" (or a multiple
  // definition) starts a linker finding. Returns whether `t` was one.
  bool linker_reference(std::string_view t, std::string_view line) {
    for (std::string_view what : {"undefined reference to", "multiple definition of"}) {
      const std::size_t at = t.find(what);
      if (at == std::string_view::npos) continue;
      Frame frame;
      frame.function = link_function_;
      std::string_view prefix = t.substr(0, at);
      while (!prefix.empty() && (prefix.back() == ' ' || prefix.back() == ':')) prefix.remove_suffix(1);
      if (const std::size_t space = prefix.find_last_of(" \t"); space != std::string_view::npos) {
        prefix = prefix.substr(space + 1);
      }
      if (auto loc = parse_location(prefix)) {
        frame.file = std::move(loc->file);
        frame.line = loc->line;
        frame.column = loc->column;
      }
      start("linker", t.substr(at), line, std::move(frame));
      return true;
    }
    return false;
  }

  // "clang: error: ..." or "ld: error: ...": a finding of its own, except the
  // summary line after a linker error already reported. Returns whether `t` was one.
  bool tool_error_line(std::string_view t, std::string_view line) {
    auto te = tool_error(t);
    if (!te) return false;
    const bool summary_line = te->second.starts_with("linker command failed") || te->second.starts_with("ld returned");
    if (summary_line && saw_linker_error_) {
      if (current_) append_line(out_[*current_].raw, line);
      return true;
    }
    const bool linker = is_linker_name(te->first) || summary_line;
    start(linker ? "linker" : "compiler", te->second, line, std::nullopt);
    return true;
  }

  static std::string_view strip_quotes(std::string_view s) {
    // gcc quotes with ‘’ (UTF-8) or '' depending on the locale.
    for (std::string_view q : {"\xe2\x80\x98", "'", "`"}) {
      if (s.starts_with(q)) {
        s.remove_prefix(q.size());
        break;
      }
    }
    for (std::string_view q : {"\xe2\x80\x99", "'"}) {
      if (s.ends_with(q)) {
        s.remove_suffix(q.size());
        break;
      }
    }
    return s;
  }

  void lld_context(std::string_view rest, std::string_view line) {
    Finding& f = out_[*current_];
    append_line(f.raw, line);
    if (rest.starts_with("referenced by ")) {
      rest = trim(rest.substr(14));
      std::optional<Location> loc;
      if (const std::size_t open = rest.find(" ("); open != std::string_view::npos && rest.ends_with(")")) {
        loc = parse_location(rest.substr(open + 2, rest.size() - open - 3));
        if (!loc) loc = parse_location(rest.substr(0, open));
      } else {
        loc = parse_location(rest);
      }
      if (!loc || f.stacks.empty()) return;
      Stack& s = f.stacks.front();
      if (s.frames.size() >= kMaxFramesPerStack) return;
      Frame frame{static_cast<int>(s.frames.size()), "", std::move(loc->file), loc->line, loc->column, ""};
      // A frame-less stack from "ld.lld: error:" gets this as its first frame.
      s.frames.push_back(std::move(frame));
      return;
    }
    // ">>>               /tmp/x.o:(main)": the function of the last reference.
    if (const std::size_t open = rest.rfind(":(");
        open != std::string_view::npos && rest.ends_with(")") && !f.stacks.empty()) {
      Stack& s = f.stacks.front();
      if (!s.frames.empty() && s.frames.back().function.empty()) {
        s.frames.back().function = capped(rest.substr(open + 2, rest.size() - open - 3));
      }
    }
  }

  void start(std::string_view tool, std::string_view message, std::string_view line, std::optional<Frame> frame) {
    Finding f;
    f.kind = Kind::kBuildError;
    f.tool = std::string(tool);
    f.title = capped(message);
    f.summary = normalize_tokens(trim(line));
    Stack s;
    if (frame && !frame->file.empty()) s.frames.push_back(std::move(*frame));
    f.stacks.push_back(std::move(s));
    append_line(f.raw, line);
    if (tool == "linker") saw_linker_error_ = true;
    if (out_.size() >= kMaxFindings) {
      current_.reset();
      return;
    }
    out_.push_back(std::move(f));
    current_ = out_.size() - 1;
  }

  std::vector<Finding> out_;
  std::optional<std::size_t> current_;
  std::string function_;
  std::string link_function_;
  bool saw_linker_error_ = false;
};

void drop_empty_stacks(std::vector<Finding>& findings) {
  for (Finding& f : findings) {
    f.stacks.erase(std::remove_if(f.stacks.begin(), f.stacks.end(), [](const Stack& s) { return s.frames.empty(); }),
                   f.stacks.end());
  }
}

}  // namespace

std::vector<Finding> parse_build_errors(std::string_view compiler_output) {
  std::vector<Finding> out = BuildErrorParser().run(compiler_output);
  drop_empty_stacks(out);
  return out;
}

}  // namespace racelings::report
