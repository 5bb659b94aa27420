#include "primitives/schedule/explorer.h"

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "primitives/schedule/controller.h"
#include "primitives/schedule/explorer_internal.h"
#include "primitives/schedule/schedule_id.h"

extern "C" bool racelings_schedule_interposed() __attribute__((weak));

namespace racelings {
namespace schedule {

namespace {

void say(const std::string& line) {
  std::string text = "racelings: explore: " + line + "\n";
  std::fflush(stdout);
  (void)!::write(STDERR_FILENO, text.data(), text.size());
}

bool parse_u64(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  out = std::stoull(text);
  return true;
}

int threads_in_process() {
  int n = 0;
  if (DIR* dir = ::opendir("/proc/self/task")) {
    while (dirent* e = ::readdir(dir)) n += e->d_name[0] != '.' ? 1 : 0;
    ::closedir(dir);
  }
  return n;
}

}  // namespace

bool parse_explore_spec(const std::string& text, ExploreSpec& spec, std::string& error) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    uint64_t n = 0;
    if (key == "strategy") {
      if (value != "mix" && value != "pct" && value != "random" && value != "dfs" && value != "default") {
        error = "unknown strategy '" + value + "' (pct, random, dfs, mix or default)";
        return false;
      }
      spec.strategy = value;
    } else if (key == "budget") {
      if (!value.empty() && value.back() == 's' && parse_u64(value.substr(0, value.size() - 1), n) && n > 0) {
        spec.budget_seconds = static_cast<double>(n);
      } else if (parse_u64(value, n) && n > 0) {
        spec.budget = n;
        spec.budget_seconds = 0;
      } else {
        error = "budget must be a number of schedules (1000) or of seconds (10s), not '" + value + "'";
        return false;
      }
    } else if (key == "seed" && parse_u64(value, n)) {
      spec.seed = n;
    } else if (key == "depth" && parse_u64(value, n) && n >= 1 && n <= 10) {
      spec.depth = static_cast<int>(n);
    } else if (key == "bound" && parse_u64(value, n) && n <= 10) {
      spec.bound = static_cast<int>(n);
    } else if (key == "shrink" && (value == "0" || value == "1")) {
      spec.shrink = value == "1";
    } else if (key == "steps" && parse_u64(value, n) && n > 0) {
      spec.step_bound = n;
    } else {
      error = "cannot read '" + item + "' (expected strategy=, budget=, seed=, depth=, bound=, shrink= or steps=)";
      return false;
    }
  }
  return true;
}

namespace {

struct Found {
  uint64_t schedule = 0;  // Which schedule failed (0-based).
  std::string strategy;   // What made it.
  ChildOutcome outcome;
};

// What schedule `i` of the exploration is: the default first, then the
// strategy's (mix: PCT of depth 2, random, PCT of depth 3, in turn).
ChildRequest request_for(const ExploreSpec& spec, uint64_t i, uint64_t expected_steps, std::string& name) {
  ChildRequest r;
  r.expected_steps = std::max<uint64_t>(expected_steps, 1);
  r.seed = mix_seed(spec.seed, i);
  std::string kind = spec.strategy;
  int depth = spec.depth;
  if (kind == "mix") {
    static const char* const kCycle[] = {"pct2", "random", "pct3"};
    std::string pick = kCycle[(i + 2) % 3];
    kind = pick == "random" ? "random" : "pct";
    depth = pick == "pct2" ? 2 : 3;
  }
  if (i == 0 || kind == "default") {
    r.strategy = StrategyKind::kDefault;
    name = "default";
  } else if (kind == "random") {
    r.strategy = StrategyKind::kRandom;
    name = "random";
  } else {
    r.strategy = StrategyKind::kPct;
    r.depth = depth;
    name = "pct (depth " + std::to_string(depth) + ")";
  }
  return r;
}

// Delta debugging (Zeller's ddmin) over the deviations: drop as many as
// possible while the replay still fails the same way. Each accepted replay's
// own record replaces the list (a replay may need fewer).
std::vector<Deviation> shrink(ChildRunner& runner, const std::string& signature, std::vector<Deviation> current,
                              int& runs) {
  constexpr int kMaxShrinkRuns = 120;
  auto fails_alike = [&](const std::vector<Deviation>& candidate, std::vector<Deviation>& recorded) {
    ChildRequest r;
    r.strategy = StrategyKind::kReplay;
    r.forced = candidate;
    ++runs;
    ChildOutcome o = runner.run(r);
    if (!o.failed || o.signature != signature || o.deviations_overflow) return false;
    recorded = o.deviations;
    runner.keep_last_output();
    return true;
  };
  size_t chunks = 2;
  while (!current.empty() && runs < kMaxShrinkRuns) {
    size_t size = (current.size() + chunks - 1) / chunks;
    bool reduced = false;
    for (size_t start = 0; start < current.size() && runs < kMaxShrinkRuns; start += size) {
      std::vector<Deviation> candidate(current.begin(), current.begin() + static_cast<long>(start));
      candidate.insert(candidate.end(), current.begin() + static_cast<long>(std::min(start + size, current.size())),
                       current.end());
      std::vector<Deviation> recorded;
      if (fails_alike(candidate, recorded)) {
        current = recorded;
        chunks = std::max<size_t>(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (chunks >= current.size()) break;
    chunks = std::min(current.size(), chunks * 2);
  }
  return current;
}

// How many preemptions a schedule makes (one replay).
uint64_t count_preemptions(ChildRunner& runner, const std::vector<Deviation>& deviations, int& runs) {
  ChildRequest r;
  r.strategy = StrategyKind::kReplay;
  r.forced = deviations;
  ++runs;
  return runner.run(r).preemptions;
}

// ddmin keeps a schedule from which no forced choice can be dropped, but a
// schedule with fewer preemptions may fail the same way through other
// choices. A small depth-first search from the default schedule, with a
// lower preemption bound each time, looks for one (the search tries the
// latest choices first, so it covers short executions fully).
std::vector<Deviation> fewer_preemptions(ChildRunner& runner, const std::string& signature,
                                         std::vector<Deviation> current, uint64_t preemptions, int& runs) {
  constexpr int kRunsPerBound = 40;
  constexpr int kMaxRuns = 80;
  for (uint64_t bound = 0; bound < preemptions && bound < 2; ++bound) {
    DfsSearch dfs(static_cast<int>(bound));
    for (int i = 0; i < kRunsPerBound && runs < kMaxRuns + 120; ++i) {
      auto forced = dfs.next();
      if (!forced) break;
      ChildRequest r;
      r.strategy = StrategyKind::kReplay;
      r.forced = *forced;
      r.trace = true;
      ++runs;
      ChildOutcome o = runner.run(r);
      if (o.failed && o.signature == signature && !o.deviations_overflow) {
        runner.keep_last_output();
        return o.deviations;
      }
      if (o.failed) continue;  // Another failure: not the one to show.
      dfs.record(o.trace);
    }
  }
  return current;
}

std::string seconds_text(std::chrono::steady_clock::time_point since) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
  return buf;
}

// Runs schedules until one fails or the budget is spent.
std::optional<Found> search(const ExploreSpec& spec, ChildRunner& runner, uint64_t& schedules, uint64_t& max_steps,
                            std::chrono::steady_clock::time_point started) {
  auto budget_left = [&] {
    if (spec.budget_seconds > 0) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < spec.budget_seconds;
    }
    return schedules < spec.budget;
  };
  if (spec.strategy == "dfs") {
    DfsSearch dfs(spec.bound);
    while (budget_left()) {
      auto forced = dfs.next();
      if (!forced) {
        say("every schedule within " + std::to_string(spec.bound) + " preemption(s) was explored");
        break;
      }
      ChildRequest r;
      r.strategy = StrategyKind::kReplay;
      r.forced = *forced;
      r.trace = true;
      ChildOutcome o = runner.run(r);
      ++schedules;
      max_steps = std::max(max_steps, o.steps);
      if (o.failed) return Found{schedules - 1, "dfs (bound " + std::to_string(dfs.bound()) + ")", std::move(o)};
      dfs.record(o.trace);
    }
    return std::nullopt;
  }
  uint64_t expected_steps = 1;
  for (uint64_t i = 0; budget_left(); ++i) {
    std::string name;
    ChildRequest r = request_for(spec, i, expected_steps, name);
    ChildOutcome o = runner.run(r);
    ++schedules;
    max_steps = std::max(max_steps, o.steps);
    if (o.failed) return Found{i, name, std::move(o)};
    expected_steps = std::max(expected_steps, o.steps);
    if (spec.strategy == "default") break;
  }
  return std::nullopt;
}

int explore(const ExploreSpec& spec, const TestHooks& hooks) {
  auto started = std::chrono::steady_clock::now();
  if (int n = threads_in_process(); n > 1) {
    say("cannot explore: " + std::to_string(n - 1) +
        " thread(s) were started before main() (by a static initializer?); every schedule must start from a "
        "single thread");
    return 4;
  }
  std::string budget = spec.budget_seconds > 0 ? std::to_string(static_cast<int>(spec.budget_seconds)) + " s"
                                               : std::to_string(spec.budget) + " schedules";
  say("strategy " + spec.strategy + ", seed " + std::to_string(spec.seed) + ", budget " + budget);
  ChildRunner runner(hooks, spec.step_bound);
  uint64_t schedules = 0, max_steps = 0;
  std::optional<Found> found = search(spec, runner, schedules, max_steps, started);
  if (!found) {
    say("result=pass schedules=" + std::to_string(schedules) + " strategy=" + spec.strategy + " seed=" +
        std::to_string(spec.seed) + " max_steps=" + std::to_string(max_steps) + " seconds=" + seconds_text(started));
    if (hooks.print_completion) hooks.print_completion(0, runner.fewest_tests_ran());
    return 0;
  }
  std::string found_seconds = seconds_text(started);
  runner.keep_last_output();
  const ChildOutcome& first = found->outcome;
  say("schedule " + std::to_string(found->schedule + 1) + " (" + found->strategy + ") fails: " + first.signature +
      " after " + std::to_string(first.steps) + " steps; shrinking it");
  std::vector<Deviation> deviations = first.deviations;
  int shrink_runs = 0;
  // A hang is not shrunk: every replay of it would wait for the watchdog.
  bool hang = first.signature == "racelings: timeout" ||
              (WIFSIGNALED(first.wait_status) && WTERMSIG(first.wait_status) == SIGKILL);
  if (spec.shrink && !first.deviations_overflow && !hang) {
    deviations = shrink(runner, first.signature, deviations, shrink_runs);
    uint64_t preemptions = count_preemptions(runner, deviations, shrink_runs);
    if (preemptions > 0) {
      std::vector<Deviation> fewer = fewer_preemptions(runner, first.signature, deviations, preemptions, shrink_runs);
      if (fewer != deviations) deviations = shrink(runner, first.signature, fewer, shrink_runs);
    }
  }
  std::string id = encode_schedule(deviations);
  say("failing schedule " + id + " (replay it: RACELINGS_SCHEDULE=" + id + ")");
  // The schedule once more, shown, with its step log.
  ChildRequest shown;
  shown.strategy = StrategyKind::kReplay;
  shown.forced = deviations;
  shown.shown = true;
  const char* log = std::getenv("RACELINGS_STEP_LOG");
  shown.step_log = log != nullptr ? log : "";
  shown.schedule_id = id;
  ChildOutcome last = runner.run(shown);
  if (!last.failed) {
    say("the failing schedule passed when run again (the program does something the scheduler does not "
        "control); its first failing run printed:");
    runner.show_kept();
  }
  say("result=fail schedules=" + std::to_string(schedules) + " strategy=" + spec.strategy + " found_by=\"" +
      found->strategy + "\" seed=" + std::to_string(spec.seed) + " schedule=" + id +
      " preemptions=" + std::to_string(last.failed ? last.preemptions : first.preemptions) +
      " steps=" + std::to_string(last.failed ? last.steps : first.steps) +
      " shrink_runs=" + std::to_string(shrink_runs) + " found_seconds=" + found_seconds +
      " seconds=" + seconds_text(started) + " signature=\"" + first.signature + "\"");
  // End as the shown run ended, so that the exit code or signal is its own.
  int status = last.failed ? last.wait_status : first.wait_status;
  if (WIFSIGNALED(status)) {
    std::fflush(nullptr);
    ::signal(WTERMSIG(status), SIG_DFL);
    ::raise(WTERMSIG(status));
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  return code == 0 ? 1 : code;
}

int replay(const std::string& id, const TestHooks& hooks) {
  std::string error;
  auto deviations = decode_schedule(id, &error);
  if (!deviations) {
    std::fprintf(stderr, "racelings: replay: %s\n", error.c_str());
    return 2;
  }
  RunRecord* record = allocate_run_record(/*shared=*/false);
  record->strategy = StrategyKind::kReplay;
  record->forced_count = static_cast<uint32_t>(std::min<size_t>(deviations->size(), RunRecord::kMaxForced));
  std::copy(deviations->begin(), deviations->begin() + record->forced_count, record->forced);
  ControlOptions options;
  options.record = record;
  const char* log = std::getenv("RACELINGS_STEP_LOG");
  options.step_log_path = log != nullptr ? log : "";
  options.schedule_id = id;
  if (const char* steps = std::getenv("RACELINGS_STEP_BOUND"); steps != nullptr) {
    uint64_t n = 0;
    if (parse_u64(steps, n)) record->step_bound = n;
  }
  std::fprintf(stderr, "racelings: replay: schedule %s\n", id.c_str());
  start_controlled(options);
  int result = hooks.run_tests();
  end_controlled();
  if (record->divergences > 0) {
    std::fprintf(stderr,
                 "racelings: replay: %llu choice(s) of schedule %s did not fit this program: it was recorded on "
                 "another version of the code, so this run may differ from the one that failed\n",
                 static_cast<unsigned long long>(record->divergences), id.c_str());
  }
  return result;
}

}  // namespace

int run_tests(const TestHooks& hooks) {
  const char* schedule = std::getenv("RACELINGS_SCHEDULE");
  const char* explore_env = std::getenv("RACELINGS_EXPLORE");
  bool asked = (schedule != nullptr && *schedule != '\0') || (explore_env != nullptr && *explore_env != '\0');
  if (asked && racelings_schedule_interposed == nullptr) {
    std::fprintf(stderr,
                 "racelings: this program cannot run under the controlled scheduler: it was linked without "
                 "//primitives/schedule:interpose (link //primitives:test_main, or add it to the deps)\n");
    return 4;
  }
  if (schedule != nullptr && *schedule != '\0') return replay(schedule, hooks);
  if (explore_env == nullptr || *explore_env == '\0') return hooks.run_tests();
  ExploreSpec spec;
  std::string error;
  if (!parse_explore_spec(explore_env, spec, error)) {
    std::fprintf(stderr, "racelings: explore: RACELINGS_EXPLORE=%s: %s\n", explore_env, error.c_str());
    return 2;
  }
  return explore(spec, hooks);
}

}  // namespace schedule
}  // namespace racelings
