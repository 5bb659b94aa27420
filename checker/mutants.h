// checker/mutants.h
// -----------------------------------------------------------------------------
//
// Wrong fixes kept on purpose. Beside each exercise, `mutants/<name>.cc` is a
// whole exercise.cc as a student might hand it in: plausible, and wrong (an
// `if` where a loop belongs, two critical sections where one was needed, a
// relaxed order that needed acquire/release...). The audit proves that every
// one is rejected, so the tests are checked as well as the code.
//
// A mutant's leading comment says what the student got wrong (its first
// line) and which layer of the grader must reject it:
//
//   // Waits with `if` instead of a loop: a spurious wakeup takes an empty slot.
//   // expect: explore: test failure
//
// The layers, in the order the grader meets them:
//
//   integrity  the integrity check that grade applies, on the source before
//              building and on the other layers after (integrity/integrity.h)
//   runs       the ordinary runs: every run rejects it, and the finding named
//              after the second colon, if any, shows in at least one of them
//   explore    only a controlled schedule shows the bug; the ordinary runs
//              may pass it
//
// A mutant must build: one that does not is a broken mutant, not a rejected
// one (and Bazel could not hand it to the audit test).
//
// Bazel builds each mutant as `//exercises/NN_topic:mutant_<name>`, against
// the exercise's own test and under its sanitizer (tools/exercise.bzl).

#ifndef RACELINGS_CHECKER_MUTANTS_H_
#define RACELINGS_CHECKER_MUTANTS_H_

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/catalog.h"
#include "checker/integrity/source_scan.h"
#include "checker/judge.h"
#include "checker/report/finding.h"

namespace racelings::checker {

// kBuild is never expected; it only says where a broken mutant stopped.
enum class Layer { kIntegrity, kBuild, kRuns, kExplore };

std::string_view layer_name(Layer layer);

// A mutant whose header cannot be read: the message names the file and says
// what to write.
class MutantError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Mutant {
  const Exercise* exercise = nullptr;
  std::string name;     // the file's stem: "if_instead_of_loop"
  std::string path;     // the source file
  std::string mistake;  // the first comment line: what the student got wrong
  Layer expect = Layer::kRuns;
  std::optional<report::Kind> finding;  // what the rejecting runs must show, if named

  // "//exercises/23_lost_wakeup:mutant_if_instead_of_loop"
  std::string target() const { return "//exercises/" + exercise->name + ":" + binary_name(); }
  std::string binary_name() const { return "mutant_" + name; }
  // "23_lost_wakeup/if_instead_of_loop"
  std::string label() const { return exercise->name + "/" + name; }
};

// parse_mutant(): reads the header of a mutant's source; throws MutantError.
Mutant parse_mutant(const Exercise& exercise, const std::string& path, std::string_view source);

// find_mutants(): the mutants in <exercise_dir>/mutants/*.cc, sorted by name.
// Unreadable headers are reported in `errors` and skipped.
std::vector<Mutant> find_mutants(const Exercise& exercise, const std::string& exercise_dir,
                                 std::vector<std::string>& errors);

enum class MutantStatus {
  kRejected,            // rejected by the layer it expects (or by the runs, earlier than expected)
  kPendingExploration,  // only exploration can reject it, and the audit did not explore (--explore 0)
  kPassed,              // a wrong fix the grader accepts: a hole in the tests
  kUnreliable,          // rejected in some runs only: a verdict that depends on luck
  kMisjudged,           // rejected, but not the way its header says (a broken mutant or header)
};

std::string_view status_name(MutantStatus status);
// Whether the audit can stay green with this status.
bool status_ok(MutantStatus status);

// What happened to a mutant at each layer it reached.
struct MutantEvidence {
  std::vector<Violation> violations;     // the integrity scan's findings
  bool built = true;                     // false: build_errors says why
  std::vector<report::Finding> build_errors;
  std::vector<RunVerdict> runs;          // empty when it was not run
  // The exploration pass's verdict: true when some explored schedule failed
  // and its id replays the failure; empty when the audit did not explore.
  std::optional<bool> explored_rejects;
};

struct MutantResult {
  Mutant mutant;
  MutantStatus status = MutantStatus::kPassed;
  std::optional<Layer> rejected_by;
  int runs = 0;
  int rejected_runs = 0;                   // runs that were not clean
  double seconds = 0;                      // the runs' total time
  std::vector<report::Kind> kinds;         // over every run, in order of first appearance
  std::vector<report::Finding> findings;   // merged, for the details
  std::string why;                         // one sentence for the instructor
};

// judge_mutant(): the verdict on one mutant from what each layer saw.
MutantResult judge_mutant(const Mutant& mutant, const MutantEvidence& evidence);

// The audit's report of the mutants of one exercise.
struct MutantTally {
  int total = 0, rejected = 0, pending = 0, failed = 0;
};
MutantTally tally(const std::vector<MutantResult>& results);
// "2/2", "1/2 +1 pending": rejected out of total.
std::string tally_text(const MutantTally& t);
nlohmann::json mutant_json(const MutantResult& result);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_MUTANTS_H_
