#include "checker/runner.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "primitives/thread.h"

namespace racelings::checker {

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> env;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

RunVerdict run_test(const Exercise& exercise, const TestRun& test) {
  RunOptions options;
  options.argv = {test.binary};
  options.env = read_env_file(test.binary + ".env");
  for (const auto& [k, v] : test.env) options.env[k] = v;
  std::string nonce = make_nonce();
  options.env["RACELINGS_COMPLETION_NONCE"] = nonce;
  options.env["GTEST_COLOR"] = "no";
  if (options.env.count("RACELINGS_TEST_TIMEOUT_S") == 0) {
    options.env["RACELINGS_TEST_TIMEOUT_S"] = std::to_string(exercise.timeout_s);
  }
  // The watchdog ends a hung test after timeout_s; the hard limit is the net
  // below it for hangs the watchdog cannot see (before main, after the tests).
  options.limits.timeout = std::chrono::seconds(std::max(60, 3 * exercise.timeout_s));
  // GoogleTest creates this file when the tests start and removes it when
  // they end: if it is still there, the program left early.
  TempDir marker_dir("racelings-exit");
  std::string marker = marker_dir.path() + "/premature_exit";
  options.env["TEST_PREMATURE_EXIT_FILE"] = marker;
  RunVerdict verdict = judge(run(options), nonce);
  if (std::filesystem::exists(marker) && verdict.findings.empty()) {
    report::Finding f;
    f.kind = report::Kind::kTestFailure;
    f.tool = "gtest";
    f.title = "the program exited while its tests were still running (GoogleTest's premature-exit check)";
    verdict.findings.push_back(f);
    verdict.clean = false;
  }
  return verdict;
}

std::vector<std::vector<RunVerdict>> run_many(const std::vector<std::pair<const Exercise*, TestRun>>& tests, int runs,
                                              int jobs) {
  std::vector<std::vector<RunVerdict>> results(tests.size(), std::vector<RunVerdict>(static_cast<size_t>(runs)));
  size_t total = tests.size() * static_cast<size_t>(runs);
  if (jobs <= 0) jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Relaxed: the counter only hands out distinct indices; results are
  // published to the caller when scope() joins the workers.
  std::atomic<size_t> next{0};
  racelings::scope([&](racelings::Scope& s) {
    for (int j = 0; j < jobs; ++j) {
      s.spawn([&] {
        for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < total;
             i = next.fetch_add(1, std::memory_order_relaxed)) {
          size_t t = i / static_cast<size_t>(runs);
          size_t r = i % static_cast<size_t>(runs);
          results[t][r] = run_test(*tests[t].first, tests[t].second);
        }
      });
    }
  });
  return results;
}

}  // namespace racelings::checker
