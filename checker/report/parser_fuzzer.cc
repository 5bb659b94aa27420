// checker/report/parser_fuzzer.cc
// -----------------------------------------------------------------------------
//
// libFuzzer target for the report parser: whatever bytes a student's program
// prints (or a compiler prints about its source) go through everything the
// checker does with them: parse_reports(), parse_build_errors(),
// merge_findings(), render_all() and the JSON the grader writes. Built with
// ASan and UBSan (see BUILD), so a crash, a leak, undefined behaviour, a
// broken promise of report_parser.h (bounded findings, bounded sizes) or an
// exception is a bug. parser_fuzz_test.sh runs it from the recorded logs.
//
// Rust equivalent: none in the seeds (cargo-fuzz's fuzz_target!).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "checker/report/explain.h"
#include "checker/report/finding.h"
#include "checker/report/report_parser.h"

namespace {

using racelings::report::Finding;

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "parser_fuzzer: broken promise: %s\n", promise);
  std::abort();
}

// finding.h's caps on one finding's size.
void check_bounded(const Finding& f) {
  namespace r = racelings::report;
  if (f.stacks.size() > r::kMaxStacksPerFinding) broken("more stacks than kMaxStacksPerFinding");
  for (const auto& s : f.stacks) {
    if (s.frames.size() > r::kMaxFramesPerStack) broken("more frames than kMaxFramesPerStack");
  }
  if (f.threads.size() > r::kMaxThreadsPerFinding) broken("more threads than kMaxThreadsPerFinding");
  if (f.notes.size() > r::kMaxNotesPerFinding) broken("more notes than kMaxNotesPerFinding");
  if (f.raw.size() > r::kMaxRawBytes) broken("raw text longer than kMaxRawBytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace r = racelings::report;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    std::vector<Finding> findings = r::parse_reports(input);
    std::vector<Finding> build = r::parse_build_errors(input);
    if (findings.size() > r::kMaxFindings) broken("parse_reports() returned more than kMaxFindings");
    if (build.size() > r::kMaxFindings) broken("parse_build_errors() returned more than kMaxFindings");
    for (const auto& f : findings) check_bounded(f);
    for (const auto& f : build) {
      check_bounded(f);
      if (f.kind != r::Kind::kBuildError) broken("parse_build_errors() returned another kind");
    }
    size_t total = findings.size() + build.size();
    findings.insert(findings.end(), build.begin(), build.end());
    std::vector<Finding> merged = r::merge_findings(findings);
    if (merged.size() > total) broken("merge_findings() made more findings");
    // Merging is idempotent: nothing left to merge.
    if (r::merge_findings(merged).size() != merged.size()) broken("merge_findings() is not idempotent");
    r::Style style;
    style.colour = size % 2 == 1;
    style.width = 20 + size % 100;
    std::string text = r::render_all(merged, style);
    if (!merged.empty() && text.empty()) broken("render_all() printed nothing");
    for (const auto& f : merged) (void)r::render(f, style);
    // The grader and `explain --json` dump this: it must be valid UTF-8 whatever the input.
    std::string json = r::to_json(merged).dump();
    (void)json;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parser_fuzzer: exception: %s\n", e.what());
    std::abort();
  }
  return 0;
}
