// checker/integrity/source_scan.h
// -----------------------------------------------------------------------------
//
// The first layer of the integrity check (README.md in this folder): what a
// graded exercise file may not do, found in its text. A submission is code
// the student controls; its tests, sanitizer and the deadlock detector are
// not. This scan finds the moves that would fool them (silence the
// sanitizer, exit before the tests run, drop the threads, touch the test
// framework or the environment) with comments and string literals taken out
// first, so that explaining a rule in a comment is not a violation.
//
// Text alone cannot win against the preprocessor (a name pasted with `##`
// is not in the file), so the same rules run again on the preprocessed text
// (preprocessed_scan.h), and the object file and LLVM IR are checked too
// (object_scan.h, instrumentation_scan.h). This layer's strength is that
// each reason quotes the student's own line.

#ifndef RACELINGS_CHECKER_INTEGRITY_SOURCE_SCAN_H_
#define RACELINGS_CHECKER_INTEGRITY_SOURCE_SCAN_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace racelings::checker {

// Where a rule was found to be broken: the layer that saw it.
enum class IntegrityLayer { kSource, kPreprocessed, kObject, kRun };
std::string_view integrity_layer_name(IntegrityLayer layer);

struct Violation {
  int line = 0;        // in the student's file; 0 when no line is known
  std::string rule;    // short id, e.g. "sanitizer-options"
  std::string reason;  // a sentence for the student and the grader
  IntegrityLayer layer = IntegrityLayer::kSource;
};

// strip_comments_and_strings(): the code with every comment, string and
// character literal replaced by spaces (newlines kept, so lines still match;
// preprocessor lines are kept as they are).
std::string strip_comments_and_strings(std::string_view source);

// The rule-breaking words that the reference file (the exercise's solution)
// already uses, per rule: a submission may use them too (an exercise may
// legitimately call abort(), or have a method called `execute`).
using AllowedWords = std::vector<std::set<std::string>>;
AllowedWords allowed_words(std::string_view reference);

// scan_code(): the word rules over code that strip_comments_and_strings()
// already cleaned, one violation per rule (the first place it is broken).
std::vector<Violation> scan_code(const std::string& code, const AllowedWords& allowed);

// scan_submission(): every rule over a student's file: the word rules,
// the rules on preprocessor directives, and that a file whose reference
// starts threads still does.
std::vector<Violation> scan_submission(std::string_view submitted, std::string_view reference);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_SOURCE_SCAN_H_
