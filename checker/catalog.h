// checker/catalog.h
// -----------------------------------------------------------------------------
//
// The exercise catalog (`exercises/catalog.json`), the single source of truth
// for the exercise list: order, chapter, sanitizer, the finding the broken
// version must produce, the task in one line, the Rust API it mirrors, and a
// hint in parts. Bazel reads the same file (tools/catalog.bzl).
//
// Loading validates every entry and fails with a message that names the entry
// and the field, so a typo in the catalog is caught by the first command run.

#ifndef RACELINGS_CHECKER_CATALOG_H_
#define RACELINGS_CHECKER_CATALOG_H_

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "checker/report/finding.h"

namespace racelings::checker {

// A catalog that cannot be used: the message says what to fix.
class CatalogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Chapter {
  std::string id;
  std::string title;
};

struct Exercise {
  std::string name;           // "01_spawn_join": the directory under exercises/ and solutions/
  std::string number;         // "01"
  std::string topic;          // "spawn join"
  std::string chapter;        // chapter id
  std::string chapter_title;  // "Threads"
  std::string sanitizer;      // "tsan", "asan", "ubsan" or "none"
  report::Kind expect;        // what the broken version must show
  std::string task;
  std::string rust;
  std::vector<std::string> hints;
  std::map<std::string, std::string> env;  // extra environment for its test
  int timeout_s = 10;                      // per test, for the watchdog

  std::string exercise_target() const { return "//exercises/" + name + ":test"; }
  std::string solution_target() const { return "//solutions/" + name + ":test"; }
  // The solution without any sanitizer, to measure the sanitizer's cost.
  std::string plain_target() const { return "//solutions/" + name + ":test_plain"; }
  std::string exercise_file() const { return "exercises/" + name + "/exercise.cc"; }
  std::string solution_file() const { return "solutions/" + name + "/solution.cc"; }
  std::string readme_file() const { return "exercises/" + name + "/README.md"; }
};

// "ThreadSanitizer" for "tsan", etc.
std::string_view sanitizer_title(std::string_view sanitizer);

class Catalog {
 public:
  // Catalog::load(): reads and validates the JSON file; throws CatalogError.
  static Catalog load(const std::string& path);
  static Catalog parse(std::string_view json_text, const std::string& origin);

  // Exercises in order (by their number).
  const std::vector<Exercise>& exercises() const { return exercises_; }
  const std::vector<Chapter>& chapters() const { return chapters_; }

  // Catalog::find(): by number ("1", "01"), by name ("01_spawn_join") or by
  // topic ("spawn_join"); nullptr if none matches.
  // A path names the exercise whose folder it is in (an editor passes the
  // open file: "exercises/01_spawn_join/exercise.cc", "/abs/.../solutions/01_spawn_join/x").
  const Exercise* find(std::string_view query) const;

  // A message for a query that matched nothing, listing near names.
  std::string unknown_message(std::string_view query) const;

 private:
  std::vector<Chapter> chapters_;
  std::vector<Exercise> exercises_;
};

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_CATALOG_H_
