// checker/report/gtest_output.cc

#include "checker/report/gtest_output.h"

#include <string>
#include <string_view>
#include <utility>

#include "checker/report/parse_text.h"

namespace racelings::report {

bool GtestOutput::is_marker(std::string_view t) {
  for (std::string_view m : {"[ RUN      ]", "[       OK ]", "[  FAILED  ]", "[==========]", "[----------]",
                             "[  PASSED  ]", "[  SKIPPED ]", "[ DISABLED ]"}) {
    if (t.starts_with(m)) return true;
  }
  return false;
}

bool GtestOutput::handle_marker(std::string_view t) {
  if (!is_marker(t)) return false;
  const std::string_view rest = trim(t.substr(12));
  if (t.starts_with("[ RUN      ]")) {
    current_test_ = capped(rest);
    failures_.clear();
    test_raw_.clear();
    append_line(test_raw_, t);
    in_test_ = true;
  } else if (t.starts_with("[       OK ]") || t.starts_with("[  SKIPPED ]")) {
    in_test_ = false;
    failures_.clear();
  } else if (t.starts_with("[==========] Running")) {
    emitted_tests_.clear();
    in_test_ = false;
  } else if (t.starts_with("[  FAILED  ]")) {
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

void GtestOutput::emit_test_failure(std::string_view name, std::string_view t) {
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
    f.summary = capped((where.empty() ? std::string("unknown file") : where) + ": " + std::string(message));
  } else {
    f.summary = capped(t);
  }
  emit_(std::move(f));
  test_raw_.clear();
}

void GtestOutput::message_line(std::string_view line, std::string_view t) {
  append_line(test_raw_, line);
  // "file:line: Failure" (gtest on Linux) or "file(line): error: " (MSVC style).
  if (t.ends_with(": Failure") || t == "unknown file: Failure") {
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

}  // namespace racelings::report
