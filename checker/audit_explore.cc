#include "checker/audit_explore.h"

#include <algorithm>
#include <cstdio>

#include "checker/judge.h"
#include "checker/replay_view.h"
#include "checker/runner.h"

namespace racelings::checker {

std::vector<ProgramExploration> explore_programs(const std::vector<ProgramToExplore>& programs, const ExplorePlan& plan,
                                                 int jobs) {
  std::vector<std::pair<const Exercise*, TestRun>> runs;
  for (const auto& p : programs) runs.push_back({p.exercise, explore_test_run(p.binary, plan)});
  auto verdicts = run_many(runs, 1, jobs);
  std::vector<ProgramExploration> out(programs.size());
  // Every failing schedule is replayed once, by its id alone.
  std::vector<std::pair<const Exercise*, TestRun>> replays;
  std::vector<size_t> replayed_program;
  for (size_t i = 0; i < programs.size(); ++i) {
    const RunVerdict& v = verdicts[i][0];
    ProgramExploration& e = out[i];
    e.ran = true;
    e.failed = !v.clean;
    e.schedules = v.explore.schedules;
    e.on_record = v.explore.on_record;
    e.seconds = !v.explore.present ? static_cast<double>(v.run.elapsed.count()) / 1000.0
                : v.explore.failed ? v.explore.found_seconds
                                   : v.explore.seconds;
    e.schedule = v.explore.schedule;
    e.found_by = v.explore.found_by;
    e.findings = v.findings;
    if (e.failed && !e.schedule.empty()) {
      replays.push_back({programs[i].exercise, replay_test_run(*programs[i].exercise, programs[i].binary, e.schedule)});
      replayed_program.push_back(i);
    }
  }
  auto replayed = run_many(replays, 1, jobs);
  // A logged replay that passed is run again without the log, as
  // `racelings replay` does (replay_verdict()).
  std::vector<std::pair<const Exercise*, TestRun>> plain;
  std::vector<size_t> plain_of;
  for (size_t r = 0; r < replays.size(); ++r) {
    ProgramExploration& e = out[replayed_program[r]];
    const RunVerdict& v = replayed[r][0];
    for (report::Kind k : kinds(e.findings)) e.replayed = e.replayed || (!v.clean && has_kind(v.findings, k));
    // And `racelings replay` can show it: the timeline marks where it went wrong.
    e.shown = !v.clean && shows_failure(v, *programs[replayed_program[r]].exercise);
    if (v.clean) {
      const ProgramToExplore& p = programs[replayed_program[r]];
      plain.push_back({p.exercise, replay_test_run(*p.exercise, p.binary, e.schedule, /*step_log=*/false)});
      plain_of.push_back(replayed_program[r]);
    }
  }
  auto plain_verdicts = run_many(plain, 1, jobs);
  for (size_t r = 0; r < plain.size(); ++r) {
    ProgramExploration& e = out[plain_of[r]];
    const RunVerdict& v = plain_verdicts[r][0];
    for (report::Kind k : kinds(e.findings)) e.replayed = e.replayed || (!v.clean && has_kind(v.findings, k));
    e.logged_hid = e.replayed;
  }
  return out;
}

nlohmann::json exploration_json(const ProgramExploration& e) {
  if (!e.ran) return nullptr;
  nlohmann::json kinds_list = nlohmann::json::array();
  for (report::Kind k : kinds(e.findings)) kinds_list.push_back(std::string(report::kind_name(k)));
  return {{"failed", e.failed},       {"schedules", e.schedules}, {"seconds", e.seconds}, {"schedule", e.schedule},
          {"found_by", e.found_by},   {"replayed", e.replayed},   {"shown", e.shown},     {"logged_hid", e.logged_hid},
          {"on_record", e.on_record}, {"kinds", kinds_list}};
}

std::string exploration_cell(const ProgramExploration& e) {
  if (!e.ran) return "-";
  char buf[64];
  if (e.failed) {
    std::snprintf(buf, sizeof(buf), "fails at %llu (%.1f s)%s", static_cast<unsigned long long>(e.schedules), e.seconds,
                  !e.replayed    ? " no replay"
                  : e.logged_hid ? " log hid it"
                  : !e.shown     ? " not shown"
                                 : "");
  } else {
    std::snprintf(buf, sizeof(buf), "%llu pass", static_cast<unsigned long long>(e.schedules));
  }
  return buf;
}

bool exploration_rejects(const ProgramExploration& e, const ExplorePlan& plan) {
  // A failure that only the unlogged replay shows still replays exactly; the
  // audit names it (" log hid it") without failing on it.
  return e.ran && e.failed && e.replayed && (e.shown || e.logged_hid) && e.schedules <= plan.budget;
}

bool exploration_survives(const ProgramExploration& e, const ExplorePlan& plan) {
  return e.ran && !e.failed && e.schedules >= plan.budget;
}

}  // namespace racelings::checker
