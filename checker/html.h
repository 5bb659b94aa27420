// checker/html.h
// -----------------------------------------------------------------------------
//
// Self-contained HTML pages (inline CSS, no scripts from elsewhere, readable
// from a file:// URL without a server): the audit report.

#ifndef RACELINGS_CHECKER_HTML_H_
#define RACELINGS_CHECKER_HTML_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace racelings::checker {

// Escapes text for HTML element content and attribute values.
std::string html_escape(std::string_view text);

// The audit as a page: per exercise, detection of the broken version and
// cleanliness of the solution, in DataRaceBench's terms (true positives and
// false negatives for the broken versions, true negatives and false
// positives for the solutions), per sanitizer. Takes the audit's JSON.
std::string audit_html(const nlohmann::json& audit);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_HTML_H_
