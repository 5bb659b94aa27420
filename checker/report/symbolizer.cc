#include "checker/report/symbolizer.h"

#include <unistd.h>

#include <cctype>

namespace racelings::report {
namespace {

// "==12345==" at the start: the sanitizer runtime speaking.
bool starts_with_pid_banner(std::string_view line) {
  if (!line.starts_with("==")) return false;
  size_t i = 2;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  return i > 2 && line.substr(i).starts_with("==");
}

std::string_view basename_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool is_sanitizer_runtime_line(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (starts_with_pid_banner(line)) return true;
  size_t colon = line.find(": ");
  if (colon == std::string_view::npos) return false;
  std::string_view tool = basename_of(line.substr(0, colon));
  return tool.starts_with("llvm-symbolizer") || tool.starts_with("addr2line") || tool.starts_with("llvm-addr2line");
}

std::string symbolizer_preflight() {
  if (::access(std::string(kSymbolizerPath).c_str(), X_OK) == 0) return "";
  return symbolizer_warning("WARNING: invalid path to external symbolizer");
}

std::string symbolizer_warning(std::string_view output) {
  bool missing = output.find("WARNING: invalid path to external symbolizer") != std::string_view::npos ||
                 output.find("WARNING: Failed to use and restart external symbolizer") != std::string_view::npos ||
                 output.find("WARNING: external symbolizer didn't start up correctly") != std::string_view::npos;
  // A report whose frames all print as "<null> <null> (binary+0x...)": no
  // symbolizer was found at all (no warning is printed then).
  bool unsymbolized = output.find(" <null> <null> (") != std::string_view::npos &&
                      output.find(".cc:") == std::string_view::npos;
  if (!missing && !unsymbolized) return "";
  return "The sanitizer could not turn addresses into files and lines: its symbolizer (" +
         std::string(kSymbolizerPath) + ", Debian package " + std::string(kSymbolizerPackage) +
         ") is missing or failed. The findings below are real, but their stacks show addresses "
         "instead of your lines. Run ./racelings as root once (it installs what is missing), or: "
         "sudo apt-get install " +
         std::string(kSymbolizerPackage);
}

}  // namespace racelings::report
