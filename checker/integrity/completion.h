// checker/integrity/completion.h
// -----------------------------------------------------------------------------
//
// Proof that a test program ran all of its tests to the end. An exit code of
// 0 proves nothing: code under test can call exit(0) from a static
// initializer before any test ran, _exit(0) or quick_exit(0) in the middle,
// or turn a failing exit into a passing one from an atexit handler.
//
// So the runner (checker/runner.cc, and checker/integrity/test_runner.cc
// under `bazel test`) gives the program a fresh random nonce and a file name
// in its environment, and primitives/test_main.cc writes one line to that
// file after RUN_ALL_TESTS() returned and the deadlock detector had nothing
// to report:
//
//   racelings-completion nonce=<nonce> result=<n> ran=<n> total=<n> failed=<n>
//
// A run passes only with that line, this run's nonce, result 0, no failed
// test, and every registered test run. The line cannot be forged without the
// nonce, which only the environment holds (the integrity rules keep
// submissions away from the environment).

#ifndef RACELINGS_CHECKER_INTEGRITY_COMPLETION_H_
#define RACELINGS_CHECKER_INTEGRITY_COMPLETION_H_

#include <optional>
#include <string>
#include <string_view>

namespace racelings::checker {

inline constexpr const char* kCompletionNonceVar = "RACELINGS_COMPLETION_NONCE";
inline constexpr const char* kCompletionFileVar = "RACELINGS_COMPLETION_FILE";

struct CompletionRecord {
  int result = -1;  // what RUN_ALL_TESTS() returned
  int ran = 0;      // tests run
  int total = 0;    // tests registered
  int failed = 0;   // tests failed
};

// parse_completion(): the record in `text` that carries `nonce`, if any.
std::optional<CompletionRecord> parse_completion(std::string_view text, std::string_view nonce);

// read_completion_file(): what the program wrote there (a few hundred bytes
// at most are read), or nothing when it wrote no such file. Refuses links and
// anything but a regular file, which the program could have planted.
std::optional<std::string> read_completion_file(const std::string& path);

// completion_problem(): why a run whose program exited with `exit_code` did
// not complete (a sentence for the student), or "" when it did.
std::string completion_problem(const std::optional<CompletionRecord>& record, int exit_code);

// A fresh random nonce.
std::string make_completion_nonce();

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_COMPLETION_H_
