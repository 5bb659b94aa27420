// step_log.h
// -----------------------------------------------------------------------------
//
// Internal: writes the step log of a controlled execution, one JSON object per
// line (the format is documented in README.md, "The step log"). Each line is
// one write(2), so that the log is complete up to the last step even when the
// program dies right after it.
//
// The log is bounded whatever the program does: the first kHeadStepBytes of
// steps go to the log itself, later steps to two tail files taken in turn
// (`<path>.1`, `<path>.2`; the one reused is emptied first), so that the
// beginning and the last steps before the end are always kept. Lines that
// are not steps (threads, tests, failures, the end) go to the log itself.

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_STEP_LOG_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_STEP_LOG_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace racelings {
namespace schedule {

// json_string(): `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

// What the log keeps, at most: the head of the steps, two tail files, and
// other lines beside the head.
inline constexpr size_t kHeadStepBytes = size_t{8} << 20;
inline constexpr size_t kTailFileBytes = size_t{4} << 20;
inline constexpr size_t kOtherLineBytes = size_t{4} << 20;

class StepLog {
 public:
  // Opens (truncates) `path`; a log that cannot be opened is silently off.
  explicit StepLog(const std::string& path);
  ~StepLog();
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;

  bool on() const { return fd_ >= 0; }
  // Writes one line that is not a step: `json` is a complete JSON object
  // without the newline.
  void line(const std::string& json);
  // Writes one step line, to the head or to a tail file.
  void step(const std::string& json);
  // line() for a caller that must not allocate (a sanitizer's report hook):
  // `text` ends with its newline and is written by a raw system call.
  void raw_line(const char* text, size_t size);

 private:
  void write_to(int fd, const std::string& text);

  std::string path_;
  int fd_ = -1;
  size_t head_bytes_ = 0;   // Steps written to the log itself.
  size_t other_bytes_ = 0;  // Other lines.
  int tail_fd_ = -1;
  int tail_index_ = 0;  // 1 or 2 once steps go to a tail file.
  size_t tail_bytes_ = 0;
};

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_STEP_LOG_H_
