// checker/report/testdata.h
// -----------------------------------------------------------------------------
//
// Test helper: finds checker/testdata/ in a test's runfiles (TEST_SRCDIR and
// TEST_WORKSPACE, set by `bazel test`) and reads files from it.

#ifndef RACELINGS_CHECKER_REPORT_TESTDATA_H_
#define RACELINGS_CHECKER_REPORT_TESTDATA_H_

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace racelings::report::testing {

// The compilers the logs in checker/testdata/logs/ were recorded with.
inline const std::vector<std::string>& recorded_compilers() {
  static const std::vector<std::string> kCompilers = {"clang-14", "clang-19", "g++-12"};
  return kCompilers;
}

// testdata_path("logs/clang-19/x.log"): the file's path in the runfiles.
inline std::filesystem::path testdata_path(std::string_view relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::filesystem::path root = srcdir != nullptr ? srcdir : ".";
  root /= workspace != nullptr ? workspace : "racelings";
  return root / "checker" / "testdata" / std::string(relative);
}

// read_testdata(): the whole file; throws if it is missing, naming it.
inline std::string read_testdata(std::string_view relative) {
  const std::filesystem::path path = testdata_path(relative);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing test data: " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// log_names("logs/clang-19"): the names (without ".log") of the logs there,
// sorted.
inline std::vector<std::string> log_names(std::string_view dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(testdata_path(dir))) {
    if (entry.path().extension() == ".log") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace racelings::report::testing

#endif  // RACELINGS_CHECKER_REPORT_TESTDATA_H_
