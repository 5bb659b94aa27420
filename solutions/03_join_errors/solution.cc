// Exercise 03: errors travel through join (solution)
//
// join_result() hands back either what the thread returned (itself a Result:
// ok or an expected error) or the exception it threw, as a ThreadPanic. The
// caller now looks at all three cases, as Rust's `match handle.join()` does.

#include <charconv>
#include <stdexcept>
#include <string>
#include <vector>

#include "primitives/result.h"
#include "primitives/thread.h"

namespace exercise {

// One job: the count written in `text`. Do not change it.
racelings::Result<int, std::string> parse_count(const std::string& text) {
  if (text.empty()) return {racelings::Err, "empty input"};
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument("not a number: \"" + text + "\"");
  }
  return value;
}

// "ok: <value>", "error: <message>" or "panic: <what>", one line per input.
std::vector<std::string> run_jobs(const std::vector<std::string>& inputs) {
  std::vector<racelings::JoinHandle<racelings::Result<int, std::string>>> jobs;
  for (const std::string& text : inputs) {
    jobs.push_back(racelings::spawn([text] { return parse_count(text); }));
  }

  std::vector<std::string> outcomes;
  for (auto& job : jobs) {
    // Err(panic) first: the thread threw, and the ThreadPanic says what.
    auto joined = job.join_result();
    if (joined.is_err()) {
      outcomes.push_back("panic: " + joined.error().what());
      continue;
    }
    racelings::Result<int, std::string>& result = *joined;
    outcomes.push_back(result.is_ok() ? "ok: " + std::to_string(*result) : "error: " + result.error());
  }
  return outcomes;
}

}  // namespace exercise
