// bench/runner: what the checker's runner adds to each run of a test program.
//
//   runner_bench <test binary> [runs]
//
// Runs the binary `runs` times bare (posix_spawn and waitpid, with its .env
// applied, output to /dev/null) and `runs` times through the runner's
// run_test() (its own directory, user and network namespace, log files, the
// completion nonce, the verdict), alternating the two so that a noisy
// machine slows both alike. Prints the medians as
//
//   metric: runner_run ours=<ms>ms baseline=<ms>ms ratio=<x>
//   metric: runner_overhead value=<ms>ms        (ours - baseline, per run)

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "checker/catalog.h"
#include "checker/runner.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// One bare run: the program with its .env, nothing else.
double bare_run(const std::string& binary, const std::vector<std::string>& env_strings) {
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  for (const auto& s : env_strings) envp.push_back(const_cast<char*>(s.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  char* argv[] = {const_cast<char*>(binary.c_str()), nullptr};
  auto t0 = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv, envp.data()) != 0) {
    std::fprintf(stderr, "runner_bench: cannot start %s\n", binary.c_str());
    std::exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  double ms = ms_since(t0);
  posix_spawn_file_actions_destroy(&actions);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: runner_bench <test binary> [runs]\n");
    return 2;
  }
  std::string binary = argv[1];
  int runs = argc > 2 ? std::atoi(argv[2]) : 30;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : racelings::checker::read_env_file(binary + ".env")) env_strings.push_back(k + "=" + v);

  racelings::checker::Exercise exercise;
  exercise.name = "runner_bench";
  racelings::checker::TestRun test{binary, {}};
  std::vector<double> bare, ours;
  int clean = 0;
  for (int i = 0; i < runs; ++i) {
    bare.push_back(bare_run(binary, env_strings));
    auto t0 = Clock::now();
    auto verdict = racelings::checker::run_test(exercise, test);
    ours.push_back(ms_since(t0));
    clean += verdict.clean ? 1 : 0;
  }
  if (clean != runs) {
    std::fprintf(stderr, "runner_bench: %d of %d runs through the runner were not clean: the figure would be wrong\n",
                 runs - clean, runs);
    return 1;
  }
  double o = median(ours), b = median(bare);
  std::printf("metric: runner_run ours=%.1fms baseline=%.1fms ratio=%.2f\n", o, b, b > 0 ? o / b : 0);
  std::printf("metric: runner_overhead value=%.1fms\n", o - b);
  return 0;
}
