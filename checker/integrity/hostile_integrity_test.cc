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
    out += "\n  " + std::string(integrity_layer_name(v.layer)) + " / " + v.rule + " / line " + std::to_string(v.line) +
           ": " + v.reason;
  }
  return out;
}

struct Cheat {
  std::string name;
  // (layer, rule) pairs the check must report.
  std::vector<std::pair<IntegrityLayer, std::string>> stopped_by;
};

const std::vector<Cheat> kCheats = {
    {"pasted_suppressions",
     {{IntegrityLayer::kPreprocessed, "sanitizer-options"}, {IntegrityLayer::kObject, "sanitizer-hook"}}},
    {"options_hook_macro",
     {{IntegrityLayer::kPreprocessed, "sanitizer-options"}, {IntegrityLayer::kObject, "sanitizer-hook"}}},
    {"macro_attribute", {{IntegrityLayer::kPreprocessed, "no-sanitize"}, {IntegrityLayer::kObject, "uninstrumented"}}},
    {"hand_annotations",
     {{IntegrityLayer::kPreprocessed, "sanitizer-annotation"}, {IntegrityLayer::kObject, "sanitizer-interface"}}},
    {"header_rewrite",
     {{IntegrityLayer::kSource, "macro-before-include"}, {IntegrityLayer::kObject, "uninstrumented"}}},
    {"pragma_from_macro", {{IntegrityLayer::kPreprocessed, "pragma"}, {IntegrityLayer::kObject, "uninstrumented"}}},
    {"asm_label_annotation",
     {{IntegrityLayer::kPreprocessed, "inline-asm"}, {IntegrityLayer::kObject, "sanitizer-interface"}}},
    {"static_init_exit", {{IntegrityLayer::kPreprocessed, "early-exit"}}},
    {"computed_include",
     {{IntegrityLayer::kSource, "include-other"}, {IntegrityLayer::kPreprocessed, "included-file"}}},
};

TEST(HostileIntegrity, EveryCheatIsStoppedByTheLayerMeantForIt) {
  for (const Cheat& cheat : kCheats) {
    IntegrityReport report = check("checker/testdata/hostile/" + cheat.name + ".integrity");
    EXPECT_TRUE(report.error.empty()) << cheat.name << ": " << report.error;
    std::set<std::pair<IntegrityLayer, std::string>> found;
    for (const Violation& v : report.violations) found.insert({v.layer, v.rule});
    for (const auto& [layer, rule] : cheat.stopped_by) {
      EXPECT_TRUE(found.count({layer, rule}) != 0) << cheat.name << ": expected " << rule << " from the "
                                                   << integrity_layer_name(layer) << "; got" << describe(report);
    }
  }
}

TEST(HostileIntegrity, ReasonsQuoteTheStudentsLinesWhereThereIsOne) {
  IntegrityReport report = check("checker/testdata/hostile/macro_attribute.integrity");
  std::string text = render_violations(report.violations, report.source_text, report.source_file);
  // In the shape editors' problem matchers read (.vscode/tasks.json).
  EXPECT_NE(text.find("integrity: "), std::string::npos) << text;
  EXPECT_NE(text.find("\n  --> checker/testdata/hostile/macro_attribute.cc:16\n"), std::string::npos) << text;
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
