// Every exercise as handed out, and every solution, passes every layer of
// the integrity check (checker/integrity/README.md) as the build made them:
// a student who starts from the exercise, or hands in the solution, is never
// refused. (Each solution's own test checks it too; the exercises' tests
// fail by design, so only here are they checked for this.)

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "checker/catalog.h"
#include "checker/integrity/integrity.h"

namespace racelings::checker {
namespace {

std::string runfiles() { return std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE"); }

// "exercises/01_spawn_join", "solutions/01_spawn_join", ... from the catalog.
std::vector<std::string> checked_directories() {
  std::vector<std::string> out;
  if (std::getenv("TEST_SRCDIR") == nullptr) return out;
  Catalog catalog = Catalog::load(runfiles() + "/exercises/catalog.json");
  for (const Exercise& ex : catalog.exercises()) {
    out.push_back("exercises/" + ex.name);
    out.push_back("solutions/" + ex.name);
  }
  return out;
}

class IntegrityCatalog : public ::testing::TestWithParam<std::string> {};

TEST_P(IntegrityCatalog, IsNotRefused) {
  IntegrityManifest manifest;
  std::string error;
  ASSERT_TRUE(read_integrity_manifest(runfiles() + "/" + GetParam() + "/test.integrity", manifest, error)) << error;
  IntegrityReport report = check_integrity(manifest, runfiles());
  EXPECT_TRUE(report.error.empty()) << report.error;
  EXPECT_TRUE(report.violations.empty()) << manifest.source << " is refused:\n"
                                         << render_violations(report.violations, report.source_text,
                                                              report.source_file);
}

INSTANTIATE_TEST_SUITE_P(EveryExerciseAndSolution, IntegrityCatalog, ::testing::ValuesIn(checked_directories()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace racelings::checker
