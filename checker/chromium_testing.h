// checker/chromium_testing.h
// -----------------------------------------------------------------------------
//
// For tests of the HTML pages: a page loaded in a real browser (headless
// Chromium, Debian package chromium), its DOM after the scripts ran, its
// log, and a screenshot kept as a test artifact (TEST_UNDECLARED_OUTPUTS_DIR).

#ifndef RACELINGS_CHECKER_CHROMIUM_TESTING_H_
#define RACELINGS_CHECKER_CHROMIUM_TESTING_H_

#include <string>

namespace racelings::checker::browser {

struct Loaded {
  bool ok = false;
  std::string dom;  // the document after its scripts ran, with the log (both are captured together)
  std::string log;
};

// write_page(): `html` as <TEST_TMPDIR>/<name>, returned as a file:// URL.
std::string write_page(const std::string& html, const std::string& name);

// load_in_chromium(): `url` (a fragment such as #failure included) loaded,
// its scripts run, its DOM dumped.
Loaded load_in_chromium(const std::string& url);

// screenshot(): `url` as a PNG of `width` x `height` pixels in the test's
// undeclared outputs (kept by Bazel as an artifact); its path, or "".
std::string screenshot(const std::string& url, const std::string& png_name, int width = 1400, int height = 1800);

// The messages of a page that logged errors or failed to load something.
bool has_page_errors(const Loaded& page);

}  // namespace racelings::checker::browser

#endif  // RACELINGS_CHECKER_CHROMIUM_TESTING_H_
