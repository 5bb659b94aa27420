#include "checker/judge.h"

#include <algorithm>
#include <random>
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

// "racelings: tests completed (<nonce>) result=<n>" from test_main.cc.
bool completed(const std::string& output, const std::string& nonce, int& result) {
  std::string marker = "racelings: tests completed (" + nonce + ") result=";
  auto at = output.rfind(marker);
  if (at == std::string::npos) return false;
  result = std::atoi(output.c_str() + at + marker.size());
  return true;
}

}  // namespace

std::string make_nonce() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 24; ++i) s += kHex[gen() % 16];
  return s;
}

RunVerdict judge(RunResult run, const std::string& nonce) {
  RunVerdict v;
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
    int result = 0;
    bool done = completed(run.output, nonce, result);
    if (!done && v.findings.empty()) {
      v.findings.push_back(synthetic(
          Kind::kTestFailure, "the program exited with code " + std::to_string(run.exit_code) +
                                  " before its tests finished (something called exit(), or main never ran the tests)"));
    } else if (done && result != 0 && v.findings.empty()) {
      v.findings.push_back(synthetic(Kind::kTestFailure, "the tests failed"));
    } else if (run.exit_code != 0 && v.findings.empty()) {
      v.findings.push_back(synthetic(Kind::kTestFailure,
                                     "the test program failed with exit code " + std::to_string(run.exit_code)));
    }
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
