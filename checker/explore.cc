// The controlled scheduler from the checker's side: the exploration pass,
// and the `explore` and `replay` commands.

#include "checker/explore.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "checker/bazel.h"
#include "checker/commands.h"
#include "checker/replay_view.h"
#include "checker/report/explain.h"
#include "checker/report/report_parser.h"
#include "checker/report/step_log.h"
#include "checker/runner.h"

namespace racelings::checker {
namespace {

// The hard limit of an exploring run: the children have their own limits
// (the watchdog ends a hung test), so this only stops an exploration whose
// every schedule is slow.
int explore_timeout_s(const ExplorePlan& plan) {
  if (plan.budget_seconds > 0) return plan.budget_seconds + 120;
  return static_cast<int>(std::max<uint64_t>(300, plan.budget));
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f s", s);
  return buf;
}

}  // namespace

std::string spec_text(const ExplorePlan& plan) {
  std::string spec = "strategy=" + plan.strategy + ",seed=" + std::to_string(plan.seed);
  spec += plan.budget_seconds > 0 ? ",budget=" + std::to_string(plan.budget_seconds) + "s"
                                  : ",budget=" + std::to_string(plan.budget);
  if (!plan.shrink) spec += ",shrink=0";
  return spec;
}

TestRun explore_test_run(const std::string& binary, const ExplorePlan& plan) {
  TestRun run{binary, {{"RACELINGS_EXPLORE", spec_text(plan)}}};
  run.timeout_s = explore_timeout_s(plan);
  run.step_log = true;
  return run;
}

RunVerdict explore_run(const Exercise& exercise, const std::string& binary, const ExplorePlan& plan) {
  return run_test(exercise, explore_test_run(binary, plan));
}

TestRun replay_test_run(const Exercise& exercise, const std::string& binary, const std::string& id, bool step_log) {
  TestRun run{binary, {{"RACELINGS_SCHEDULE", id}}};
  run.step_log = step_log;
  // Under the controlled scheduler the watchdog allows 6 times the test's
  // limit (primitives/watchdog.cc), and writing the step log slows a long
  // run down further: the hard limit stays above both.
  run.timeout_s = std::max(60, 9 * exercise.timeout_s);
  return run;
}

RunVerdict replay_run(const Exercise& exercise, const std::string& binary, const std::string& id, bool step_log) {
  return run_test(exercise, replay_test_run(exercise, binary, id, step_log));
}

ReplayVerdict replay_verdict(const Exercise& exercise, const std::string& binary, const std::string& id) {
  ReplayVerdict r;
  r.logged = replay_run(exercise, binary, id);
  r.verdict = r.logged;
  if (r.logged.clean) {
    RunVerdict plain = replay_run(exercise, binary, id, /*step_log=*/false);
    if (!plain.clean) {
      r.verdict = std::move(plain);
      r.logged_hid = true;
    }
  }
  return r;
}

std::string explore_lines(const Exercise& exercise, const RunVerdict& verdict, const Ui& ui) {
  const ExploreSummary& e = verdict.explore;
  if (!e.present) return "  the exploration did not finish (see below)\n";
  if (!e.failed) {
    return "  explored " + std::to_string(e.schedules) + " schedules in " + seconds_text(e.seconds) + " (strategy " +
           e.strategy + "): " + ui.green("none fails") + "\n";
  }
  std::string out = "  schedule " + std::to_string(e.schedules) + " of the exploration fails (" + e.found_by +
                    "), after " + seconds_text(e.seconds) + "\n";
  out += "  its id: " + ui.bold(e.schedule) + " (" + std::to_string(e.preemptions) +
         (e.preemptions == 1 ? " preemption, " : " preemptions, ") + std::to_string(e.steps) + " steps)\n";
  out += "  replay it, the same way every time: " +
         ui.cyan("./racelings replay " + exercise.number + " " + e.schedule) + "\n";
  return out;
}

// ---- Commands ---------------------------------------------------------------------------

std::string build_exercise(Context& ctx, const Exercise& ex, int& exit_code) {
  BazelOptions bazel;
  bazel.workspace = ctx.root;
  BuildOutcome built = build({ex.exercise_target()}, bazel);
  if (built.ok) return output_path(built, ctx.root, ex.exercise_target());
  if (built.errors.empty()) {
    std::cerr << "racelings: " << built.failure << "\n" << built.output << "\n";
    exit_code = kExitInternal;
    return {};
  }
  std::cout << ctx.ui.red("✗ " + ex.name + " does not compile") << "\n\n";
  for (const auto& e : built.errors) std::cout << report::render(e, report::Style{ctx.ui.colour()}) << "\n";
  std::cout << quote_sources(built.errors, ctx.root, ctx.ui) << "\n";
  exit_code = kExitNotPassing;
  return {};
}

void print_findings(Context& ctx, const std::vector<report::Finding>& findings) {
  report::Style style;
  style.colour = ctx.ui.colour();
  for (const auto& f : findings) std::cout << report::render(f, style) << "\n";
  std::string quoted = quote_sources(findings, ctx.root, ctx.ui);
  if (!quoted.empty()) std::cout << ctx.ui.bold("Your code") << "\n" << quoted << "\n";
}

int cmd_explore(Context& ctx, const std::string& query, const ExplorePlan& plan, const std::string& prebuilt) {
  const Exercise* ex = query.empty() ? next_exercise(ctx) : ctx.catalog.find(query);
  if (ex == nullptr) {
    if (!query.empty()) std::cerr << "racelings: " << ctx.catalog.unknown_message(query) << "\n";
    return query.empty() ? kExitOk : kExitUsage;
  }
  std::cout << ctx.ui.bold("Exploring " + ex->name) << " under the controlled scheduler (" << spec_text(plan) << ")\n";
  int code = kExitOk;
  std::string binary = prebuilt.empty() ? build_exercise(ctx, *ex, code)
                                        : prebuilt + "/exercises/" + ex->name + "/test";
  if (binary.empty()) return code;
  RunVerdict v = explore_run(*ex, binary, plan);
  std::cout << explore_lines(*ex, v, ctx.ui) << "\n";
  if (v.clean) {
    std::cout << ctx.ui.green("✓ no explored schedule of " + ex->name + " fails") << "\n";
    return kExitOk;
  }
  if (v.explore.failed && !v.explore.schedule.empty()) {
    ctx.state.set_last_schedule(ex->name, v.explore.schedule);
    ctx.state.save();
  }
  print_findings(ctx, report::merge_findings(v.findings));
  std::cout << failing_schedule_text(ctx, *ex, v);
  return kExitNotPassing;
}

std::string failing_schedule_text(Context& ctx, const Exercise& ex, const RunVerdict& v) {
  std::string text = timeline_text(v, ex, ctx.root, ctx.ui.colour());
  if (text.empty()) return {};
  std::string out = ctx.ui.bold("The failing schedule, step by step") + "\n" + text + "\n";
  out += "Step through it: " + ctx.ui.cyan("./racelings replay " + ex.number + " --step") + "\n";
  std::string page = replay_page_path(ctx.root, ex);
  if (write_replay_page(v, ex, ctx.root, page)) out += "The same as a page: file://" + page + "\n";
  return out;
}

}  // namespace racelings::checker
