// checker/workspace.h
// -----------------------------------------------------------------------------
//
// The racelings tree the checker works on: where it is, what git says about
// it (which exercise files a student changed), a pristine copy of it for the
// audit, and the student's progress in `.racelings/state.json`.

#ifndef RACELINGS_CHECKER_WORKSPACE_H_
#define RACELINGS_CHECKER_WORKSPACE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace racelings::checker {

// find_root(): `hint` if given, else the nearest directory upward from the
// current one holding WORKSPACE and exercises/catalog.json; throws
// std::runtime_error with advice when there is none.
std::string find_root(const std::string& hint);

std::optional<std::string> read_file(const std::string& path);
// Writes via a temporary file and rename, so a reader never sees half a file.
bool write_file_atomically(const std::string& path, const std::string& contents);

// Git, run in `root`. All return nullopt/false when git or the repository is missing.
bool is_git_repo(const std::string& root);
// Files under `prefix` that differ from HEAD or are untracked.
std::vector<std::string> changed_files(const std::string& root, const std::string& prefix);
// A file's content at HEAD.
std::optional<std::string> file_at_head(const std::string& root, const std::string& path);
// export_git_tree(): copies the tree of `ref` (a commit, tag or branch) of
// the repository at `repo` into `dest` (git archive: tracked files only).
// False on failure, with `error` saying why.
bool export_git_tree(const std::string& repo, const std::string& ref, const std::string& dest, std::string& error);
// The tree at HEAD (export_git_tree of "HEAD").
inline bool export_head(const std::string& root, const std::string& dest, std::string& error) {
  return export_git_tree(root, "HEAD", dest, error);
}
// copy_source_tree(): copies the folder `source` into `dest`, leaving out
// what is not source: .git, Bazel's bazel-* output links and .racelings
// (progress). For a tree that is not a git checkout (an autograder's copy).
bool copy_source_tree(const std::string& source, const std::string& dest, std::string& error);

// Progress, kept in <root>/.racelings/state.json.
class State {
 public:
  explicit State(std::string root);
  void load();
  bool save() const;

  int hints_shown(const std::string& exercise) const;
  void set_hints_shown(const std::string& exercise, int n);
  // Passed with this exact content of exercise.cc (its hash).
  void record_check(const std::string& exercise, bool passed, const std::string& content_hash);
  bool passed(const std::string& exercise, const std::string& content_hash) const;
  // The last schedule under which the exercise failed (check, explore), for
  // `racelings replay NN` without an id; empty when there is none.
  void set_last_schedule(const std::string& exercise, const std::string& id);
  std::string last_schedule(const std::string& exercise) const;

 private:
  std::string root_;
  nlohmann::json data_;
};

std::string content_hash(const std::string& contents);

// "path size mtime": what tells one version of a file from the next without
// reading it; "" when it cannot be read.
std::string file_version(const std::string& path);

// The user's cache directory: $XDG_CACHE_HOME, or ~/.cache (without a HOME:
// $TEST_TMPDIR/.cache under `bazel test`, else /tmp/.cache).
std::string cache_home();

// A file's bytes, hashed once per process (per path, size and time); "" when
// it cannot be read.
std::string file_hash(const std::string& path);

// Keeps the files of `dir` under `cap_bytes`: above it, the least recently
// written go first, down to three quarters of it. Returns how many went.
int prune_least_recently_used(const std::string& dir, uintmax_t cap_bytes);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_WORKSPACE_H_
