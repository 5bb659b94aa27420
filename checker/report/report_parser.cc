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

#include <algorithm>
#include <csignal>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "checker/report/gtest_output.h"
#include "checker/report/parse_text.h"
#include "checker/report/symbolizer.h"

namespace racelings::report {
namespace {

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
  if (s.starts_with(" '")) {
    const std::size_t end = s.find('\'', 2);
    if (end != std::string_view::npos && end - 2 <= 64) return s.substr(2, end - 2);
  } else if (s.starts_with(" (")) {
    const std::size_t end = s.find(')', 2);
    if (end != std::string_view::npos && end - 2 <= 64) {
      const std::string_view name = s.substr(2, end - 2);
      if (!name.empty() && name.find_first_of("=,") == std::string_view::npos && !name.starts_with("0x")) {
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
    if (end < text.size() &&
        !(is_space(text[end]) || text[end] == ':' || text[end] == ',' || text[end] == '.' || text[end] == ')')) {
      continue;
    }
    add_thread(threads, text.substr(i, end - i), thread_name_after(text.substr(end)));
    i = end - 1;
  }
}

// The first thread id in a "Thread T1 ... created ..." heading.
std::string_view created_thread_id(std::string_view heading) {
  if (!heading.starts_with("Thread ") || !contains(heading, " created ")) return {};
  std::size_t end = 7;
  if (end >= heading.size() || heading[end] != 'T') return {};
  ++end;
  while (end < heading.size() && is_digit(heading[end])) ++end;
  return heading.substr(7, end - 7);
}

// ---------------------------------------------------------------------------
// Kinds.

Kind tsan_kind(std::string_view what) {
  if (what.starts_with("data race")) return Kind::kDataRace;
  if (what.starts_with("lock-order-inversion")) return Kind::kLockOrderInversion;
  if (what.starts_with("thread leak")) return Kind::kThreadLeak;
  if (what.starts_with("heap-use-after-free")) return Kind::kHeapUseAfterFree;
  if (contains(what, "signal-unsafe") || contains(what, "signal handler")) {
    return Kind::kSignalUnsafeCall;
  }
  if (contains(what, "mutex") || contains(what, "lock of")) return Kind::kMutexMisuse;
  return Kind::kCrash;
}

Kind asan_kind(std::string_view what) {
  if (what.starts_with("heap-use-after-free")) return Kind::kHeapUseAfterFree;
  if (what.starts_with("stack-use-after-scope")) return Kind::kStackUseAfterScope;
  if (what.starts_with("stack-use-after-return")) return Kind::kStackUseAfterReturn;
  if (what.starts_with("attempting double-free") || what.starts_with("double-free")) {
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
    if (name.size() > best_len && what.starts_with(name) &&
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
    const bool place = where || prefix == "<unknown>" || (prefix.starts_with("(") && contains(prefix, "+0x"));
    if (!place) return std::nullopt;
    Start s{Source::kUbsanRuntime, Kind::kCrash, "UndefinedBehaviorSanitizer", clean_title(line.substr(at + 2)),
            std::move(where)};
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
  } else if (summary.ends_with(" in")) {
    loc_part = summary.substr(0, summary.size() - 3);
  }
  loc_part = trim(loc_part);
  const std::size_t space = loc_part.find_last_of(" \t");
  const std::string_view token = space == std::string_view::npos ? loc_part : loc_part.substr(space + 1);
  auto loc = parse_location(token);
  if (!loc) return std::nullopt;
  Frame f;
  f.function = capped(function);
  f.file = std::move(loc->file);
  f.line = loc->line;
  f.column = loc->column;
  return f;
}

// ---------------------------------------------------------------------------
// Crashes recognised from output lines.

struct SignalPhrase {
  std::string_view text;
  int signal;
};
constexpr SignalPhrase kSignalPhrases[] = {
    {"Segmentation fault", SIGSEGV},
    {"Aborted", SIGABRT},
    {"Bus error", SIGBUS},
    {"Floating point exception", SIGFPE},
    {"Illegal instruction", SIGILL},
    {"Killed", SIGKILL},
    {"Trace/breakpoint trap", SIGTRAP},
    {"Terminated", SIGTERM},
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
  for (std::string_view p :
       {"terminate called after throwing", "terminate called without", "terminate called recursively",
        "*** stack smashing detected", "pure virtual method called",
        "Fatal glibc error:", "malloc(): ", "free(): invalid", "realloc(): invalid", "munmap_chunk(): invalid",
        "corrupted size vs. prev_size", "corrupted double-linked list", "malloc_consolidate(): "}) {
    if (t.starts_with(p)) return CrashLine{Kind::kCrash, capped(t), std::nullopt, false};
  }
  for (std::string_view p : {"free(): double free detected", "double free or corruption"}) {
    if (t.starts_with(p)) return CrashLine{Kind::kDoubleFree, capped(t), std::nullopt, false};
  }
  // assert(): "prog: file.cc:12: int main(): Assertion `x' failed."
  if (const std::size_t at = t.find(": Assertion `"); at != std::string_view::npos && t.ends_with("' failed.")) {
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
  return t.empty() || is_space(line.front()) || t.starts_with("==") || t.starts_with("=>") ||
         t.starts_with("Shadow byte") || t.starts_with("ThreadSanitizer: reported") || t.starts_with("HINT:") ||
         t.starts_with("what():") || t.starts_with("SUMMARY:");
}

// ---------------------------------------------------------------------------
// The parser.

class Parser {
 public:
  std::vector<Finding> run(std::string_view input) {
    for_each_line(input, [this](std::string_view line) { handle(line); });
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
      if (gtest_.in_test()) gtest_.message_line(line, t);
      return;
    }
    if (t.starts_with("SUMMARY: ")) {
      orphan_summary(t);
      return;
    }
    if (t.front() == '[' && gtest_.handle_marker(t)) {
      absorb_.reset();
      return;
    }
    if (auto crash = detect_crash(t)) {
      handle_crash(std::move(*crash), t);
      return;
    }
    if (absorb_ && t.starts_with("what():")) {
      Finding& f = out_[*absorb_];
      if (f.notes.size() < kMaxNotesPerFinding) f.notes.push_back(capped(t));
      append_line(f.raw, t);
      return;
    }
    if (gtest_.in_test()) gtest_.message_line(line, t);
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
    if (is_separator(t) || t.starts_with("ThreadSanitizer: reported") ||
        (t.size() > 1 && t.front() == '[' && GtestOutput::is_marker(t))) {
      close_block();
      return false;  // the caller still looks at it (separator, gtest marker)
    }
    if (t.starts_with("SUMMARY: ")) {
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
    return note.starts_with("Location is global '?\?'") && contains(note, "([stack]+");
  }

  void flush_pending() {
    if (!block_.pending.empty() && !block_.pending_is_title && !is_unnamed_stack_location(block_.pending) &&
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
    if (gtest_.in_test() && f.notes.size() < kMaxNotesPerFinding) {
      f.notes.push_back(capped("while running test " + gtest_.current_test()));
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
    if (gtest_.in_test()) f.notes.push_back(capped("while running test " + gtest_.current_test()));
    append_line(f.raw, t);
    const auto index = emit(std::move(f));
    absorb_ = crash.is_signal ? std::nullopt : index;
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

  // Failed tests go to the findings like any other report.
  GtestOutput gtest_{[this](Finding f) { emit(std::move(f)); }};
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

}  // namespace

std::vector<Finding> parse_reports(std::string_view output) { return Parser().run(output); }

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

}  // namespace racelings::report
