#include "checker/lsp/compile_commands.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <string_view>
#include <system_error>
#include <tuple>

namespace racelings::checker::lsp {
namespace {

using nlohmann::json;

// Flags whose next argument is a directory or file to find headers in.
bool takes_include_path(std::string_view flag) {
  return flag == "-iquote" || flag == "-isystem" || flag == "-I" || flag == "-idirafter" || flag == "-include";
}

// What only matters to Bazel's own bookkeeping: dependency files, the object
// file, the seed that makes objects reproducible.
bool takes_output_path(std::string_view flag) {
  return flag == "-MF" || flag == "-MT" || flag == "-MQ" || flag == "-o";
}
bool is_output_only(std::string_view flag) {
  return flag == "-MD" || flag == "-MMD" || flag.starts_with("-frandom-seed=");
}

// A path as Bazel's execution root sees it, as the source tree can use it;
// nullopt when it names nothing on disk (an empty bazel-out include directory).
std::optional<std::string> rewrite_path(const std::string& path, const BazelPaths& paths, const RealPath& real_path) {
  if (path.starts_with("external/")) return real_path(paths.output_base + "/" + path);
  if (path.starts_with("bazel-out/")) return real_path(paths.execution_root + "/" + path);
  // Absolute (a system directory) or relative to the workspace, which is
  // where every entry runs.
  return path;
}

std::vector<std::string> rewrite_arguments(const std::vector<std::string>& args, const BazelPaths& paths,
                                           const RealPath& real_path) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (i == 0) {
      out.push_back(arg);  // the compiler: an absolute path on Debian's toolchain
    } else if (takes_output_path(arg)) {
      ++i;
    } else if (is_output_only(arg)) {
      continue;
    } else if (takes_include_path(arg) && i + 1 < args.size()) {
      if (auto path = rewrite_path(args[i + 1], paths, real_path)) {
        out.push_back(arg);
        out.push_back(*path);
      }
      ++i;
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

std::optional<std::string> compiled_source(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "-c") return args[i + 1];
  }
  return std::nullopt;
}

bool in_workspace(std::string_view source) {
  return !source.empty() && source[0] != '/' && !source.starts_with("external/") && !source.starts_with("bazel-out/");
}

bool is_sanitized(const std::vector<std::string>& args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("-fsanitize="); });
}

// Lower is better: see compile_commands_from_aquery().
int preference(const std::string& source, const std::vector<std::string>& args, const std::string& configuration) {
  const bool sanitized = is_sanitized(args);
  if (source.starts_with("exercises/") || source.starts_with("solutions/")) return sanitized ? 0 : 1;
  if (sanitized) return 2;
  // "-ST-" marks a configuration made by a transition (a sanitized_cc_test's).
  return configuration.find("-ST-") == std::string::npos ? 0 : 1;
}

std::map<int, std::string> configuration_names(const json& aquery) {
  std::map<int, std::string> names;
  for (const json& c : aquery.value("configuration", json::array())) {
    if (c.is_object()) names[c.value("id", 0)] = c.value("mnemonic", "");
  }
  return names;
}

std::vector<std::string> string_list(const json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const json& v : value) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// `args` less what makes the compile emit LLVM IR instead of an object.
std::vector<std::string> without_ir_flags(std::vector<std::string> args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-S" || args[i] == "-emit-llvm") continue;
    if (args[i] == "-Xclang" && i + 1 < args.size() && args[i + 1] == "-disable-llvm-passes") {
      ++i;
      continue;
    }
    out.push_back(args[i]);
  }
  return out;
}

}  // namespace

std::optional<std::string> real_path_on_disk(const std::string& path) {
  std::error_code ec;
  std::filesystem::path real = std::filesystem::canonical(path, ec);
  if (ec) return std::nullopt;
  return real.string();
}

std::vector<CompileCommand> compile_commands_from_aquery(const json& aquery, const BazelPaths& paths,
                                                         const RealPath& real_path) {
  if (!aquery.is_object()) throw AqueryError("bazel aquery did not print a JSON object");
  const json& actions = aquery.contains("actions") ? aquery["actions"] : json::array();
  if (!actions.is_array()) throw AqueryError("bazel aquery's \"actions\" is not a list");
  const std::map<int, std::string> configurations = configuration_names(aquery);

  struct Candidate {
    int preference;
    CompileCommand command;
  };
  std::map<std::string, Candidate> best;  // by workspace-relative source
  for (const json& action : actions) {
    if (!action.is_object() || action.value("mnemonic", "") != "CppCompile") continue;
    std::vector<std::string> args = string_list(action.value("arguments", json::array()));
    // A student file is compiled by the integrity check (tools/integrity.bzl):
    // preprocessed only, which is not how an editor parses it, and to LLVM IR,
    // from which its object is made: that one is the file's compile, less the
    // flags that ask for IR.
    if (std::find(args.begin(), args.end(), "-E") != args.end()) continue;
    args = without_ir_flags(std::move(args));
    const std::optional<std::string> source = compiled_source(args);
    if (args.empty() || !source || !in_workspace(*source)) continue;
    std::string configuration;
    if (auto it = configurations.find(action.value("configurationId", 0)); it != configurations.end()) {
      configuration = it->second;
    }
    Candidate candidate{preference(*source, args, configuration),
                        {paths.workspace + "/" + *source, rewrite_arguments(args, paths, real_path), configuration}};
    auto [it, inserted] = best.try_emplace(*source, candidate);
    if (inserted) continue;
    // Ties go to the smaller configuration name: the same database every time.
    const Candidate& current = it->second;
    if (std::tie(candidate.preference, candidate.command.configuration, candidate.command.arguments) <
        std::tie(current.preference, current.command.configuration, current.command.arguments)) {
      it->second = std::move(candidate);
    }
  }
  std::vector<CompileCommand> out;
  out.reserve(best.size());
  for (auto& [source, candidate] : best) out.push_back(std::move(candidate.command));
  return out;
}

json to_json(const std::vector<CompileCommand>& commands, const std::string& workspace) {
  json out = json::array();
  for (const CompileCommand& c : commands) {
    out.push_back({{"directory", workspace}, {"file", c.file}, {"arguments", c.arguments}});
  }
  return out;
}

}  // namespace racelings::checker::lsp
