#include "checker/workspace.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "checker/process.h"

namespace racelings::checker {
namespace fs = std::filesystem;

std::string find_root(const std::string& hint) {
  auto is_root = [](const fs::path& p) {
    std::error_code ec;
    return fs::exists(p / "WORKSPACE", ec) && fs::exists(p / "exercises" / "catalog.json", ec);
  };
  if (!hint.empty()) {
    std::error_code ec;
    fs::path p = fs::absolute(hint, ec);
    if (!is_root(p)) {
      throw std::runtime_error(hint + " is not a racelings tree (no WORKSPACE and exercises/catalog.json there)");
    }
    return p.lexically_normal().string();
  }
  std::error_code ec;
  for (fs::path p = fs::current_path(ec); !p.empty(); p = p.parent_path()) {
    if (is_root(p)) return p.string();
    if (p == p.root_path()) break;
  }
  throw std::runtime_error(
      "not inside a racelings tree: run ./racelings from the directory that holds it, or pass --root DIR");
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_file_atomically(const std::string& path, const std::string& contents) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << contents;
    out.flush();
    if (!out) return false;
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

namespace {

RunResult git(const std::string& root, std::vector<std::string> args) {
  RunOptions o;
  o.argv = {"/usr/bin/git", "-C", root};
  for (auto& a : args) o.argv.push_back(std::move(a));
  o.cwd = root;
  o.limits.timeout = std::chrono::seconds(120);
  o.limits.output_head_bytes = size_t{256} << 20;
  o.env["GIT_TERMINAL_PROMPT"] = "0";
  return run(o);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string line;
  while (std::getline(s, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

bool is_git_repo(const std::string& root) {
  RunResult r = git(root, {"rev-parse", "--verify", "-q", "HEAD"});
  return r.exited_ok();
}

std::vector<std::string> changed_files(const std::string& root, const std::string& prefix) {
  std::vector<std::string> out;
  RunResult diff = git(root, {"diff", "--name-only", "HEAD", "--", prefix});
  RunResult untracked = git(root, {"ls-files", "--others", "--exclude-standard", "--", prefix});
  if (diff.exited_ok()) {
    for (auto& l : lines(diff.output)) out.push_back(l);
  }
  if (untracked.exited_ok()) {
    for (auto& l : lines(untracked.output)) out.push_back(l);
  }
  return out;
}

std::optional<std::string> file_at_head(const std::string& root, const std::string& path) {
  RunResult r = git(root, {"show", "HEAD:" + path});
  if (!r.exited_ok()) return std::nullopt;
  return r.output;
}

namespace {

// Runs a copying shell pipeline; a whole tree may be large and slow to write.
bool run_copy(std::vector<std::string> argv, const std::string& what, std::string& error) {
  RunOptions o;
  o.argv = std::move(argv);
  o.limits.timeout = std::chrono::seconds(300);
  o.limits.max_file_bytes = size_t{1} << 40;
  RunResult r = run(o);
  if (!r.exited_ok()) {
    error = "could not copy " + what + ": " + (r.timed_out ? "it took more than 5 minutes" : r.output);
    return false;
  }
  return true;
}

}  // namespace

bool export_git_tree(const std::string& repo, const std::string& ref, const std::string& dest, std::string& error) {
  return run_copy({"/bin/sh", "-c", "mkdir -p \"$2\" && git -C \"$1\" archive --format=tar \"$3\" | tar -x -C \"$2\"",
                   "sh", repo, dest, ref},
                  "the tree at " + ref, error);
}

bool copy_source_tree(const std::string& source, const std::string& dest, std::string& error) {
  return run_copy({"/bin/sh", "-c",
                   "mkdir -p \"$2\" && tar -C \"$1\" --exclude=./.git --exclude='./bazel-*' --exclude=./.racelings "
                   "-cf - . | tar -x -C \"$2\"",
                   "sh", fs::absolute(source).string(), dest},
                  source, error);
}

State::State(std::string root) : root_(std::move(root)), data_(nlohmann::json::object()) {}

void State::load() {
  auto text = read_file(root_ + "/.racelings/state.json");
  if (!text) return;
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  // A damaged state file only costs the progress it held.
  if (parsed.is_object()) data_ = std::move(parsed);
}

bool State::save() const { return write_file_atomically(root_ + "/.racelings/state.json", data_.dump(2) + "\n"); }

int State::hints_shown(const std::string& exercise) const {
  if (!data_.contains(exercise)) return 0;
  return data_[exercise].value("hints_shown", 0);
}

void State::set_hints_shown(const std::string& exercise, int n) { data_[exercise]["hints_shown"] = n; }

void State::record_check(const std::string& exercise, bool passed, const std::string& hash) {
  auto& e = data_[exercise];
  e["passed"] = passed;
  e["hash"] = hash;
  e["checked_at"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool State::passed(const std::string& exercise, const std::string& hash) const {
  if (!data_.contains(exercise)) return false;
  const auto& e = data_[exercise];
  return e.value("passed", false) && e.value("hash", "") == hash;
}

void State::set_last_schedule(const std::string& exercise, const std::string& id) {
  data_[exercise]["last_schedule"] = id;
}

std::string State::last_schedule(const std::string& exercise) const {
  if (!data_.contains(exercise)) return {};
  const auto& e = data_[exercise];
  auto it = e.find("last_schedule");
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string content_hash(const std::string& contents) {
  // FNV-1a 64: enough to notice an edit; not a security measure.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : contents) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string file_version(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "";
  return path + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

std::string cache_home() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return xdg;
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return std::string(home) + "/.cache";
  // Under `bazel test` (no HOME): the test's own, not a /tmp/.cache that
  // every test run would share, whatever code it was built from.
  const char* test_tmp = std::getenv("TEST_TMPDIR");
  return std::string(test_tmp != nullptr && *test_tmp != '\0' ? test_tmp : "/tmp") + "/.cache";
}

namespace {

std::string hash_hex(size_t h) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016zx", h);
  return buf;
}

}  // namespace

std::string file_hash(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::string> hashes;  // Guarded by mu.
  std::string key = file_version(path);
  if (key.empty()) return "";
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = hashes.find(key); it != hashes.end()) return it->second;
  }
  std::optional<std::string> bytes = read_file(path);
  if (!bytes) return "";
  std::string h = hash_hex(std::hash<std::string_view>{}(*bytes)) + "-" + std::to_string(bytes->size());
  std::lock_guard<std::mutex> lock(mu);
  hashes[key] = h;
  return h;
}

int prune_least_recently_used(const std::string& dir, uintmax_t cap_bytes) {
  struct Entry {
    fs::file_time_type used;
    uintmax_t bytes;
    fs::path path;
  };
  std::vector<Entry> entries;
  uintmax_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code stat_ec;
    uintmax_t bytes = it->file_size(stat_ec);
    fs::file_time_type used = it->last_write_time(stat_ec);
    if (stat_ec || !it->is_regular_file(stat_ec)) continue;
    entries.push_back({used, bytes, it->path()});
    total += bytes;
  }
  if (total <= cap_bytes) return 0;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  int removed = 0;
  for (const Entry& e : entries) {
    if (total <= cap_bytes / 4 * 3) break;
    // Another checker may have removed it already; what counts is that it is gone.
    fs::remove(e.path, ec);
    total -= e.bytes;
    ++removed;
  }
  return removed;
}

}  // namespace racelings::checker
