#include "checker/chromium_testing.h"

#include <cstdlib>
#include <fstream>
#include <vector>

#include "checker/process.h"

namespace racelings::checker::browser {
namespace {

std::string dir_of(const char* variable) {
  const char* dir = std::getenv(variable);
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

RunResult chromium(const std::vector<std::string>& extra, const std::string& url) {
  std::string tmp = dir_of("TEST_TMPDIR");
  RunOptions o;
  o.argv = {"/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--user-data-dir=" + tmp + "/chromium-profile",
            "--enable-logging=stderr",
            "--v=0"};
  o.argv.insert(o.argv.end(), extra.begin(), extra.end());
  o.argv.push_back(url);
  o.limits.timeout = std::chrono::seconds(120);
  o.limits.max_rss_bytes = size_t{8} << 30;
  return run(o);
}

}  // namespace

std::string write_page(const std::string& html, const std::string& name) {
  std::string path = dir_of("TEST_TMPDIR") + "/" + name;
  std::ofstream(path) << html;
  return "file://" + path;
}

Loaded load_in_chromium(const std::string& url) {
  RunResult r = chromium({"--dump-dom"}, url);
  // --dump-dom prints the document on stdout, the log on stderr; both are captured together.
  return Loaded{r.exited_ok(), r.output, r.output};
}

std::string screenshot(const std::string& url, const std::string& png_name, int width, int height) {
  std::string png = dir_of("TEST_UNDECLARED_OUTPUTS_DIR") + "/" + png_name;
  RunResult r = chromium(
      {"--screenshot=" + png, "--window-size=" + std::to_string(width) + "," + std::to_string(height)}, url);
  std::ifstream in(png);
  return r.exited_ok() && in.good() ? png : std::string();
}

bool has_page_errors(const Loaded& page) {
  return page.log.find(":CONSOLE") != std::string::npos || page.log.find("Failed to load") != std::string::npos ||
         page.log.find("net::ERR_") != std::string::npos;
}

}  // namespace racelings::checker::browser
