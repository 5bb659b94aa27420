#include "checker/explore_cache.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>

#include <nlohmann/json.hpp>

#include "checker/workspace.h"

namespace racelings::checker {
namespace {

std::atomic<bool> record_off{false};

bool record_enabled() {
  if (record_off.load(std::memory_order_relaxed)) return false;
  const char* env = std::getenv("RACELINGS_EXPLORE_CACHE");
  return env == nullptr || std::string_view(env) != "0";
}

std::string hex(size_t h) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016zx", h);
  return buf;
}

// A file's bytes, hashed once per checker process (per path, size and mtime).
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
  std::string h = hex(std::hash<std::string_view>{}(*bytes)) + "-" + std::to_string(bytes->size());
  std::lock_guard<std::mutex> lock(mu);
  hashes[key] = h;
  return h;
}

// The spec of a deterministic exploration, or "" (none, or a time budget).
std::string deterministic_spec(const TestRun& test) {
  auto it = test.env.find("RACELINGS_EXPLORE");
  if (it == test.env.end()) return "";
  const std::string& spec = it->second;
  size_t budget = spec.find("budget=");
  if (budget != std::string::npos) {
    size_t end = spec.find(',', budget);
    std::string value = spec.substr(budget + 7, end == std::string::npos ? std::string::npos : end - budget - 7);
    if (!value.empty() && value.back() == 's') return "";
  }
  return spec;
}

// The record's file for `test`, or "" when it has none.
std::string record_path(const Exercise& exercise, const TestRun& test) {
  if (!record_enabled()) return "";
  std::string spec = deterministic_spec(test);
  if (spec.empty()) return "";
  static const std::string checker = file_hash("/proc/self/exe");
  std::string program = file_hash(test.binary);
  if (checker.empty() || program.empty()) return "";
  // Everything the verdict depends on besides the program: its environment
  // (the target's own, then the run's) and the exercise's limits.
  std::string key = checker + "|" + program + "|" + exercise.name + "|" + std::to_string(exercise.timeout_s);
  for (const auto& [k, v] : read_env_file(test.binary + ".env")) key += "|" + k + "=" + v;
  key += "||";
  for (const auto& [k, v] : test.env) key += "|" + k + "=" + v;
  return explore_record_dir() + "/" + hex(std::hash<std::string>{}(key)) + ".json";
}

}  // namespace

std::string explore_record_dir() { return cache_home() + "/racelings/explored"; }

void disable_explore_record() { record_off.store(true, std::memory_order_relaxed); }

std::optional<RunVerdict> explored_pass_on_record(const Exercise& exercise, const TestRun& test) {
  std::string path = record_path(exercise, test);
  if (path.empty()) return std::nullopt;
  std::optional<std::string> text = read_file(path);
  if (!text) return std::nullopt;
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("summary") || !doc["summary"].is_string()) return std::nullopt;
  RunVerdict verdict;
  verdict.run.started = true;
  verdict.run.exit_code = 0;
  verdict.run.output = doc["summary"].get<std::string>() + "\n";
  verdict.explore = parse_explore_summary(verdict.run.output);
  if (!verdict.explore.present || verdict.explore.failed) return std::nullopt;
  verdict.explore.on_record = true;
  verdict.clean = true;
  return verdict;
}

void record_explored_pass(const Exercise& exercise, const TestRun& test, const RunVerdict& verdict) {
  if (!verdict.clean || !verdict.explore.present || verdict.explore.failed || verdict.explore.on_record) return;
  std::string path = record_path(exercise, test);
  if (path.empty()) return;
  // The program's own summary line, as it printed it.
  std::string summary;
  const std::string& out = verdict.run.output;
  size_t at = out.rfind("racelings: explore: result=");
  if (at == std::string::npos) return;
  summary = out.substr(at, out.find('\n', at) - at);
  std::error_code ec;
  std::filesystem::create_directories(explore_record_dir(), ec);
  nlohmann::json doc = {{"summary", summary}, {"exercise", exercise.name}, {"program", test.binary}};
  (void)write_file_atomically(path, doc.dump() + "\n");
}

}  // namespace racelings::checker
