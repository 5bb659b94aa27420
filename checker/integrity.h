// checker/integrity.h
// -----------------------------------------------------------------------------
//
// What a graded exercise file may not do. A submission is code the student
// controls; its tests, sanitizer and the deadlock detector are not. Naive
// grading is easy to fool (shared/notes/toolchain.md): a program can tell
// its sanitizer to stay quiet, exit before the tests run, or simply drop the
// threads that made the bug possible. This scan finds those moves in the
// source, with comments and string literals taken out first so that
// explaining a rule in a comment is not a violation.
//
// It complements, not replaces, the run-time defences: test_main refuses a
// sanitizer options hook, the runner demands a per-run completion nonce and
// keeps GoogleTest's premature-exit file, and tests check that threads ran.

#ifndef RACELINGS_CHECKER_INTEGRITY_H_
#define RACELINGS_CHECKER_INTEGRITY_H_

#include <string>
#include <string_view>
#include <vector>

namespace racelings::checker {

struct Violation {
  int line = 0;
  std::string rule;    // short id, e.g. "sanitizer-options"
  std::string reason;  // a sentence for the student and the grader
};

// strip_comments_and_strings(): the code with every comment, string and
// character literal replaced by spaces (newlines kept, so lines still match).
std::string strip_comments_and_strings(std::string_view source);

// scan_submission(): the violations in a student's exercise file. `pristine`
// is the exercise as handed out: calls it already makes are allowed (an
// exercise may legitimately call abort() or use a thread API), and it tells
// which thread-starting calls must remain.
std::vector<Violation> scan_submission(std::string_view submitted, std::string_view pristine);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_H_
