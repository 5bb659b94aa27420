// checker/report/report_parser.cc
//
// One pass over the input, one line at a time; each line is looked at through
// a window of at most kMaxLineBytes, so the work is linear in the input and a
// line of binary garbage costs no more than a short one.
//
// Mapping onto the vocabulary (the vocabulary is fixed, see finding.h):
//   ThreadSanitizer
//     data race*                         -> data race
//     lock-order-inversion               -> lock-order inversion
//     thread leak                        -> thread leak
//     heap-use-after-free                -> heap-use-after-free
//     unlock of an unlocked mutex, destroy of a locked mutex, double lock of a
//     mutex, use of an invalid mutex, read (un)lock of a write locked mutex,
//     anything else about a mutex        -> mutex misuse
//     signal-unsafe call inside of a signal,
//     signal handler spoils errno        -> signal-unsafe call
//     anything else (SEGV, CHECK failed) -> crash
//   AddressSanitizer
//     heap-use-after-free, stack-use-after-scope, stack-use-after-return
//                                        -> the kind of the same name
//     attempting double-free             -> double free
//     everything else: heap/stack/global-buffer-overflow, SEGV, stack-overflow,
//     alloc-dealloc-mismatch, bad free, use-after-poison, ...
//                                        -> crash (the title keeps the precise
//                                           error; none of these is a
//                                           concurrency or lifetime kind of ours)
//   LeakSanitizer detected memory leaks  -> leak
//   UndefinedBehaviorSanitizer "runtime error: ..." and its ERROR lines
//                                        -> crash. The project builds UBSan
//     with -fno-sanitize-recover=all and halt_on_error=1, so every finding
//     stops the program where it shows, which is what a crash is to a student;
//     no other kind fits undefined behaviour. The title keeps what the
//     undefined behaviour was ("signed integer overflow: ...").
//   racelings: <kind> ...                -> <kind> (unknown kinds -> crash)
//   GoogleTest [  FAILED  ] test         -> test failure
//   "Segmentation fault", "Aborted", ... std::terminate, "*** stack smashing",
//   glibc heap checks, assert()          -> crash; glibc's "double free
//                                           detected" -> double free

#include "checker/report/report_parser.h"

#include "checker/report/symbolizer.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace racelings::report {
namespace {

constexpr std::size_t kMaxLineBytes = 4096;
constexpr std::size_t kMaxTextBytes = 1024;     // a title, heading or note
constexpr std::size_t kMaxMessageBytes = 2048;  // one gtest failure's message
constexpr std::size_t kMaxMessageLines = 40;
constexpr std::size_t kMaxNamesPerRun = 4096;  // gtest tests remembered per run

// ---------------------------------------------------------------------------
// Small string helpers.

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// A small non-negative number; 0 if `s` is not one or is absurdly long.
int to_int(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return 0;
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string capped(std::string_view s, std::size_t limit = kMaxTextBytes) {
  return std::string(s.substr(0, limit));
}

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
  if (ends_with(raw, kCut)) return;
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
  if (!starts_with(s, "==")) return s;
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
    if (ends_with(rest, ")")) s = trim(s.substr(0, at));
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

// Splits input into lines without copying, each cut to kMaxLineBytes, with
// '\r' and ANSI escapes removed.
class LineReader {
 public:
  explicit LineReader(std::string_view input) : input_(input) {}

  bool next(std::string_view& line) {
    if (pos_ >= input_.size()) return false;
    const char* begin = input_.data() + pos_;
    const std::size_t left = input_.size() - pos_;
    const void* newline = std::memchr(begin, '\n', left);
    const std::size_t len =
        newline != nullptr ? static_cast<std::size_t>(static_cast<const char*>(newline) - begin)
                           : left;
    pos_ += len + (newline != nullptr ? 1 : 0);
    std::string_view l(begin, std::min(len, kMaxLineBytes));
    while (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find('\x1b') != std::string_view::npos) {
      buffer_ = strip_ansi(l);
      l = buffer_;
    }
    line = l;
    return true;
  }

 private:
  std::string_view input_;
  std::size_t pos_ = 0;
  std::string buffer_;
};

// ---------------------------------------------------------------------------
// Locations and frames.

struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

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
    if (ends_with(token, ext)) return true;
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
  if (starts_with(rest, "0x")) {
    std::size_t end = 2;
    while (end < rest.size() && !is_space(rest[end])) ++end;
    rest = trim(rest.substr(end));
  }
  if (starts_with(rest, "in ")) rest = trim(rest.substr(3));
  // Trailing "(BuildId: ...)" and "(module+0xoffset)" groups.
  for (int guard = 0; guard < 4 && ends_with(rest, ")"); ++guard) {
    const std::size_t open = rest.rfind('(');
    if (open == std::string_view::npos) break;
    const std::string_view inner = rest.substr(open + 1, rest.size() - open - 2);
    if (starts_with(inner, "BuildId:")) {
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
  const std::string_view before =
      space == std::string_view::npos ? std::string_view() : trim(rest.substr(0, space));
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

// ---------------------------------------------------------------------------
// Threads.

void add_thread(std::vector<ThreadInfo>& threads, std::string_view id, std::string_view name) {
  for (ThreadInfo& t : threads) {
    if (t.id == id) {
      if (t.name.empty() && !name.empty()) t.name = std::string(name);
      return;
    }
  }
  if (threads.size() >= kMaxThreadsPerFinding) return;
  threads.push_back(ThreadInfo{std::string(id), std::string(name), std::string()});
}

// The name after a thread id: " 'worker'" (TSan, racelings) or " (worker)"
// (ASan), but not " (tid=12, running)".
std::string_view thread_name_after(std::string_view s) {
  if (starts_with(s, " '")) {
    const std::size_t end = s.find('\'', 2);
    if (end != std::string_view::npos && end - 2 <= 64) return s.substr(2, end - 2);
  } else if (starts_with(s, " (")) {
    const std::size_t end = s.find(')', 2);
    if (end != std::string_view::npos && end - 2 <= 64) {
      const std::string_view name = s.substr(2, end - 2);
      if (!name.empty() && name.find_first_of("=,") == std::string_view::npos &&
          !starts_with(name, "0x")) {
        return name;
      }
    }
  }
  return std::string_view();
}

// Records the threads a heading names ("by thread T1", "in main thread",
// "Thread T1 'worker' (tid=..)"), in order; the creator after "created by"
// is not one of the threads involved.
void scan_threads(std::string_view text, std::vector<ThreadInfo>& threads) {
  if (std::size_t cut = text.find(" created by "); cut != std::string_view::npos) {
    text = text.substr(0, cut);
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && text[i - 1] != ' ') continue;
    if (text.substr(i, 11) == "main thread") {
      add_thread(threads, "main thread", "");
      i += 10;
      continue;
    }
    if (text[i] != 'T' || i + 1 >= text.size() || !is_digit(text[i + 1])) continue;
    // The word before must be "thread".
    if (i < 7) continue;
    const std::string_view word = text.substr(i - 7, 6);
    if (word != "thread" && word != "Thread") continue;
    std::size_t end = i + 1;
    while (end < text.size() && is_digit(text[end])) ++end;
    if (end < text.size() && !(is_space(text[end]) || text[end] == ':' || text[end] == ',' ||
                               text[end] == '.' || text[end] == ')')) {
      continue;
    }
    add_thread(threads, text.substr(i, end - i), thread_name_after(text.substr(end)));
    i = end - 1;
  }
}

// The first thread id in a "Thread T1 ... created ..." heading.
std::string_view created_thread_id(std::string_view heading) {
  if (!starts_with(heading, "Thread ") || !contains(heading, " created ")) return {};
  std::size_t end = 7;
  if (end >= heading.size() || heading[end] != 'T') return {};
  ++end;
  while (end < heading.size() && is_digit(heading[end])) ++end;
  return heading.substr(7, end - 7);
}

// ---------------------------------------------------------------------------
// Kinds.

Kind tsan_kind(std::string_view what) {
  if (starts_with(what, "data race")) return Kind::kDataRace;
  if (starts_with(what, "lock-order-inversion")) return Kind::kLockOrderInversion;
  if (starts_with(what, "thread leak")) return Kind::kThreadLeak;
  if (starts_with(what, "heap-use-after-free")) return Kind::kHeapUseAfterFree;
  if (contains(what, "signal-unsafe") || contains(what, "signal handler")) {
    return Kind::kSignalUnsafeCall;
  }
  if (contains(what, "mutex") || contains(what, "lock of")) return Kind::kMutexMisuse;
  return Kind::kCrash;
}

Kind asan_kind(std::string_view what) {
  if (starts_with(what, "heap-use-after-free")) return Kind::kHeapUseAfterFree;
  if (starts_with(what, "stack-use-after-scope")) return Kind::kStackUseAfterScope;
  if (starts_with(what, "stack-use-after-return")) return Kind::kStackUseAfterReturn;
  if (starts_with(what, "attempting double-free") || starts_with(what, "double-free")) {
    return Kind::kDoubleFree;
  }
  if (contains(what, "detected memory leaks") || contains(what, "leaked in")) return Kind::kLeak;
  return Kind::kCrash;
}

Kind racelings_kind(std::string_view what) {
  Kind best = Kind::kCrash;
  std::size_t best_len = 0;
  for (Kind k : kAllKinds) {
    const std::string_view name = kind_name(k);
    if (name.size() > best_len && starts_with(what, name) &&
        (what.size() == name.size() || what[name.size()] == ' ' || what[name.size()] == '(')) {
      best = k;
      best_len = name.size();
    }
  }
  return best;
}

enum class Source { kTsan, kAsan, kLsan, kUbsanRuntime, kUbsanError, kRacelings };

struct Start {
  Source source;
  Kind kind;
  std::string tool;
  std::string title;
  std::optional<Location> where;  // UBSan's "file:line:col: runtime error"
};

// Whether `line` starts a report, and which.
std::optional<Start> detect_start(std::string_view line) {
  struct Marker {
    std::string_view text;
    Source source;
    std::string_view tool;
  };
  static constexpr Marker kMarkers[] = {
      {"WARNING: ThreadSanitizer: ", Source::kTsan, "ThreadSanitizer"},
      {"ERROR: ThreadSanitizer: ", Source::kTsan, "ThreadSanitizer"},
      {"ERROR: AddressSanitizer: ", Source::kAsan, "AddressSanitizer"},
      {"ERROR: LeakSanitizer: ", Source::kLsan, "LeakSanitizer"},
      {"ERROR: UndefinedBehaviorSanitizer: ", Source::kUbsanError, "UndefinedBehaviorSanitizer"},
      {"WARNING: racelings: ", Source::kRacelings, "racelings"},
  };
  for (const Marker& m : kMarkers) {
    const std::size_t at = line.find(m.text);
    if (at == std::string_view::npos) continue;
    // The title starts at the tool's name ("ThreadSanitizer: data race").
    const std::size_t colon = m.text.find(": ");
    const std::string_view title = line.substr(at + colon + 2);
    const std::string_view what = trim(line.substr(at + m.text.size()));
    Start s{m.source, Kind::kCrash, std::string(m.tool), clean_title(title), std::nullopt};
    switch (m.source) {
      case Source::kTsan:
        s.kind = tsan_kind(what);
        break;
      case Source::kAsan:
      case Source::kLsan:
        s.kind = asan_kind(what);
        break;
      case Source::kRacelings:
        s.kind = racelings_kind(what);
        break;
      default:
        s.kind = Kind::kCrash;
    }
    return s;
  }
  const std::size_t at = line.find(": runtime error: ");
  if (at != std::string_view::npos) {
    std::string_view prefix = line.substr(0, at);
    if (std::size_t space = prefix.find_last_of(" \t"); space != std::string_view::npos) {
      prefix = prefix.substr(space + 1);
    }
    // UBSan names a place: "file:line:col", "<unknown>" or "(module+0x12)";
    // anything else is a program printing those words.
    auto where = parse_location(prefix);
    const bool place = where || prefix == "<unknown>" ||
                       (starts_with(prefix, "(") && contains(prefix, "+0x"));
    if (!place) return std::nullopt;
    Start s{Source::kUbsanRuntime, Kind::kCrash, "UndefinedBehaviorSanitizer",
            clean_title(line.substr(at + 2)), std::move(where)};
    return s;
  }
  return std::nullopt;
}

// A frame from a SUMMARY line's "file:line:col in function", if any.
std::optional<Frame> summary_frame(std::string_view summary) {
  std::string_view loc_part = summary;
  std::string_view function;
  if (std::size_t in = summary.rfind(" in "); in != std::string_view::npos) {
    loc_part = summary.substr(0, in);
    function = trim(summary.substr(in + 4));
  } else if (ends_with(summary, " in")) {
    loc_part = summary.substr(0, summary.size() - 3);
  }
  loc_part = trim(loc_part);
  const std::size_t space = loc_part.find_last_of(" \t");
  const std::string_view token =
      space == std::string_view::npos ? loc_part : loc_part.substr(space + 1);
  auto loc = parse_location(token);
  if (!loc) return std::nullopt;
  Frame f;
  f.function = capped(function);
  f.file = std::move(loc->file);
  f.line = loc->line;
  f.column = loc->column;
  return f;
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
    if (contains(token, "/execroot/") || starts_with(token, "/proc/self/cwd/") ||
        contains(token, "bazel-out/") || contains(token, ".runfiles/") ||
        contains(token, "/../")) {
      std::string_view wrapped = token;
      const bool paren = starts_with(wrapped, "(");
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
  return contains(h, " created ") || starts_with(h, "As if synchronized") ||
         starts_with(h, "Location is") || starts_with(h, "previously allocated") ||
         starts_with(h, "Stack of the reporting thread");
}

// ---------------------------------------------------------------------------
// Crashes recognised from output lines.

struct SignalPhrase {
  std::string_view text;
  int signal;
};
constexpr SignalPhrase kSignalPhrases[] = {
    {"Segmentation fault", SIGSEGV},   {"Aborted", SIGABRT},
    {"Bus error", SIGBUS},             {"Floating point exception", SIGFPE},
    {"Illegal instruction", SIGILL},   {"Killed", SIGKILL},
    {"Trace/breakpoint trap", SIGTRAP}, {"Terminated", SIGTERM},
};

// "Segmentation fault (core dumped)" or a shell's
// "bash: line 1:  4242 Segmentation fault      ./prog".
std::optional<std::string_view> signal_phrase(std::string_view t) {
  for (const SignalPhrase& p : kSignalPhrases) {
    const std::size_t at = t.find(p.text);
    if (at == std::string_view::npos) continue;
    const std::string_view before = trim(t.substr(0, at));
    if (!before.empty() && !is_digit(before.back())) continue;
    const std::string_view after = t.substr(at + p.text.size());
    if (!after.empty() && !is_space(after.front())) continue;
    return p.text;
  }
  return std::nullopt;
}

struct CrashLine {
  Kind kind = Kind::kCrash;
  std::string title;
  std::optional<Frame> frame;
  bool is_signal = false;
};

std::optional<CrashLine> detect_crash(std::string_view t) {
  if (auto phrase = signal_phrase(t)) {
    return CrashLine{Kind::kCrash, std::string(*phrase), std::nullopt, true};
  }
  for (std::string_view p : {"terminate called after throwing", "terminate called without",
                             "terminate called recursively", "*** stack smashing detected",
                             "pure virtual method called", "Fatal glibc error:",
                             "malloc(): ", "free(): invalid", "realloc(): invalid",
                             "munmap_chunk(): invalid", "corrupted size vs. prev_size",
                             "corrupted double-linked list", "malloc_consolidate(): "}) {
    if (starts_with(t, p)) return CrashLine{Kind::kCrash, capped(t), std::nullopt, false};
  }
  for (std::string_view p : {"free(): double free detected", "double free or corruption"}) {
    if (starts_with(t, p)) return CrashLine{Kind::kDoubleFree, capped(t), std::nullopt, false};
  }
  // assert(): "prog: file.cc:12: int main(): Assertion `x' failed."
  if (const std::size_t at = t.find(": Assertion `");
      at != std::string_view::npos && ends_with(t, "' failed.")) {
    CrashLine c{Kind::kCrash, capped(t), std::nullopt, false};
    const std::string_view before = t.substr(0, at);
    // Find "file:line:" among the ": "-separated parts.
    std::size_t start = 0;
    while (start < before.size()) {
      std::size_t end = before.find(": ", start);
      if (end == std::string_view::npos) end = before.size();
      if (auto loc = parse_location(before.substr(start, end - start))) {
        Frame f;
        f.file = std::move(loc->file);
        f.line = loc->line;
        if (end < before.size()) f.function = capped(trim(before.substr(end + 2)));
        c.frame = std::move(f);
        break;
      }
      start = end + 2;
    }
    return c;
  }
  return std::nullopt;
}

// Lines that may sit between a report and the shell's "Aborted" line without
// making that a separate crash.
bool is_trailer_line(std::string_view line) {
  const std::string_view t = trim(line);
  return t.empty() || is_space(line.front()) || starts_with(t, "==") || starts_with(t, "=>") ||
         starts_with(t, "Shadow byte") || starts_with(t, "ThreadSanitizer: reported") ||
         starts_with(t, "HINT:") || starts_with(t, "what():") || starts_with(t, "SUMMARY:");
}

std::string digits_to_hash(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_digit(s[i])) {
      out.push_back('#');
      while (i + 1 < s.size() && (is_digit(s[i + 1]) || (s[i + 1] >= 'a' && s[i + 1] <= 'f') ||
                                  s[i + 1] == 'x')) {
        ++i;
      }
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// The parser.

class Parser {
 public:
  std::vector<Finding> run(std::string_view input) {
    LineReader reader(input);
    std::string_view line;
    while (reader.next(line)) handle(line);
    close_block();
    return std::move(out_);
  }

 private:
  struct Block {
    bool open = false;
    Source source = Source::kTsan;
    Finding finding;
    std::string pending;
    bool pending_is_title = false;
    bool stack_open = false;
    std::optional<Location> where;
  };

  struct Failure {
    Frame where;
    std::string message;
    std::size_t lines = 0;
  };

  void handle(std::string_view full) {
    const std::string_view line = strip_pid_prefix(full);
    const std::string_view t = trim(line);

    if (auto start = detect_start(line)) {
      open_block(std::move(*start), line);
      return;
    }
    if (block_.open && handle_in_block(line, t)) return;

    const bool separator = is_separator(t);
    previous_was_separator_ = separator;
    if (separator) return;
    if (t.empty()) {
      if (in_test_) gtest_message_line(line, t);
      return;
    }
    if (starts_with(t, "SUMMARY: ")) {
      orphan_summary(t);
      return;
    }
    if (t.front() == '[' && handle_gtest(t)) {
      absorb_.reset();
      return;
    }
    if (auto crash = detect_crash(t)) {
      handle_crash(std::move(*crash), t);
      return;
    }
    if (absorb_ && starts_with(t, "what():")) {
      Finding& f = out_[*absorb_];
      if (f.notes.size() < kMaxNotesPerFinding) f.notes.push_back(capped(t));
      append_line(f.raw, t);
      return;
    }
    if (in_test_) gtest_message_line(line, t);
    if (!is_trailer_line(line)) absorb_.reset();
  }

  // --- sanitizer and racelings blocks ------------------------------------

  void open_block(Start start, std::string_view line) {
    close_block();
    block_ = Block();
    block_.open = true;
    block_.source = start.source;
    block_.where = std::move(start.where);
    Finding& f = block_.finding;
    f.kind = start.kind;
    f.tool = std::move(start.tool);
    f.title = std::move(start.title);
    if (previous_was_separator_) append_line(f.raw, "==================");
    append_line(f.raw, line);
    block_.pending = f.title;
    block_.pending_is_title = true;
    previous_was_separator_ = false;
  }

  // Returns true when the line belonged to the open block.
  bool handle_in_block(std::string_view line, std::string_view t) {
    Finding& f = block_.finding;
    if (is_separator(t) || starts_with(t, "ThreadSanitizer: reported") ||
        (t.size() > 1 && t.front() == '[' && is_gtest_marker(t))) {
      close_block();
      return false;  // the caller still looks at it (separator, gtest marker)
    }
    if (starts_with(t, "SUMMARY: ")) {
      f.summary = normalize_tokens(t.substr(9));
      append_line(f.raw, line);
      close_block();
      return true;
    }
    if (is_frame_line(t)) {
      append_line(f.raw, line);
      if (!block_.stack_open) {
        if (f.stacks.size() >= kMaxStacksPerFinding) return true;
        Stack s;
        s.heading = heading_text(block_.pending);
        block_.pending.clear();
        block_.pending_is_title = false;
        f.stacks.push_back(std::move(s));
        block_.stack_open = true;
      }
      Stack& s = f.stacks.back();
      if (s.frames.size() < kMaxFramesPerStack) s.frames.push_back(parse_frame(t));
      return true;
    }
    if (t.empty()) {
      append_line(f.raw, line);
      block_.stack_open = false;
      flush_pending();
      return true;
    }
    if (block_.source == Source::kUbsanRuntime) {
      close_block();  // UBSan prints no headings: anything else is the program's
      return false;
    }
    append_line(f.raw, line);
    block_.stack_open = false;
    flush_pending();
    block_.pending = capped(t);
    return true;
  }

  // TSan prints "Location is stack of <thread>." and then, for the same
  // address, "Location is global '??' at ... ([stack]+0x...)" when the
  // symbolizer cannot name a stack slot: a puzzle for students, not a fact.
  static bool is_unnamed_stack_location(std::string_view note) {
    return starts_with(note, "Location is global '?\?'") && contains(note, "([stack]+");
  }

  void flush_pending() {
    if (!block_.pending.empty() && !block_.pending_is_title &&
        !is_unnamed_stack_location(block_.pending) &&
        block_.finding.notes.size() < kMaxNotesPerFinding) {
      block_.finding.notes.push_back(std::move(block_.pending));
    }
    block_.pending.clear();
    block_.pending_is_title = false;
  }

  void close_block() {
    if (!block_.open) return;
    flush_pending();
    Finding f = std::move(block_.finding);
    // UBSan without print_stacktrace, or a block cut before its stacks:
    // fall back to the location the first line or the SUMMARY names.
    if (f.stacks.empty()) {
      std::optional<Frame> frame;
      if (block_.where) {
        frame = Frame{0, "", block_.where->file, block_.where->line, block_.where->column, ""};
      } else {
        frame = summary_frame(f.summary);
      }
      if (frame) f.stacks.push_back(Stack{f.title, {std::move(*frame)}});
    }
    finish_threads(f);
    if (in_test_ && f.notes.size() < kMaxNotesPerFinding) {
      f.notes.push_back(capped("while running test " + current_test_));
    }
    block_ = Block();
    absorb_ = emit(std::move(f));
  }

  static void finish_threads(Finding& f) {
    scan_threads(f.title, f.threads);
    for (const Stack& s : f.stacks) scan_threads(s.heading, f.threads);
    for (const Stack& s : f.stacks) {
      const std::string_view id = created_thread_id(s.heading);
      if (id.empty()) continue;
      for (ThreadInfo& t : f.threads) {
        if (t.id != id || !t.created_at.empty()) continue;
        for (const Frame& frame : s.frames) {
          if (!is_user_frame(frame)) continue;
          t.created_at = frame.file + (frame.line > 0 ? ":" + std::to_string(frame.line) : "");
          break;
        }
      }
    }
  }

  void orphan_summary(std::string_view t) {
    // "SUMMARY: ThreadSanitizer: data race file:l:c in f" whose block was cut.
    const std::string_view body = t.substr(9);
    const std::size_t colon = body.find(": ");
    if (colon == std::string_view::npos) return;
    const std::string_view tool = body.substr(0, colon);
    const std::string_view what = body.substr(colon + 2);
    Finding f;
    if (tool == "ThreadSanitizer") {
      f.kind = tsan_kind(what);
    } else if (tool == "AddressSanitizer" || tool == "LeakSanitizer") {
      f.kind = asan_kind(what);
    } else if (tool == "UndefinedBehaviorSanitizer") {
      f.kind = Kind::kCrash;
    } else if (tool == "racelings") {
      f.kind = racelings_kind(what);
    } else {
      return;
    }
    f.tool = f.kind == Kind::kLeak ? "LeakSanitizer" : std::string(tool);
    f.summary = normalize_tokens(body);
    f.title = capped(tool) + ": " + std::string(kind_name(f.kind));
    if (auto frame = summary_frame(what)) f.stacks.push_back(Stack{"SUMMARY", {std::move(*frame)}});
    append_line(f.raw, t);
    absorb_ = emit(std::move(f));
  }

  // --- crashes -----------------------------------------------------------

  void handle_crash(CrashLine crash, std::string_view t) {
    if (crash.is_signal && absorb_) {
      Finding& f = out_[*absorb_];
      if (f.notes.size() < kMaxNotesPerFinding) {
        f.notes.push_back("the program then stopped: " + crash.title);
      }
      append_line(f.raw, t);
      absorb_.reset();
      return;
    }
    Finding f;
    f.kind = crash.kind;
    f.tool = "racelings";
    f.title = std::move(crash.title);
    f.summary = f.title;
    if (crash.frame) f.stacks.push_back(Stack{"", {std::move(*crash.frame)}});
    if (in_test_) f.notes.push_back(capped("while running test " + current_test_));
    append_line(f.raw, t);
    const auto index = emit(std::move(f));
    absorb_ = crash.is_signal ? std::nullopt : index;
  }

  // --- GoogleTest ----------------------------------------------------------

  static bool is_gtest_marker(std::string_view t) {
    for (std::string_view m : {"[ RUN      ]", "[       OK ]", "[  FAILED  ]", "[==========]",
                               "[----------]", "[  PASSED  ]", "[  SKIPPED ]", "[ DISABLED ]"}) {
      if (starts_with(t, m)) return true;
    }
    return false;
  }

  bool handle_gtest(std::string_view t) {
    if (!is_gtest_marker(t)) return false;
    const std::string_view rest = trim(t.substr(12));
    if (starts_with(t, "[ RUN      ]")) {
      current_test_ = capped(rest);
      failures_.clear();
      test_raw_.clear();
      append_line(test_raw_, t);
      in_test_ = true;
    } else if (starts_with(t, "[       OK ]") || starts_with(t, "[  SKIPPED ]")) {
      in_test_ = false;
      failures_.clear();
    } else if (starts_with(t, "[==========] Running")) {
      emitted_tests_.clear();
      in_test_ = false;
    } else if (starts_with(t, "[  FAILED  ]")) {
      if (contains(rest, "listed below")) {
        in_test_ = false;
        return true;
      }
      std::size_t end = rest.find_first_of(" ,");
      const std::string_view name = rest.substr(0, end);
      if (name.empty() || all_digits(name)) return true;  // "[  FAILED  ] 2 tests"
      if (emitted_tests_.count(std::string(name)) == 0) {
        emit_test_failure(name, t);
      }
      in_test_ = false;
      failures_.clear();
    }
    return true;
  }

  void emit_test_failure(std::string_view name, std::string_view t) {
    if (emitted_tests_.size() < kMaxNamesPerRun) emitted_tests_.insert(std::string(name));
    Finding f;
    f.kind = Kind::kTestFailure;
    f.tool = "gtest";
    f.title = capped(name);
    const bool ours = in_test_ && current_test_ == name;
    if (ours) {
      for (Failure& failure : failures_) {
        std::string message = failure.message;
        while (!message.empty() && message.back() == '\n') message.pop_back();
        f.stacks.push_back(Stack{std::move(message), {std::move(failure.where)}});
      }
      f.raw = std::move(test_raw_);
    }
    append_line(f.raw, t);
    if (!f.stacks.empty()) {
      const Stack& first = f.stacks.front();
      const std::string where = location(first.frames.front());
      const std::string_view message = std::string_view(first.heading).substr(0, first.heading.find('\n'));
      f.summary = capped((where.empty() ? std::string("unknown file") : where) + ": " +
                         std::string(message));
    } else {
      f.summary = capped(t);
    }
    emit(std::move(f));
    test_raw_.clear();
  }

  void gtest_message_line(std::string_view line, std::string_view t) {
    append_line(test_raw_, line);
    // "file:line: Failure" (gtest on Linux) or "file(line): error: " (MSVC style).
    if (ends_with(t, ": Failure") || t == "unknown file: Failure") {
      const std::string_view where = t.substr(0, t.size() - 9);
      Failure failure;
      failure.where.function = current_test_;
      if (auto loc = parse_location(where)) {
        failure.where.file = std::move(loc->file);
        failure.where.line = loc->line;
      }
      if (failures_.size() < kMaxStacksPerFinding) failures_.push_back(std::move(failure));
      return;
    }
    if (failures_.empty()) return;
    Failure& last = failures_.back();
    if (last.lines >= kMaxMessageLines) return;
    ++last.lines;
    append_capped(last.message, line, kMaxMessageBytes);
    append_capped(last.message, "\n", kMaxMessageBytes);
  }

  // --- output ----------------------------------------------------------------

  // Adds a finding, or past kMaxFindings merges it into an equal one. Failing
  // that, a finding of a kind not kept yet (say, the watchdog's timeout after
  // a flood of reports) replaces the last one of a kind kept more than once,
  // so that every kind in the output keeps a finding; anything else is
  // dropped. Returns its index in out_, if it is there.
  std::optional<std::size_t> emit(Finding f) {
    if (out_.size() < kMaxFindings) {
      out_.push_back(std::move(f));
      return out_.size() - 1;
    }
    if (keys_.empty()) {
      for (std::size_t i = 0; i < out_.size(); ++i) keys_.emplace(merge_key(out_[i]), i);
      kinds_.clear();
      for (const auto& kept : out_) ++kinds_[kept.kind];
    }
    auto it = keys_.find(merge_key(f));
    if (it != keys_.end()) {
      out_[it->second].count += f.count;
      return it->second;
    }
    if (kinds_[f.kind] != 0) return std::nullopt;
    for (std::size_t i = out_.size(); i-- > 0;) {
      if (kinds_[out_[i].kind] < 2) continue;
      // Keep the order of appearance: remove it, append the newcomer.
      --kinds_[out_[i].kind];
      ++kinds_[f.kind];
      out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(i));
      out_.push_back(std::move(f));
      if (absorb_ && *absorb_ == i) absorb_.reset();
      if (absorb_ && *absorb_ > i) --*absorb_;
      keys_.clear();
      for (std::size_t k = 0; k < out_.size(); ++k) keys_.emplace(merge_key(out_[k]), k);
      return out_.size() - 1;
    }
    return std::nullopt;
  }

  std::vector<Finding> out_;
  std::unordered_map<std::string, std::size_t> keys_;  // past kMaxFindings: merge_key -> index
  std::map<Kind, std::size_t> kinds_;                   // past kMaxFindings: kept findings per kind
  Block block_;
  bool previous_was_separator_ = false;
  std::optional<std::size_t> absorb_;

  bool in_test_ = false;
  std::string current_test_;
  std::vector<Failure> failures_;
  std::string test_raw_;
  std::unordered_set<std::string> emitted_tests_;
};

// ---------------------------------------------------------------------------
// Build errors.

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
  return base == "ld" || starts_with(base, "ld.") || base == "lld" || base == "collect2" ||
         base == "ld64.lld";
}

class BuildErrorParser {
 public:
  std::vector<Finding> run(std::string_view input) {
    LineReader reader(input);
    std::string_view line;
    while (reader.next(line)) handle(line);
    return std::move(out_);
  }

 private:
  void handle(std::string_view line) {
    const std::string_view t = trim(line);
    if (t.empty()) return;
    // The sanitizer runtime and its symbolizer, printing in the middle of a
    // run: not a compiler's or linker's message.
    if (is_sanitizer_runtime_line(t)) return;
    if (auto d = parse_diagnostic(line)) {
      if (d->severity == "error" || d->severity == "fatal error") {
        Frame frame{0, function_, std::move(d->where.file), d->where.line, d->where.column, ""};
        start("compiler", d->message, line, std::move(frame));
      } else if (d->severity == "note" && current_) {
        Finding& f = out_[*current_];
        if (f.notes.size() < kMaxNotesPerFinding) {
          f.notes.push_back(capped(location(Frame{0, "", d->where.file, d->where.line,
                                                  d->where.column, ""}) +
                                   ": " + std::string(d->message)));
        }
        append_line(f.raw, line);
      } else {
        current_.reset();  // a warning's context is not the error's
      }
      return;
    }
    // gcc's "file.cc: In function 'int main()':" names the function of the
    // errors that follow.
    if (const std::size_t at = t.find(": In function ");
        at != std::string_view::npos && ends_with(t, ":")) {
      std::string_view fn = t.substr(at + 14);
      fn.remove_suffix(1);
      function_ = capped(strip_quotes(fn));
      current_.reset();
      return;
    }
    if (contains(t, ": In member function ") || contains(t, ": In lambda function") ||
        contains(t, ": In instantiation of ") || contains(t, ": At global scope")) {
      function_.clear();
      current_.reset();
      return;
    }
    // GNU ld: "/usr/bin/ld: /tmp/x.o: in function `main':" then
    // "x.cc:4: undefined reference to `f()'".
    if (const std::size_t at = t.find(": in function `");
        at != std::string_view::npos && ends_with(t, "':")) {
      link_function_ = capped(t.substr(at + 15, t.size() - at - 17));
      return;
    }
    for (std::string_view what : {"undefined reference to", "multiple definition of"}) {
      const std::size_t at = t.find(what);
      if (at == std::string_view::npos) continue;
      Frame frame;
      frame.function = link_function_;
      std::string_view prefix = t.substr(0, at);
      while (!prefix.empty() && (prefix.back() == ' ' || prefix.back() == ':')) {
        prefix.remove_suffix(1);
      }
      if (const std::size_t space = prefix.find_last_of(" \t"); space != std::string_view::npos) {
        prefix = prefix.substr(space + 1);
      }
      if (auto loc = parse_location(prefix)) {
        frame.file = std::move(loc->file);
        frame.line = loc->line;
        frame.column = loc->column;
      }
      start("linker", t.substr(at), line, std::move(frame));
      return;
    }
    // lld: ">>> referenced by x.cc:4 (/full/path/x.cc:4)" and ">>> x.o:(main)".
    if (starts_with(t, ">>>") && current_ && out_[*current_].tool == "linker") {
      lld_context(trim(t.substr(3)), line);
      return;
    }
    if (auto te = tool_error(t)) {
      const bool summary_line = starts_with(te->second, "linker command failed") ||
                                starts_with(te->second, "ld returned");
      if (summary_line && saw_linker_error_) {
        if (current_) append_line(out_[*current_].raw, line);
        return;
      }
      const bool linker = is_linker_name(te->first) || summary_line;
      start(linker ? "linker" : "compiler", te->second, line, std::nullopt);
      return;
    }
    if (current_) append_line(out_[*current_].raw, line);
  }

  static std::string_view strip_quotes(std::string_view s) {
    // gcc quotes with ‘’ (UTF-8) or '' depending on the locale.
    for (std::string_view q : {"\xe2\x80\x98", "'", "`"}) {
      if (starts_with(s, q)) {
        s.remove_prefix(q.size());
        break;
      }
    }
    for (std::string_view q : {"\xe2\x80\x99", "'"}) {
      if (ends_with(s, q)) {
        s.remove_suffix(q.size());
        break;
      }
    }
    return s;
  }

  void lld_context(std::string_view rest, std::string_view line) {
    Finding& f = out_[*current_];
    append_line(f.raw, line);
    if (starts_with(rest, "referenced by ")) {
      rest = trim(rest.substr(14));
      std::optional<Location> loc;
      if (const std::size_t open = rest.find(" ("); open != std::string_view::npos &&
                                                     ends_with(rest, ")")) {
        loc = parse_location(rest.substr(open + 2, rest.size() - open - 3));
        if (!loc) loc = parse_location(rest.substr(0, open));
      } else {
        loc = parse_location(rest);
      }
      if (!loc || f.stacks.empty()) return;
      Stack& s = f.stacks.front();
      if (s.frames.size() >= kMaxFramesPerStack) return;
      Frame frame{static_cast<int>(s.frames.size()), "", std::move(loc->file), loc->line,
                  loc->column, ""};
      // A frame-less stack from "ld.lld: error:" gets this as its first frame.
      s.frames.push_back(std::move(frame));
      return;
    }
    // ">>>               /tmp/x.o:(main)": the function of the last reference.
    if (const std::size_t open = rest.rfind(":("); open != std::string_view::npos &&
                                                    ends_with(rest, ")") && !f.stacks.empty()) {
      Stack& s = f.stacks.front();
      if (!s.frames.empty() && s.frames.back().function.empty()) {
        s.frames.back().function = capped(rest.substr(open + 2, rest.size() - open - 3));
      }
    }
  }

  void start(std::string_view tool, std::string_view message, std::string_view line,
             std::optional<Frame> frame) {
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

struct SignalName {
  int signal;
  std::string_view name;
  std::string_view description;
};
constexpr SignalName kSignals[] = {
    {SIGSEGV, "SIGSEGV", "segmentation fault: an access to memory the program may not touch"},
    {SIGABRT, "SIGABRT", "aborted: abort() was called, e.g. by std::terminate or a failed assert"},
    {SIGBUS, "SIGBUS", "bus error: a misaligned or unmapped memory access"},
    {SIGFPE, "SIGFPE", "arithmetic error, such as an integer division by zero"},
    {SIGILL, "SIGILL", "illegal instruction, often __builtin_trap() or a corrupted stack"},
    {SIGKILL, "SIGKILL", "killed from outside (out of memory, or a time limit)"},
    {SIGTERM, "SIGTERM", "terminated from outside (usually a time limit)"},
    {SIGTRAP, "SIGTRAP", "trace/breakpoint trap"},
    {SIGPIPE, "SIGPIPE", "write to a pipe nobody reads"},
    {SIGALRM, "SIGALRM", "an alarm() timer went off"},
    {SIGINT, "SIGINT", "interrupted (Ctrl-C)"},
    {SIGQUIT, "SIGQUIT", "quit (Ctrl-\\)"},
    {SIGSYS, "SIGSYS", "bad system call"},
};

void drop_empty_stacks(std::vector<Finding>& findings) {
  for (Finding& f : findings) {
    f.stacks.erase(std::remove_if(f.stacks.begin(), f.stacks.end(),
                                  [](const Stack& s) { return s.frames.empty(); }),
                   f.stacks.end());
  }
}

}  // namespace

std::vector<Finding> parse_reports(std::string_view output) { return Parser().run(output); }

std::vector<Finding> parse_build_errors(std::string_view compiler_output) {
  std::vector<Finding> out = BuildErrorParser().run(compiler_output);
  drop_empty_stacks(out);
  return out;
}

Finding crash_from_signal(int sig) {
  Finding f;
  f.kind = Kind::kCrash;
  f.tool = "racelings";
  std::string name = "signal " + std::to_string(sig);
  std::string description = "an unexpected signal";
  for (const SignalName& s : kSignals) {
    if (s.signal == sig) {
      name = std::string(s.name);
      description = std::string(s.description);
      break;
    }
  }
  f.title = "killed by " + name + " (" + description + ")";
  f.summary = "the program died of signal " + std::to_string(sig) + " (" + name + ")";
  f.raw = f.summary + "\n";
  return f;
}

std::string merge_key(const Finding& finding) {
  std::string key(kind_name(finding.kind));
  key += '|';
  std::vector<std::string> places;
  for (const Stack& s : finding.stacks) {
    if (is_context_heading(s.heading)) continue;
    for (const Frame& f : s.frames) {
      if (!is_user_frame(f)) continue;
      places.push_back(f.file + ":" + std::to_string(f.line));
      break;
    }
  }
  std::sort(places.begin(), places.end());
  places.erase(std::unique(places.begin(), places.end()), places.end());
  for (const std::string& p : places) {
    key += p;
    key += ';';
  }
  if (places.empty() || finding.kind == Kind::kTestFailure ||
      finding.kind == Kind::kBuildError) {
    key += '|';
    key += digits_to_hash(finding.title);
  }
  return key;
}

std::vector<Finding> merge_findings(std::vector<Finding> findings) {
  std::vector<Finding> out;
  std::unordered_map<std::string, std::size_t> index;
  for (Finding& f : findings) {
    std::string key = merge_key(f);
    auto it = index.find(key);
    if (it != index.end()) {
      out[it->second].count += f.count;
      continue;
    }
    index.emplace(std::move(key), out.size());
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace racelings::report
