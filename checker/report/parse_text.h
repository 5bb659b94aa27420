// checker/report/parse_text.h
//
// The text helpers the report parsers share (internal to checker/report):
// string views trimmed and capped, lines read without copying, and the
// file:line:col locations and stack frames the tools print.

#ifndef RACELINGS_CHECKER_REPORT_PARSE_TEXT_H_
#define RACELINGS_CHECKER_REPORT_PARSE_TEXT_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "checker/report/finding.h"

namespace racelings::report {

inline constexpr std::size_t kMaxLineBytes = 4096;
inline constexpr std::size_t kMaxTextBytes = 1024;     // a title, heading or note
inline constexpr std::size_t kMaxMessageBytes = 2048;  // one gtest failure's message
inline constexpr std::size_t kMaxMessageLines = 40;
inline constexpr std::size_t kMaxNamesPerRun = 4096;  // gtest tests remembered per run

bool is_space(char c);

bool is_digit(char c);

std::string_view trim(std::string_view s);
bool all_digits(std::string_view s);
// A small non-negative number; 0 if `s` is not one or is absurdly long.
int to_int(std::string_view s);
std::string capped(std::string_view s, std::size_t limit = kMaxTextBytes);
void append_capped(std::string& out, std::string_view text, std::size_t limit);
void append_line(std::string& raw, std::string_view line);
// Removes ANSI escape sequences (sanitizers colour their output on a tty).
std::string strip_ansi(std::string_view s);
// Removes a sanitizer's "==1234==" line prefix.
std::string_view strip_pid_prefix(std::string_view s);
// Removes " (pid=123)" and a trailing colon from a report's first line.
std::string clean_title(std::string_view s);
std::string heading_text(std::string_view s);
bool is_separator(std::string_view t);

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
    const std::size_t len = newline != nullptr ? static_cast<std::size_t>(static_cast<const char*>(newline) - begin)
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

// for_each_line(): handle(line) for every line a LineReader gives, in order.
template <typename Handle>
void for_each_line(std::string_view input, Handle&& handle) {
  LineReader reader(input);
  std::string_view line;
  while (reader.next(line)) handle(line);
}

struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

// "path:line:col" or "path:line"; the path is normalised.
std::optional<Location> parse_location(std::string_view token);
// Whether `token` looks like a source file name without a line ("crtstuff.c").
bool looks_like_source_file(std::string_view token);
// Whether trimmed line `t` is a stack frame: "#<n> ...".
bool is_frame_line(std::string_view t);
// Parses a frame as printed by the sanitizers (TSan "#0 f file:l:c (mod+0x1)",
// ASan "#0 0x1234 in f file:l:c", "#3 0x1234 in _start (/path/mod+0x1)") and by
// racelings ("#0 f file:l:c").
Frame parse_frame(std::string_view t);

// Normalises every path-looking token of a line (for SUMMARY lines).
std::string normalize_tokens(std::string_view s);
// Headings of stacks that give context (who created a thread, where a mutex
// was made, what TSan took for synchronisation) rather than the event itself.
bool is_context_heading(std::string_view h);
std::string digits_to_hash(std::string_view s);

}  // namespace racelings::report

#endif  // RACELINGS_CHECKER_REPORT_PARSE_TEXT_H_
