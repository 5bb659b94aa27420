// checker/report/merge.cc
//
// merge_key() and merge_findings(): findings that are the same problem at the
// same place in the student's code are counted once.

#include <algorithm>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checker/report/parse_text.h"
#include "checker/report/report_parser.h"

namespace racelings::report {

std::string merge_key(const Finding& finding) {
  std::string key(kind_name(finding.kind));
  key += '|';
  std::vector<std::string> places;
  for (const Stack& s : finding.stacks) {
    if (is_context_heading(s.heading)) continue;
    for (const Frame& f : s.frames) {
      if (!is_user_frame(f)) continue;
      places.push_back(f.file + ":" + std::to_string(f.line));
      break;
    }
  }
  std::sort(places.begin(), places.end());
  places.erase(std::unique(places.begin(), places.end()), places.end());
  for (const std::string& p : places) {
    key += p;
    key += ';';
  }
  if (places.empty() || finding.kind == Kind::kTestFailure || finding.kind == Kind::kBuildError) {
    key += '|';
    key += digits_to_hash(finding.title);
  }
  return key;
}

std::vector<Finding> merge_findings(std::vector<Finding> findings) {
  std::vector<Finding> out;
  std::unordered_map<std::string, std::size_t> index;
  for (Finding& f : findings) {
    std::string key = merge_key(f);
    auto it = index.find(key);
    if (it != index.end()) {
      out[it->second].count += f.count;
      continue;
    }
    index.emplace(std::move(key), out.size());
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace racelings::report
