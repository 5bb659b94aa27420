#include "checker/bazel.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "checker/process.h"
#include "checker/report/report_parser.h"
#include "checker/workspace.h"

namespace racelings::checker {

std::string disk_cache_dir() {
  if (const char* explicit_dir = std::getenv("RACELINGS_DISK_CACHE"); explicit_dir != nullptr && *explicit_dir) {
    return explicit_dir;
  }
  return cache_home() + "/racelings/disk-cache";
}

std::string output_path(const BuildOutcome& outcome, const std::string& workspace, const std::string& label) {
  // //pkg/sub:name -> bazel-bin/pkg/sub/name
  std::string l = label.rfind("//", 0) == 0 ? label.substr(2) : label;
  auto colon = l.find(':');
  std::string package = l.substr(0, colon);
  std::string name = colon == std::string::npos ? package.substr(package.rfind('/') + 1) : l.substr(colon + 1);
  std::string suffix = "/" + package + "/" + name;
  if (auto it = outcome.files.find(label); it != outcome.files.end()) {
    for (const auto& f : it->second) {
      if (f.size() >= suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) return f;
    }
  }
  return workspace + "/bazel-bin" + suffix;
}

namespace {

// Bazel's build events (--build_event_json_file): which targets completed,
// and the files of each, through named sets of files that may nest.
class BuildEvents {
 public:
  // Reads the events file into `outcome.built` and `outcome.files`.
  void read(const std::string& path, BuildOutcome& outcome) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      auto event = nlohmann::json::parse(line, nullptr, false);
      if (event.is_discarded() || !event.contains("id")) continue;
      const auto& id = event["id"];
      if (id.contains("namedSet") && event.contains("namedSetOfFiles")) {
        named_set(id["namedSet"].value("id", ""), event["namedSetOfFiles"]);
      } else if (id.contains("targetCompleted")) {
        target_completed(id["targetCompleted"].value("label", ""), event, outcome);
      }
    }
    for (const auto& [label, sets] : target_sets_) outcome.files[label] = files_of(sets);
  }

 private:
  void named_set(const std::string& set, const nlohmann::json& body) {
    for (const auto& f : body.value("files", nlohmann::json::array())) {
      std::string uri = f.value("uri", "");
      if (uri.rfind("file://", 0) == 0) set_files_[set].push_back(uri.substr(7));
    }
    for (const auto& child : body.value("fileSets", nlohmann::json::array())) {
      set_children_[set].push_back(child.value("id", ""));
    }
  }

  void target_completed(std::string label, const nlohmann::json& event, BuildOutcome& outcome) {
    if (label.rfind("@//", 0) == 0) label = label.substr(1);
    bool success = event.contains("completed") && event["completed"].value("success", false);
    if (outcome.built.count(label) != 0) outcome.built[label] = success;
    if (!success) return;
    for (const auto& group : event["completed"].value("outputGroup", nlohmann::json::array())) {
      for (const auto& set : group.value("fileSets", nlohmann::json::array())) {
        target_sets_[label].push_back(set.value("id", ""));
      }
    }
  }

  // Every file of `sets` and of the sets nested in them, each set once.
  std::vector<std::string> files_of(const std::vector<std::string>& sets) {
    std::vector<std::string> files;
    std::vector<std::string> stack = sets;
    std::set<std::string> seen;
    while (!stack.empty()) {
      std::string set = stack.back();
      stack.pop_back();
      if (!seen.insert(set).second) continue;
      for (const auto& f : set_files_[set]) files.push_back(f);
      for (const auto& c : set_children_[set]) stack.push_back(c);
    }
    return files;
  }

  std::map<std::string, std::vector<std::string>> set_files_, set_children_, target_sets_;
};

RunOptions bazel_build_command(const std::vector<std::string>& targets, const BazelOptions& options,
                               const std::string& events) {
  RunOptions run_options;
  run_options.argv = {"/usr/bin/bazel",
                      "build",
                      "--noshow_progress",
                      "--color=no",
                      "--curses=no",
                      "--disk_cache=" + disk_cache_dir(),
                      "--build_event_json_file=" + events};
  for (const auto& f : options.extra_flags) run_options.argv.push_back(f);
  run_options.argv.push_back("--");
  for (const auto& t : targets) run_options.argv.push_back(t);
  run_options.cwd = options.workspace;
  run_options.limits.timeout = std::chrono::seconds(options.timeout_s);
  run_options.limits.max_rss_bytes = size_t{16} << 30;
  run_options.limits.max_file_bytes = size_t{1} << 40;
  return run_options;
}

}  // namespace

BuildOutcome build(const std::vector<std::string>& targets, const BazelOptions& options) {
  BuildOutcome outcome;
  TempDir scratch("racelings-bazel");
  std::string events = scratch.path() + "/events.json";
  RunResult r = run(bazel_build_command(targets, options, events));
  outcome.output = r.output;
  if (!r.started) {
    outcome.failure = "could not run bazel: " + r.error + " (is bazel-bootstrap installed? run ./racelings)";
    return outcome;
  }
  if (r.timed_out) {
    outcome.failure = "bazel did not finish within " + std::to_string(options.timeout_s) + " s";
    return outcome;
  }
  for (const auto& t : targets) outcome.built[t] = false;
  BuildEvents().read(events, outcome);
  outcome.ok = r.exit_code == 0;
  for (const auto& [target, ok] : outcome.built) outcome.ok = outcome.ok && ok;
  outcome.errors = report::parse_build_errors(r.output);
  if (!outcome.ok && outcome.errors.empty()) {
    // Not a compile error: Bazel itself (a broken BUILD file, a missing package).
    outcome.failure = "bazel build failed (exit " + std::to_string(r.exit_code) + ")";
  }
  return outcome;
}

std::vector<report::Finding> errors_in(const std::vector<report::Finding>& errors, const std::string& directory) {
  std::vector<report::Finding> out;
  for (const auto& e : errors) {
    bool mine = false;
    for (const auto& stack : e.stacks) {
      for (const auto& frame : stack.frames) {
        if (frame.file.rfind(directory, 0) == 0) mine = true;
      }
    }
    if (mine) out.push_back(e);
  }
  return out;
}

}  // namespace racelings::checker
