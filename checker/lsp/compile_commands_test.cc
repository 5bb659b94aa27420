// compile_commands_from_aquery() on aquery output shaped as Bazel 4.2.3 prints
// it for this tree (arguments shortened to what matters).

#include "checker/lsp/compile_commands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace racelings::checker::lsp {
namespace {

using nlohmann::json;

const BazelPaths kPaths{"/src/racelings", "/cache/base", "/cache/base/execroot/racelings"};

// A file system holding only these paths; symbolic links as given.
RealPath fake_disk(std::map<std::string, std::string> links) {
  return [links](const std::string& path) -> std::optional<std::string> {
    auto it = links.find(path);
    if (it == links.end()) return std::nullopt;
    return it->second;
  };
}

const RealPath kDisk = fake_disk({
    {"/cache/base/external/googletest/googletest/include", "/usr/src/googletest/googletest/include"},
    {"/cache/base/execroot/racelings/bazel-out/k8-fastbuild/bin",
     "/cache/base/execroot/racelings/bazel-out/k8-fastbuild/bin"},
});

json action(int configuration, std::vector<std::string> arguments, std::string mnemonic = "CppCompile") {
  return {{"mnemonic", mnemonic}, {"configurationId", configuration}, {"arguments", arguments}};
}

std::vector<std::string> compile(const std::string& source, std::vector<std::string> flags) {
  std::vector<std::string> args = {"/usr/bin/clang-19", "-MD", "-MF", "bazel-out/x.d", "-frandom-seed=bazel-out/x.o"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.insert(args.end(), {"-c", source, "-o", "bazel-out/x.o"});
  return args;
}

json aquery(std::vector<json> actions) {
  return {{"actions", actions},
          {"configuration",
           {{{"id", 1}, {"mnemonic", "k8-fastbuild"}},
            {{"id", 2}, {"mnemonic", "k8-fastbuild-ST-09577742be46"}},
            {{"id", 3}, {"mnemonic", "k8-fastbuild-ST-cd25f9e36643"}}}}};
}

bool has(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

TEST(CompileCommands, EntriesRunFromTheWorkspaceWithPathsThatExistThere) {
  auto commands = compile_commands_from_aquery(
      aquery({action(2, compile("exercises/06_counter_mutex/exercise.cc",
                                {"-iquote", ".", "-iquote", "bazel-out/k8-fastbuild/bin", "-iquote",
                                 "bazel-out/k8-fastbuild-ST-09577742be46/bin/external/googletest", "-isystem",
                                 "external/googletest/googletest/include", "-fsanitize=thread", "-Wthread-safety",
                                 "-std=c++20"}))}),
      kPaths, kDisk);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].file, "/src/racelings/exercises/06_counter_mutex/exercise.cc");
  EXPECT_EQ(commands[0].arguments,
            (std::vector<std::string>{"/usr/bin/clang-19", "-iquote", ".", "-iquote",
                                      "/cache/base/execroot/racelings/bazel-out/k8-fastbuild/bin", "-isystem",
                                      "/usr/src/googletest/googletest/include", "-fsanitize=thread", "-Wthread-safety",
                                      "-std=c++20", "-c", "exercises/06_counter_mutex/exercise.cc"}));
}

TEST(CompileCommands, TheIntegrityChecksOwnCompilesAreNotTheFilesCommand) {
  // tools/integrity.bzl compiles the file twice more, to -E and to LLVM IR,
  // in the same configuration; whichever sorts first, the object's compile wins.
  auto commands = compile_commands_from_aquery(
      aquery({action(2, compile("exercises/06_counter_mutex/exercise.cc", {"-fsanitize=thread", "-E"})),
              action(2, compile("exercises/06_counter_mutex/exercise.cc",
                                {"-fsanitize=thread", "-S", "-emit-llvm", "-Xclang", "-disable-llvm-passes"})),
              action(2, compile("exercises/06_counter_mutex/exercise.cc", {"-fsanitize=thread"}))}),
      kPaths, kDisk);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_FALSE(has(commands[0].arguments, "-E"));
  EXPECT_FALSE(has(commands[0].arguments, "-emit-llvm"));
  EXPECT_TRUE(has(commands[0].arguments, "-fsanitize=thread"));
}

TEST(CompileCommands, AStudentFileCompiledOnlyToIrGetsThatCompileWithoutTheIrFlags) {
  // The object of a student file is made from its IR (tools/integrity.bzl):
  // the IR compile is the only CppCompile of the file.
  auto commands = compile_commands_from_aquery(
      aquery({action(2, compile("exercises/06_counter_mutex/exercise.cc", {"-fsanitize=thread", "-E"})),
              action(2, compile("exercises/06_counter_mutex/exercise.cc",
                                {"-fsanitize=thread", "-S", "-emit-llvm", "-Xclang", "-disable-llvm-passes"}))}),
      kPaths, kDisk);
  ASSERT_EQ(commands.size(), 1u);
  for (const char* flag : {"-E", "-S", "-emit-llvm", "-disable-llvm-passes"}) {
    EXPECT_FALSE(has(commands[0].arguments, flag)) << flag;
  }
  EXPECT_TRUE(has(commands[0].arguments, "-fsanitize=thread"));
}

TEST(CompileCommands, AnExerciseKeepsItsSanitizedBuildAndAPrimitiveThePlainOne) {
  auto commands = compile_commands_from_aquery(
      aquery({
          action(1, compile("solutions/06_counter_mutex/solution.cc", {})),
          action(2, compile("solutions/06_counter_mutex/solution.cc", {"-fsanitize=thread"})),
          action(3, compile("primitives/detector.cc", {"-fsanitize=address"})),
          action(2, compile("primitives/detector.cc", {"-fsanitize=thread"})),
          action(1, compile("primitives/detector.cc", {"-Werror"})),
      }),
      kPaths, kDisk);
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(commands[0].file, "/src/racelings/primitives/detector.cc");
  EXPECT_EQ(commands[0].configuration, "k8-fastbuild");
  EXPECT_TRUE(has(commands[0].arguments, "-Werror"));
  EXPECT_EQ(commands[1].file, "/src/racelings/solutions/06_counter_mutex/solution.cc");
  EXPECT_TRUE(has(commands[1].arguments, "-fsanitize=thread"));
}

TEST(CompileCommands, TheChoiceDoesNotDependOnTheOrderOfActions) {
  std::vector<json> actions = {
      action(2, compile("primitives/thread.cc", {"-fsanitize=thread"})),
      action(3, compile("primitives/thread.cc", {"-fsanitize=address"})),
      action(2, compile("exercises/18_channel/test.cc", {"-fsanitize=thread"})),
  };
  auto forward = compile_commands_from_aquery(aquery(actions), kPaths, kDisk);
  std::reverse(actions.begin(), actions.end());
  auto backward = compile_commands_from_aquery(aquery(actions), kPaths, kDisk);
  EXPECT_EQ(to_json(forward, kPaths.workspace), to_json(backward, kPaths.workspace));
  ASSERT_EQ(forward.size(), 2u);
  // Only sanitized builds of a primitive: the first configuration by name.
  EXPECT_EQ(forward[1].configuration, "k8-fastbuild-ST-09577742be46");
}

TEST(CompileCommands, ExternalAndGeneratedSourcesAndOtherActionsAreLeftOut) {
  auto commands = compile_commands_from_aquery(
      aquery({
          action(1, compile("external/googletest/googletest/src/gtest-all.cc", {})),
          action(1, compile("bazel-out/k8-fastbuild/bin/gen.cc", {})),
          action(1, {"/usr/bin/clang-19", "-o", "checker/racelings"}, "CppLink"),
          action(1, {"/usr/bin/clang-19", "-c"}),
      }),
      kPaths, kDisk);
  EXPECT_TRUE(commands.empty());
}

TEST(CompileCommands, TheDatabaseIsWhatClangdReads) {
  auto commands = compile_commands_from_aquery(aquery({action(1, compile("checker/main.cc", {"-std=c++20"}))}), kPaths,
                                               kDisk);
  json db = to_json(commands, kPaths.workspace);
  ASSERT_EQ(db.size(), 1u);
  EXPECT_EQ(db[0]["directory"], "/src/racelings");
  EXPECT_EQ(db[0]["file"], "/src/racelings/checker/main.cc");
  EXPECT_EQ(db[0]["arguments"].back(), "checker/main.cc");
}

TEST(CompileCommands, AnEmptyGraphGivesAnEmptyDatabaseAndGarbageAnError) {
  EXPECT_TRUE(compile_commands_from_aquery(json::object(), kPaths, kDisk).empty());
  EXPECT_THROW(compile_commands_from_aquery(json::array(), kPaths, kDisk), AqueryError);
  EXPECT_THROW(compile_commands_from_aquery(json{{"actions", 3}}, kPaths, kDisk), AqueryError);
}

}  // namespace
}  // namespace racelings::checker::lsp
