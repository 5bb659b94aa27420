#include "checker/integrity/preprocessed_scan.h"

#include <filesystem>
#include <set>

namespace racelings::checker {
namespace {

// `# <line> "<file>" <flags>`, as clang writes line markers.
bool parse_marker(std::string_view line, int& number, std::string& file) {
  if (line.size() < 4 || line[0] != '#' || line[1] != ' ' || !std::isdigit(static_cast<unsigned char>(line[2]))) {
    return false;
  }
  size_t i = 2;
  number = 0;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) {
    number = number * 10 + (line[i] - '0');
    if (number > 100000000) return false;
    ++i;
  }
  if (line.substr(i, 2) != " \"") return false;
  file.clear();
  for (i += 2; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    file += line[i];
  }
  return i < line.size();
}

// Files a submission may pull in: its own, the compiler's pseudo-files, the
// project's headers and the system's.
bool allowed_file(const std::string& file, const std::string& main_file) {
  if (file == main_file || (file.size() > 2 && file.front() == '<' && file.back() == '>')) return true;
  std::string path = std::filesystem::path(file).lexically_normal().generic_string();
  if (path.rfind("/usr/", 0) == 0) return true;
  return path.rfind("primitives/", 0) == 0;
}

}  // namespace

PreprocessedSource parse_preprocessed(std::string_view text, const std::string& main_file) {
  PreprocessedSource out;
  std::set<std::string> seen;
  std::string file;
  int line = 1;
  int main_line = 0;  // the main file's line when another file was entered
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(start, end - start);
    start = end + 1;
    int number = 0;
    std::string named;
    if (parse_marker(content, number, named)) {
      // Leaving the main file, `line` is that of the #include.
      if (file == main_file) main_line = line;
      if (seen.insert(named).second) out.files.push_back({named, main_line});
      file = std::move(named);
      line = number;
      continue;
    }
    if (file == main_file && content.find_first_not_of(" \t\r") != std::string_view::npos) {
      std::string& joined = out.main_lines[line];
      if (!joined.empty()) joined += ' ';
      joined += content;
    }
    ++line;
  }
  return out;
}

std::vector<Violation> scan_preprocessed(std::string_view preprocessed, const std::string& main_file,
                                         std::string_view reference) {
  PreprocessedSource parsed = parse_preprocessed(preprocessed, main_file);
  std::vector<Violation> out;
  for (const auto& [file, included_at] : parsed.files) {
    if (allowed_file(file, main_file)) continue;
    out.push_back(Violation{included_at, "included-file",
                            "pulls in " + file +
                                ", which is neither one of the project's headers (primitives/...) nor a system "
                                "header: an exercise is graded on its own code",
                            IntegrityLayer::kPreprocessed});
    break;
  }
  // The main file's expanded lines, each at its own line number.
  std::string code;
  int at = 1;
  for (const auto& [number, content] : parsed.main_lines) {
    for (; at < number; ++at) code += '\n';
    code += content;
  }
  for (Violation& v : scan_code(strip_comments_and_strings(code), allowed_words(reference))) {
    v.reason = "after its macros are expanded, " + v.reason;
    v.layer = IntegrityLayer::kPreprocessed;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace racelings::checker
