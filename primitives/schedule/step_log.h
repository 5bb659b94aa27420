// step_log.h
// -----------------------------------------------------------------------------
//
// Internal: writes the step log of a controlled execution, one JSON object per
// line (the format is documented in README.md, "The step log"). Each line is
// one write(2), so that the log is complete up to the last step even when the
// program dies right after it.

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_STEP_LOG_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_STEP_LOG_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace racelings {
namespace schedule {

// json_string(): `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

class StepLog {
 public:
  // Opens (truncates) `path`; a log that cannot be opened is silently off.
  explicit StepLog(const std::string& path);
  ~StepLog();
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;

  bool on() const { return fd_ >= 0; }
  // Writes one line: `json` is a complete JSON object without the newline.
  void line(const std::string& json);

 private:
  int fd_ = -1;
};

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_STEP_LOG_H_
