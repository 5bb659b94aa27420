#include "checker/judge.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "checker/report/report_parser.h"
#include "checker/report/symbolizer.h"

namespace racelings::checker {
namespace {

using report::Finding;
using report::Kind;

Finding synthetic(Kind kind, std::string title) {
  Finding f;
  f.kind = kind;
  f.tool = "racelings";
  f.title = std::move(title);
  return f;
}

// The value after `key=` in a summary line: up to the next blank, or
// between quotes.
std::string summary_field(const std::string& line, const std::string& key) {
  std::string marker = " " + key + "=";
  size_t at = line.find(marker);
  if (at == std::string::npos) return {};
  size_t start = at + marker.size();
  if (start < line.size() && line[start] == '"') {
    size_t end = line.find('"', start + 1);
    return line.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
  }
  return line.substr(start, line.find(' ', start) - start);
}

uint64_t summary_number(const std::string& line, const std::string& key) {
  std::string v = summary_field(line, key);
  return v.empty() || v.find_first_not_of("0123456789") != std::string::npos ? 0 : std::stoull(v.substr(0, 18));
}

}  // namespace

ExploreSummary parse_explore_summary(const std::string& output) {
  ExploreSummary s;
  const std::string marker = "racelings: explore: result=";
  size_t at = output.rfind(marker);
  if (at == std::string::npos || (at > 0 && output[at - 1] != '\n')) return s;
  // From " result=..." to the end of the line.
  std::string line = output.substr(at + 19, output.find('\n', at) - at - 19);
  s.present = true;
  s.failed = summary_field(line, "result") == "fail";
  s.schedules = summary_number(line, "schedules");
  s.strategy = summary_field(line, "strategy");
  s.found_by = summary_field(line, "found_by");
  s.schedule = summary_field(line, "schedule");
  s.signature = summary_field(line, "signature");
  s.preemptions = summary_number(line, "preemptions");
  s.steps = summary_number(line, "steps");
  s.max_steps = summary_number(line, "max_steps");
  s.shrink_runs = summary_number(line, "shrink_runs");
  std::string seconds = summary_field(line, "seconds");
  s.seconds = seconds.empty() ? 0 : std::atof(seconds.c_str());
  std::string found = summary_field(line, "found_seconds");
  s.found_seconds = found.empty() ? s.seconds : std::atof(found.c_str());
  return s;
}

RunVerdict judge(RunResult run, const std::optional<CompletionRecord>& completion) {
  RunVerdict v;
  v.completion = completion;
  v.findings = report::parse_reports(run.output);
  auto has = [&](Kind k) { return has_kind(v.findings, k); };
  if (!run.started) {
    v.findings.push_back(synthetic(Kind::kCrash, "the test program could not be started: " + run.error));
  } else if (run.timed_out) {
    if (!has(Kind::kTimeout) && !has(Kind::kDeadlock)) {
      v.findings.push_back(synthetic(
          Kind::kTimeout, "the test did not finish within " + std::to_string(run.elapsed.count() / 1000) +
                              " s and was stopped (an endless loop, or a wait the deadlock detector cannot see)"));
    }
  } else if (run.out_of_memory) {
    v.findings.push_back(synthetic(Kind::kCrash, "the test used too much memory and was stopped"));
  } else if (run.signal != 0) {
    if (v.findings.empty() || std::all_of(v.findings.begin(), v.findings.end(),
                                          [](const Finding& f) { return f.kind == Kind::kTestFailure; })) {
      v.findings.push_back(report::crash_from_signal(run.signal));
    }
  } else {
    std::string problem = completion_problem(completion, run.exit_code);
    if (!problem.empty() && v.findings.empty()) {
      v.findings.push_back(synthetic(Kind::kTestFailure, problem));
    } else if (run.exit_code != 0 && v.findings.empty()) {
      v.findings.push_back(
          synthetic(Kind::kTestFailure, "the test program failed with exit code " + std::to_string(run.exit_code)));
    }
  }
  v.explore = parse_explore_summary(run.output);
  if (auto at = run.output.find("racelings: explore: cannot explore"); at != std::string::npos) {
    std::string why = run.output.substr(at + 20, run.output.find('\n', at) - at - 20);
    v.findings = {synthetic(Kind::kCrash, why)};
  } else if (v.explore.failed && v.findings.empty()) {
    // The failing schedule passed when shown again: the program does
    // something the scheduler does not control. Still a failure.
    v.findings.push_back(synthetic(
        Kind::kTestFailure, "a schedule failed (" + v.explore.signature + "), but not when run again: see the output"));
  }
  // The finding that explains the most comes first: what a sanitizer or the
  // detector saw, then crashes and timeouts, and failed assertions last
  // (they are usually a consequence).
  auto rank = [](Kind k) { return k == Kind::kTestFailure ? 2 : (k == Kind::kTimeout || k == Kind::kCrash) ? 1 : 0; };
  std::vector<Finding> ordered;
  ordered.reserve(v.findings.size());
  for (int r = 0; r <= 2; ++r) {
    for (auto& f : v.findings) {
      if (rank(f.kind) == r) ordered.push_back(std::move(f));
    }
  }
  v.findings = std::move(ordered);
  v.clean = v.findings.empty();
  if (std::string w = report::symbolizer_warning(run.output); !w.empty()) v.warnings.push_back(std::move(w));
  v.run = std::move(run);
  return v;
}

std::vector<Kind> kinds(const std::vector<Finding>& findings) {
  std::vector<Kind> out;
  for (const auto& f : findings) {
    if (std::find(out.begin(), out.end(), f.kind) == out.end()) out.push_back(f.kind);
  }
  return out;
}

bool has_kind(const std::vector<Finding>& findings, Kind kind) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.kind == kind; });
}

}  // namespace racelings::checker
