// checker/report/explain.h
// -----------------------------------------------------------------------------
//
// Words for findings: a plain-English paragraph per kind (what happened, why
// it is a bug, what usually fixes it), a rendering of one finding for a
// terminal (title, threads, the student's own frames with library frames
// folded as "(+N library frames)", the paragraph), and JSON for audits and
// the grader.
//
// Colour is the caller's choice (`Style::colour`); nothing here looks at the
// terminal or the environment.
//
// Rust equivalent: none in the seeds; rustlings prints cargo's own text.

#ifndef RACELINGS_CHECKER_REPORT_EXPLAIN_H_
#define RACELINGS_CHECKER_REPORT_EXPLAIN_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/report/finding.h"

namespace racelings::report {

// explanation(): one paragraph about a kind of finding.
std::string_view explanation(Kind kind);

// explanation(): the paragraph for this finding: the kind's, or a more
// precise one where the tool tells more (undefined behaviour reported by
// UBSan, a -Wthread-safety build error, std::terminate).
std::string_view explanation(const Finding& finding);

struct Style {
  bool colour = false;           // ANSI colours and bold
  std::size_t width = 80;        // wrap the explanation at this many columns
  bool show_explanation = true;  // append the paragraph
};

// render(): a finding as a student reads it in a terminal, ending in '\n':
//
//   data race: ThreadSanitizer: data race (seen 3 times)
//     --> exercises/03/exercise.cc:21:28
//     threads: T2 'reader' (created at x.cc:28), T1 'writer' (created at x.cc:27)
//     Read of size 4 at 0x7b04... by thread T2:
//       #0 reader() exercises/03/exercise.cc:21:28
//       (+6 library frames)
//     ...
//     What this means: <paragraph>
std::string render(const Finding& finding, const Style& style = {});
inline std::string render(const Finding& finding, bool colour) {
  Style style;
  style.colour = colour;
  return render(finding, style);
}

// render_all(): every finding, separated by blank lines; "clean" if none.
std::string render_all(const std::vector<Finding>& findings, const Style& style = {});

// to_json(): every field of the finding, plus "top_frame" (the top user
// frame, or null), per-frame "category" and "explanation".
nlohmann::json to_json(const Frame& frame);
nlohmann::json to_json(const Finding& finding);
nlohmann::json to_json(const std::vector<Finding>& findings);

}  // namespace racelings::report

#endif  // RACELINGS_CHECKER_REPORT_EXPLAIN_H_
