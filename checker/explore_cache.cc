#include "checker/explore_cache.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/report/utf8.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

std::atomic<bool> record_off{false};

// A failure with more output than this is explored again rather than kept.
constexpr size_t kMaxRecordBytes = 4 << 20;

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

// Whether `test` is deterministic: an exploration with a budget of schedules
// (not of seconds), or the replay of one schedule.
bool deterministic(const TestRun& test) {
  if (test.env.count("RACELINGS_SCHEDULE") != 0) return true;
  auto it = test.env.find("RACELINGS_EXPLORE");
  if (it == test.env.end()) return false;
  const std::string& spec = it->second;
  size_t budget = spec.find("budget=");
  if (budget != std::string::npos) {
    size_t end = spec.find(',', budget);
    std::string value = spec.substr(budget + 7, end == std::string::npos ? std::string::npos : end - budget - 7);
    if (!value.empty() && value.back() == 's') return false;
  }
  return true;
}

// The record's file for `test`, or "" when it has none.
std::string record_path(const Exercise& exercise, const TestRun& test) {
  if (!record_enabled() || !deterministic(test)) return "";
  static const std::string checker = file_hash("/proc/self/exe");
  std::string program = file_hash(test.binary);
  if (checker.empty() || program.empty()) return "";
  // Everything the verdict depends on besides the program: its environment
  // (the target's own, then the run's) and the exercise's limits.
  std::string key = checker + "|" + program + "|" + exercise.name + "|" + std::to_string(exercise.timeout_s) + "|" +
                    std::to_string(test.timeout_s) + "|" + (test.step_log ? "log" : "");
  for (const auto& [k, v] : read_env_file(test.binary + ".env")) key += "|" + k + "=" + v;
  key += "||";
  for (const auto& [k, v] : test.env) key += "|" + k + "=" + v;
  return explore_record_dir() + "/" + hex(std::hash<std::string>{}(key)) + ".json";
}

// The pass kept in `doc`; nullopt when it is damaged or does not say pass.
std::optional<RunVerdict> pass_from(const nlohmann::json& doc) {
  RunVerdict verdict;
  if (!doc["summary"].is_string()) return std::nullopt;
  verdict.run.started = true;
  verdict.run.exit_code = 0;
  verdict.run.output = doc["summary"].get<std::string>() + "\n";
  verdict.explore = parse_explore_summary(verdict.run.output);
  if (!verdict.explore.present || verdict.explore.failed) return std::nullopt;
  verdict.clean = true;
  return verdict;
}

nlohmann::json failure_json(const RunVerdict& verdict) {
  const RunResult& run = verdict.run;
  // JSON holds text: a program may print any bytes (judging again sees the
  // repaired text, and a failure is kept only if it is judged the same).
  nlohmann::json f = {{"exit_code", run.exit_code},
                      {"signal", run.signal},
                      {"output", report::valid_utf8(run.output)},
                      {"dropped_bytes", run.dropped_bytes},
                      {"elapsed_ms", run.elapsed.count()},
                      {"network_isolated", run.network_isolated},
                      {"step_log", report::valid_utf8(verdict.step_log)}};
  if (verdict.completion) {
    const CompletionRecord& c = *verdict.completion;
    f["completion"] = {c.result, c.ran, c.total, c.failed};
  }
  return f;
}

// The failure kept in `f`, judged again; nullopt when `f` is damaged.
std::optional<RunVerdict> failure_from(const nlohmann::json& f) {
  if (!f.is_object() || !f.contains("output") || !f["output"].is_string()) return std::nullopt;
  try {
    RunResult run;
    run.started = true;
    run.exit_code = f.at("exit_code").get<int>();
    run.signal = f.at("signal").get<int>();
    run.output = f.at("output").get<std::string>();
    run.dropped_bytes = f.at("dropped_bytes").get<size_t>();
    run.elapsed = std::chrono::milliseconds(f.at("elapsed_ms").get<int64_t>());
    run.network_isolated = f.at("network_isolated").get<bool>();
    std::optional<CompletionRecord> completion;
    if (f.contains("completion")) {
      const auto& c = f.at("completion");
      completion = CompletionRecord{c.at(0).get<int>(), c.at(1).get<int>(), c.at(2).get<int>(), c.at(3).get<int>()};
    }
    RunVerdict verdict = judge(std::move(run), completion);
    verdict.step_log = f.at("step_log").get<std::string>();
    if (verdict.clean) return std::nullopt;  // not the failure it was
    return verdict;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// What is kept of a failure: only when it belongs to the schedule, not to the machine
// (a limit, a timeout, the tools), and judging what is kept gives it again.
std::optional<nlohmann::json> failure_to_keep(const RunVerdict& verdict) {
  const RunResult& run = verdict.run;
  if (!run.started || run.timed_out || run.out_of_memory || !verdict.warnings.empty()) return std::nullopt;
  if (has_kind(verdict.findings, report::Kind::kTimeout)) return std::nullopt;
  if (verdict.run.output.size() + verdict.step_log.size() > kMaxRecordBytes) return std::nullopt;
  nlohmann::json kept = failure_json(verdict);
  std::optional<RunVerdict> again = failure_from(kept);
  if (!again || kinds(again->findings) != kinds(verdict.findings) || again->explore.failed != verdict.explore.failed ||
      again->explore.schedule != verdict.explore.schedule) {
    return std::nullopt;
  }
  return kept;
}

}  // namespace

std::string explore_record_dir() { return cache_home() + "/racelings/explored"; }

void disable_explore_record() { record_off.store(true, std::memory_order_relaxed); }

std::optional<RunVerdict> run_on_record(const Exercise& exercise, const TestRun& test) {
  std::string path = record_path(exercise, test);
  if (path.empty()) return std::nullopt;
  std::optional<std::string> text = read_file(path);
  if (!text) return std::nullopt;
  // Used again: the last to go when the record is pruned.
  std::error_code ec;
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now(), ec);
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  std::optional<RunVerdict> verdict;
  if (doc.is_object() && doc.contains("summary")) verdict = pass_from(doc);
  if (doc.is_object() && doc.contains("failure")) verdict = failure_from(doc["failure"]);
  if (verdict) verdict->explore.on_record = true;
  return verdict;
}

void record_run(const Exercise& exercise, const TestRun& test, const RunVerdict& verdict) {
  if (verdict.explore.on_record) return;
  std::string path = record_path(exercise, test);
  if (path.empty()) return;
  nlohmann::json doc = {{"exercise", exercise.name}, {"program", test.binary}};
  if (verdict.clean && verdict.explore.present && !verdict.explore.failed) {
    // The program's own summary line, as it printed it.
    const std::string& out = verdict.run.output;
    size_t at = out.rfind("racelings: explore: result=");
    if (at == std::string::npos) return;
    doc["summary"] = out.substr(at, out.find('\n', at) - at);
  } else if (std::optional<nlohmann::json> kept = verdict.clean ? std::nullopt : failure_to_keep(verdict)) {
    doc["failure"] = *std::move(kept);
  } else {
    return;
  }
  std::string text;
  try {
    text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } catch (const nlohmann::json::exception&) {
    return;  // A record is an optimisation: never a reason to fail.
  }
  std::error_code ec;
  std::filesystem::create_directories(explore_record_dir(), ec);
  (void)write_file_atomically(path, text);
  static std::once_flag pruned;
  std::call_once(pruned, [] { prune_explore_record(kExploreRecordCapBytes); });
}

int prune_explore_record(uintmax_t cap_bytes) { return prune_least_recently_used(explore_record_dir(), cap_bytes); }

}  // namespace racelings::checker
