// checker/lsp/compile_commands.h
// -----------------------------------------------------------------------------
//
// Turns Bazel's action graph (`bazel aquery --output=jsonproto` of the C++
// compile actions) into a compilation database, compile_commands.json, that
// clangd reads: one entry per source file of the tree, with the flags of the
// build that compiles it (an exercise's own sanitizer, -Wthread-safety ...).
//
// Bazel runs compilers in its execution root, with paths such as
// `external/googletest/...` and `bazel-out/<config>/bin` that exist only
// there. An editor works in the source tree, so every entry runs from the
// workspace root: workspace paths stay as they are, external repositories
// become their real directories (Debian's /usr/src/googletest, ...), and
// include directories that do not exist on disk are dropped.
//
// Rust equivalent: `rustlings lsp`, which writes rust-project.json for
// rust-analyzer.

#ifndef RACELINGS_CHECKER_LSP_COMPILE_COMMANDS_H_
#define RACELINGS_CHECKER_LSP_COMPILE_COMMANDS_H_

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace racelings::checker::lsp {

// Where Bazel keeps things for this workspace (`bazel info`).
struct BazelPaths {
  std::string workspace;       // the source tree, absolute
  std::string output_base;     // holds external/<repo>
  std::string execution_root;  // holds bazel-out/
};

// Maps an absolute path to the real path it names (symbolic links resolved),
// or nullopt when nothing is there. Tests pass a fake file system.
using RealPath = std::function<std::optional<std::string>(const std::string&)>;

// The file system's own answer (std::filesystem::canonical).
std::optional<std::string> real_path_on_disk(const std::string& path);

// One entry of compile_commands.json.
struct CompileCommand {
  std::string file;                     // absolute
  std::vector<std::string> arguments;   // the compiler first
  std::string configuration;           // Bazel's name for the build, e.g. k8-fastbuild-ST-0957...
};

struct AqueryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// compile_commands_from_aquery(): one entry per workspace source file that a
// C++ compile action in `aquery` compiles (files of external repositories are
// left out), sorted by file. When several builds compile a file, exercises and
// solutions keep a sanitized one (the build their tests run), everything else
// the plain build (what `bazel build //...` compiles). Throws AqueryError when
// `aquery` is not aquery's JSON.
std::vector<CompileCommand> compile_commands_from_aquery(const nlohmann::json& aquery, const BazelPaths& paths,
                                                         const RealPath& real_path);

// The database as clangd reads it: [{"directory", "file", "arguments"}, ...].
nlohmann::json to_json(const std::vector<CompileCommand>& commands, const std::string& workspace);

}  // namespace racelings::checker::lsp

#endif  // RACELINGS_CHECKER_LSP_COMPILE_COMMANDS_H_
