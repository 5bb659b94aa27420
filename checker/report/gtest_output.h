// checker/report/gtest_output.h
//
// GoogleTest's output inside a run's log: the [ RUN ] / [  FAILED  ] markers
// and the "file:line: Failure" messages between them, turned into findings
// of kind test failure (internal to checker/report).

#ifndef RACELINGS_CHECKER_REPORT_GTEST_OUTPUT_H_
#define RACELINGS_CHECKER_REPORT_GTEST_OUTPUT_H_

#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "checker/report/finding.h"

namespace racelings::report {

class GtestOutput {
 public:
  // `emit` receives each failed test's finding.
  explicit GtestOutput(std::function<void(Finding)> emit) : emit_(std::move(emit)) {}

  // A line that starts with one of GoogleTest's [ ... ] markers.
  static bool is_marker(std::string_view t);
  // Handles a marker line; false when `t` is not one.
  bool handle_marker(std::string_view t);
  // A line printed while a test runs (`t` is `line` trimmed).
  void message_line(std::string_view line, std::string_view t);

  bool in_test() const { return in_test_; }
  const std::string& current_test() const { return current_test_; }

 private:
  struct Failure {
    Frame where;
    std::string message;
    std::size_t lines = 0;
  };

  void emit_test_failure(std::string_view name, std::string_view t);

  std::function<void(Finding)> emit_;
  bool in_test_ = false;
  std::string current_test_;
  std::vector<Failure> failures_;
  std::string test_raw_;
  std::unordered_set<std::string> emitted_tests_;
};

}  // namespace racelings::report

#endif  // RACELINGS_CHECKER_REPORT_GTEST_OUTPUT_H_
