#include "checker/lsp/lsp.h"

#include <unistd.h>

#include <iostream>
#include <map>
#include <sstream>

#include "checker/bazel.h"
#include "checker/commands.h"
#include "checker/lsp/compile_commands.h"
#include "checker/process.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

// Every C++ compile action of the tree and its dependencies, in the
// configurations its targets build them (each exercise under its sanitizer).
constexpr const char* kQuery = "mnemonic(\"CppCompile\", deps(//...))";
// Where clangd-19 comes from (./racelings lsp installs it).
constexpr const char* kClangd = "/usr/bin/clangd-19";

struct BazelRun {
  bool ok = false;
  std::string stdout_text;
  std::string message;  // why it failed, with Bazel's own output
};

// Bazel prints its progress on stderr and the answer on stdout: keep the
// answer apart, in a file, since the runner interleaves the two streams.
BazelRun run_bazel(const std::string& root, const std::vector<std::string>& args) {
  TempDir scratch("racelings-lsp");
  const std::string answer = scratch.path() + "/stdout";
  RunOptions options;
  options.argv = {"/bin/sh", "-c", "out=$1; shift; exec \"$@\" >\"$out\"", "sh", answer, "/usr/bin/bazel"};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.cwd = root;
  options.limits.timeout = std::chrono::minutes(10);
  options.limits.max_rss_bytes = size_t{16} << 30;
  options.limits.max_file_bytes = size_t{1} << 34;
  RunResult r = run(options);
  BazelRun out;
  if (!r.started) {
    out.message = "could not run bazel: " + r.error + " (is bazel-bootstrap installed? run ./racelings)";
  } else if (!r.exited_ok()) {
    out.message = "`bazel " + args.front() + "` failed:\n" + r.output;
  } else {
    out.ok = true;
    out.stdout_text = read_file(answer).value_or("");
  }
  return out;
}

// `bazel info` prints "key: value" lines.
std::map<std::string, std::string> parse_info(const std::string& text) {
  std::map<std::string, std::string> info;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(": ");
    if (colon != std::string::npos) info[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return info;
}

std::string count_by_folder(const std::vector<lsp::CompileCommand>& commands, const std::string& root) {
  std::map<std::string, int> counts;
  for (const auto& c : commands) {
    std::string relative = c.file.substr(root.size() + 1);
    counts[relative.substr(0, relative.find('/'))] += 1;
  }
  std::string out;
  for (const auto& [folder, n] : counts) out += (out.empty() ? "" : ", ") + std::to_string(n) + " in " + folder + "/";
  return out;
}

}  // namespace

int cmd_lsp(const std::string& root, const Ui& ui) {
  const std::vector<std::string> common = {"--noshow_progress", "--color=no", "--curses=no",
                                           "--disk_cache=" + disk_cache_dir()};
  BazelRun info = run_bazel(root, {"info", "output_base", "execution_root"});
  std::map<std::string, std::string> where = parse_info(info.stdout_text);
  if (!info.ok || where["output_base"].empty() || where["execution_root"].empty()) {
    std::cerr << "racelings: " << (info.ok ? "`bazel info` named no output base" : info.message) << "\n";
    return kExitInternal;
  }
  std::vector<std::string> aquery_args = {"aquery"};
  aquery_args.insert(aquery_args.end(), common.begin(), common.end());
  aquery_args.insert(aquery_args.end(), {"--output=jsonproto", kQuery});
  BazelRun aquery = run_bazel(root, aquery_args);
  if (!aquery.ok) {
    std::cerr << "racelings: " << aquery.message << "\n";
    return kExitInternal;
  }
  std::vector<lsp::CompileCommand> commands;
  try {
    commands = lsp::compile_commands_from_aquery(nlohmann::json::parse(aquery.stdout_text),
                                                 {root, where["output_base"], where["execution_root"]},
                                                 lsp::real_path_on_disk);
  } catch (const std::exception& e) {
    std::cerr << "racelings: could not read Bazel's action graph: " << e.what() << "\n";
    return kExitInternal;
  }
  const std::string path = root + "/compile_commands.json";
  if (!write_file_atomically(path, lsp::to_json(commands, root).dump(2) + "\n")) {
    std::cerr << "racelings: could not write " << path << "\n";
    return kExitInternal;
  }
  std::cout << ui.green("✓ wrote compile_commands.json") << ": " << commands.size() << " source files ("
            << count_by_folder(commands, root) << "), each with the flags of the build that compiles it.\n";
  std::cout
      << "  Editors that use clangd now understand the tree: VS Code (the clangd extension, recommended\n"
         "  in .vscode/), Neovim (nvim-lspconfig's clangd), Emacs (eglot), CLion (it reads this file).\n"
         "  Reload the editor's window if it was open. Run `./racelings lsp` again after changing a BUILD file.\n";
  if (::access(kClangd, X_OK) != 0) {
    std::cout << ui.yellow("  note: ") << kClangd
              << " is missing: `./racelings lsp` installs it (Debian package clangd-19).\n";
  }
  return kExitOk;
}

}  // namespace racelings::checker
