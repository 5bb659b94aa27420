// Catches the exception inside the thread and turns it into an ordinary error: the caller reports "error: ...", never a panic.
// expect: runs: test failure
//
// Exercise 03: errors travel through join
//
// run_jobs() parses each input on its own thread. A job can succeed, return
// an error it expected ("empty input"), or throw (the thread "panics"). The
// caller must report each outcome, but it turns a thread that threw into a
// job that succeeded with 0, so nobody learns that the job failed.
//
// Report a thrown exception as "panic: <what>". Keep one thread per job.

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
    jobs.push_back(racelings::spawn([text]() -> racelings::Result<int, std::string> {
      try {
        return parse_count(text);
      } catch (const std::exception& e) {
        return {racelings::Err, std::string("panic: ") + e.what()};
      }
    }));
  }

  std::vector<std::string> outcomes;
  for (auto& job : jobs) {
    // The thread no longer throws: a panic comes back as an error.
    racelings::Result<int, std::string> result = job.join();
    outcomes.push_back(result.is_ok() ? "ok: " + std::to_string(*result) : "error: " + result.error());
  }
  return outcomes;
}

}  // namespace exercise
