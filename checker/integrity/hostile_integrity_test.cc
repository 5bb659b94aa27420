// The integrity check on the hostile corpus's cheats
// (checker/testdata/hostile/BUILD), each compiled as exercise 01's file with
// the build's own integrity artifacts: every cheat is stopped, and by the
// layer meant for it. An object-layer rule listed here holds even if the
// source layers were gone. Exercise 01's solution, built the same way, is
// clean.

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checker/integrity/integrity.h"

namespace racelings::checker {
namespace {

std::string runfiles() { return std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE"); }

IntegrityReport check(const std::string& manifest_path) {
  IntegrityManifest manifest;
  std::string error;
  EXPECT_TRUE(read_integrity_manifest(runfiles() + "/" + manifest_path, manifest, error)) << error;
  return check_integrity(manifest, runfiles());
}

std::string describe(const IntegrityReport& report) {
  std::string out = report.error;
  for (const Violation& v : report.violations) {
    out += "\n  " + std::string(layer_name(v.layer)) + " / " + v.rule + " / line " + std::to_string(v.line) + ": " +
           v.reason;
  }
  return out;
}

struct Cheat {
  std::string name;
  // (layer, rule) pairs the check must report.
  std::vector<std::pair<Layer, std::string>> stopped_by;
};

const std::vector<Cheat> kCheats = {
    {"pasted_suppressions", {{Layer::kPreprocessed, "sanitizer-options"}, {Layer::kObject, "sanitizer-hook"}}},
    {"options_hook_macro", {{Layer::kPreprocessed, "sanitizer-options"}, {Layer::kObject, "sanitizer-hook"}}},
    {"macro_attribute", {{Layer::kPreprocessed, "no-sanitize"}, {Layer::kObject, "uninstrumented"}}},
    {"hand_annotations", {{Layer::kPreprocessed, "sanitizer-annotation"}, {Layer::kObject, "sanitizer-interface"}}},
    {"header_rewrite", {{Layer::kSource, "macro-before-include"}, {Layer::kObject, "uninstrumented"}}},
    {"pragma_from_macro", {{Layer::kPreprocessed, "pragma"}, {Layer::kObject, "uninstrumented"}}},
    {"asm_label_annotation", {{Layer::kPreprocessed, "inline-asm"}, {Layer::kObject, "sanitizer-interface"}}},
    {"static_init_exit", {{Layer::kPreprocessed, "early-exit"}}},
    {"computed_include", {{Layer::kSource, "include-other"}, {Layer::kPreprocessed, "included-file"}}},
};

TEST(HostileIntegrity, EveryCheatIsStoppedByTheLayerMeantForIt) {
  for (const Cheat& cheat : kCheats) {
    IntegrityReport report = check("checker/testdata/hostile/" + cheat.name + ".integrity");
    EXPECT_TRUE(report.error.empty()) << cheat.name << ": " << report.error;
    std::set<std::pair<Layer, std::string>> found;
    for (const Violation& v : report.violations) found.insert({v.layer, v.rule});
    for (const auto& [layer, rule] : cheat.stopped_by) {
      EXPECT_TRUE(found.count({layer, rule}) != 0)
          << cheat.name << ": expected " << rule << " from the " << layer_name(layer) << "; got" << describe(report);
    }
  }
}

TEST(HostileIntegrity, ReasonsQuoteTheStudentsLinesWhereThereIsOne) {
  IntegrityReport report = check("checker/testdata/hostile/macro_attribute.integrity");
  std::string text = render_violations(report.violations, report.source_text);
  // The helper's own line, as the student wrote it (the attribute is a macro).
  EXPECT_NE(text.find("UNWATCHED void store(long& into, long value)"), std::string::npos) << text;
  EXPECT_NE(text.find("exercise::(anonymous namespace)::store(long&, long)"), std::string::npos) << text;
}

TEST(HostileIntegrity, TheSolutionBuiltTheSameWayIsClean) {
  IntegrityReport report = check("solutions/01_spawn_join/test.integrity");
  EXPECT_TRUE(report.ok()) << describe(report);
}

}  // namespace
}  // namespace racelings::checker
