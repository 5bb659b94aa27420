// checker/report/parse_text.cc

#include "checker/report/parse_text.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace racelings::report {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// A small non-negative number; 0 if `s` is not one or is absurdly long.
int to_int(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return 0;
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string capped(std::string_view s, std::size_t limit) { return std::string(s.substr(0, limit)); }

void append_capped(std::string& out, std::string_view text, std::size_t limit) {
  if (out.size() >= limit) return;
  const std::size_t room = limit - out.size();
  if (text.size() <= room) {
    out.append(text);
  } else {
    out.append(text.substr(0, room));
  }
}

void append_line(std::string& raw, std::string_view line) {
  static constexpr std::string_view kCut = "[... truncated]\n";
  if (raw.ends_with(kCut)) return;
  if (raw.size() + line.size() + 1 + kCut.size() > kMaxRawBytes) {
    raw.append(kCut);
    return;
  }
  raw.append(line);
  raw.push_back('\n');
}

// Removes ANSI escape sequences (sanitizers colour their output on a tty).
std::string strip_ansi(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\x1b') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
    } else {
      ++i;
    }
  }
  return out;
}

// Removes a sanitizer's "==1234==" line prefix.
std::string_view strip_pid_prefix(std::string_view s) {
  if (!s.starts_with("==")) return s;
  std::size_t i = 2;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i > 2 && s.substr(i, 2) == "==") return s.substr(i + 2);
  return s;
}

// Removes " (pid=123)" and a trailing colon from a report's first line.
std::string clean_title(std::string_view s) {
  s = trim(s);
  if (std::size_t at = s.rfind(" (pid="); at != std::string_view::npos) {
    std::string_view rest = s.substr(at);
    if (rest.ends_with(")")) s = trim(s.substr(0, at));
  }
  while (!s.empty() && s.back() == ':') s.remove_suffix(1);
  return capped(trim(s));
}

std::string heading_text(std::string_view s) {
  s = trim(s);
  while (!s.empty() && s.back() == ':') s.remove_suffix(1);
  return capped(trim(s));
}

bool is_separator(std::string_view t) {
  return t.size() >= 10 && std::all_of(t.begin(), t.end(), [](char c) { return c == '='; });
}

// "path:line:col" or "path:line"; the path is normalised.
std::optional<Location> parse_location(std::string_view token) {
  token = trim(token);
  const std::size_t last = token.rfind(':');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  const std::string_view tail = token.substr(last + 1);
  if (!all_digits(tail)) return std::nullopt;
  std::string_view head = token.substr(0, last);
  Location loc;
  const std::size_t prev = head.rfind(':');
  if (prev != std::string_view::npos && prev > 0 && all_digits(head.substr(prev + 1))) {
    loc.line = to_int(head.substr(prev + 1));
    loc.column = to_int(tail);
    head = head.substr(0, prev);
  } else {
    loc.line = to_int(tail);
  }
  if (head.empty() || loc.line <= 0) return std::nullopt;
  if (head.find_first_of(" \t()<>'`\"") != std::string_view::npos) return std::nullopt;
  loc.file = normalize_path(head);
  if (loc.file.empty()) return std::nullopt;
  return loc;
}

// Whether `token` looks like a source file name without a line ("crtstuff.c").
bool looks_like_source_file(std::string_view token) {
  if (token.find_first_of("()<>'`\"") != std::string_view::npos) return false;
  for (std::string_view ext : {".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".inc", ".S"}) {
    if (token.ends_with(ext)) return true;
  }
  return false;
}

// Whether trimmed line `t` is a stack frame: "#<n> ...".
bool is_frame_line(std::string_view t) {
  if (t.size() < 2 || t[0] != '#' || !is_digit(t[1])) return false;
  std::size_t i = 1;
  while (i < t.size() && is_digit(t[i])) ++i;
  return i == t.size() || is_space(t[i]);
}

// Parses a frame as printed by the sanitizers (TSan "#0 f file:l:c (mod+0x1)",
// ASan "#0 0x1234 in f file:l:c", "#3 0x1234 in _start (/path/mod+0x1)") and by
// racelings ("#0 f file:l:c").
Frame parse_frame(std::string_view t) {
  Frame frame;
  std::size_t i = 1;
  while (i < t.size() && is_digit(t[i])) ++i;
  frame.index = to_int(t.substr(1, i - 1));
  std::string_view rest = trim(t.substr(i));
  if (rest.starts_with("0x")) {
    std::size_t end = 2;
    while (end < rest.size() && !is_space(rest[end])) ++end;
    rest = trim(rest.substr(end));
  }
  if (rest.starts_with("in ")) rest = trim(rest.substr(3));
  // Trailing "(BuildId: ...)" and "(module+0xoffset)" groups.
  for (int guard = 0; guard < 4 && rest.ends_with(")"); ++guard) {
    const std::size_t open = rest.rfind('(');
    if (open == std::string_view::npos) break;
    const std::string_view inner = rest.substr(open + 1, rest.size() - open - 2);
    if (inner.starts_with("BuildId:")) {
      rest = trim(rest.substr(0, open));
    } else if (contains(inner, "+0x") && inner.find(' ') == std::string_view::npos) {
      const std::string_view module = inner.substr(0, inner.rfind("+0x"));
      const std::size_t slash = module.rfind('/');
      frame.module = std::string(slash == std::string_view::npos ? module : module.substr(slash + 1));
      rest = trim(rest.substr(0, open));
    } else {
      break;
    }
  }
  // The location is the last token.
  const std::size_t space = rest.find_last_of(" \t");
  const std::string_view last = space == std::string_view::npos ? rest : rest.substr(space + 1);
  const std::string_view before = space == std::string_view::npos ? std::string_view() : trim(rest.substr(0, space));
  std::string_view function = rest;
  if (last == "<null>") {
    function = before;
  } else if (auto loc = parse_location(last)) {
    frame.file = std::move(loc->file);
    frame.line = loc->line;
    frame.column = loc->column;
    function = before;
  } else if (!before.empty() && looks_like_source_file(last)) {
    frame.file = normalize_path(last);
    function = before;
  }
  if (function == "<null>") function = std::string_view();
  frame.function = capped(function);
  return frame;
}

// Normalises every path-looking token of a line (for SUMMARY lines).
std::string normalize_tokens(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_space(s[i])) {
      out.push_back(s[i++]);
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && !is_space(s[end])) ++end;
    std::string_view token = s.substr(i, end - i);
    if (contains(token, "/execroot/") || token.starts_with("/proc/self/cwd/") || contains(token, "bazel-out/") ||
        contains(token, ".runfiles/") || contains(token, "/../")) {
      std::string_view wrapped = token;
      const bool paren = wrapped.starts_with("(");
      if (paren) wrapped.remove_prefix(1);
      if (paren) out.push_back('(');
      out += normalize_path(wrapped);
    } else {
      out.append(token);
    }
    i = end;
  }
  return capped(out);
}

// Headings of stacks that give context (who created a thread, where a mutex
// was made, what TSan took for synchronisation) rather than the event itself.
bool is_context_heading(std::string_view h) {
  return contains(h, " created ") || h.starts_with("As if synchronized") || h.starts_with("Location is") ||
         h.starts_with("previously allocated") || h.starts_with("Stack of the reporting thread");
}

std::string digits_to_hash(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_digit(s[i])) {
      out.push_back('#');
      while (i + 1 < s.size() && (is_digit(s[i + 1]) || (s[i + 1] >= 'a' && s[i + 1] <= 'f') || s[i + 1] == 'x')) {
        ++i;
      }
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace racelings::report
