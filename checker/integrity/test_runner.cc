// What `bazel test` runs for a test of student code (tools/sanitizers.bzl
// writes `<test>.runner.sh`, which calls this):
//
//   test_runner --program PROGRAM [--integrity MANIFEST] -- [ARGS...]
//
// 1. With --integrity, the integrity check of the student's file
//    (integrity.h), the same as `racelings check` and `grade` do: any broken
//    rule fails the test at once, with the reasons and the student's lines.
// 2. The program, with a fresh completion nonce and file in its environment.
// 3. An exit code of 0 passes only with the completion record of this run
//    (completion.h): a program that left early, from a static initializer,
//    an atexit handler or quick_exit, fails even with status 0.
//
// Paths are relative to the test's runfiles directory, where Bazel runs it.

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "checker/integrity/completion.h"
#include "checker/integrity/integrity.h"

namespace {

using racelings::checker::IntegrityManifest;

int usage(const char* message) {
  std::fprintf(stderr, "test_runner: %s\nusage: test_runner --program PROGRAM [--integrity MANIFEST] -- [ARGS...]\n",
               message);
  return 2;
}

// 0 when the code under test keeps the rules, else 1 (with the reasons printed).
int check_integrity_of(const std::string& manifest_path) {
  IntegrityManifest manifest;
  std::string error;
  if (!racelings::checker::read_integrity_manifest(manifest_path, manifest, error)) {
    std::fprintf(stderr, "racelings: the integrity check could not run: %s\n", error.c_str());
    return 1;
  }
  auto report = racelings::checker::check_integrity(manifest, "");
  if (!report.error.empty()) {
    std::fprintf(stderr, "racelings: the integrity check could not run: %s\n", report.error.c_str());
    return 1;
  }
  if (report.violations.empty()) return 0;
  std::fprintf(
      stderr,
      "racelings: FAILED: %s breaks the grading rules, so its tests are not run:\n%s"
      "racelings: `./racelings check` says the same; `racelings grade` gives it 0.\n",
      manifest.source.c_str(),
      racelings::checker::render_violations(report.violations, report.source_text, report.source_file).c_str());
  return 1;
}

// Runs the program and returns its exit status as a shell would (128+N for signal N).
int run_program(const std::string& program, const std::vector<char*>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    std::fprintf(stderr, "test_runner: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (child == 0) {
    ::execv(program.c_str(), argv.data());
    std::fprintf(stderr, "test_runner: cannot run %s: %s\n", program.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

int main(int argc, char** argv) {
  std::string program;
  std::string manifest;
  std::vector<char*> args;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if ((arg == "--program" || arg == "--integrity") && i + 1 < argc) {
      (arg == "--program" ? program : manifest) = argv[++i];
    } else {
      return usage(("unknown argument " + arg).c_str());
    }
  }
  for (; i < argc; ++i) args.push_back(argv[i]);
  if (program.empty()) return usage("--program is required");
  if (!manifest.empty() && check_integrity_of(manifest) != 0) return 1;

  std::string nonce = racelings::checker::make_completion_nonce();
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string record = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/racelings-completion-" + nonce;
  ::setenv(racelings::checker::kCompletionNonceVar, nonce.c_str(), 1);
  ::setenv(racelings::checker::kCompletionFileVar, record.c_str(), 1);
  int status = run_program(program, args);
  std::optional<racelings::checker::CompletionRecord> completion;
  if (auto text = racelings::checker::read_completion_file(record)) {
    completion = racelings::checker::parse_completion(*text, nonce);
  }
  ::unlink(record.c_str());
  if (status != 0) return status;
  std::string problem = racelings::checker::completion_problem(completion, status);
  if (!problem.empty()) {
    std::fprintf(stderr, "racelings: FAILED: %s.\n", problem.c_str());
    return 1;
  }
  return 0;
}
