// racelings: the command-line tool for students and instructors.
//
//   racelings                 progress, and the next exercise to fix
//   racelings list            every exercise and whether it passes
//   racelings check [N]       build exercise N under its sanitizer, run it, explain
//   racelings watch           check again on every save, moving on when it passes
//   racelings explore [N]     run exercise N under the controlled scheduler, schedule after schedule
//   racelings replay N [ID]   exercise N under one schedule, step by step (--step, --html FILE)
//   racelings hint N          one more hint each time
//   racelings reset N         restore exercise N as it was (asks first)
//   racelings explain         explain a sanitizer log read from standard input
//   racelings audit           instructors: every broken exercise detected, every solution clean
//   racelings grade DIR       instructors: grade a class's submissions (Gradescope JSON, CSV, HTML)
//   racelings lsp             write compile_commands.json for clangd (editors)
//
// Exit codes: see commands.h (0 ok, 1 not passing, 2 usage, 4 internal).

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "checker/catalog.h"
#include "checker/commands.h"
#include "checker/explore.h"
#include "checker/grade.h"
#include "checker/lsp/lsp.h"
#include "checker/replay_view.h"
#include "checker/workspace.h"

using namespace racelings::checker;

int main(int argc, char** argv) {
  CLI::App app{"racelings: fix small broken concurrent programs; sanitizers and a deadlock detector prove it."};
  app.require_subcommand(0, 1);
  // Options of the tool itself (--no-color, --root) are accepted after the
  // subcommand too: `racelings check 1 --no-color`.
  app.fallthrough();
  app.footer(
      "Exit codes: 0 ok, 1 the exercise (or audit) does not pass, 2 bad command line, 4 racelings itself failed.\n"
      "Colours only on a terminal; set NO_COLOR to turn them off.");
  std::string root_hint;
  bool no_colour = false;
  app.add_option("--root", root_hint, "the racelings tree (default: found from the current directory)");
  app.add_flag("--no-color", no_colour, "no colours, even on a terminal");

  auto* list = app.add_subcommand("list", "every exercise, in order, and whether it passes");
  auto* check = app.add_subcommand("check", "build an exercise under its sanitizer, run it and explain what happened");
  std::string check_query;
  int check_runs = 1;
  bool check_dev = false;
  check->add_option("exercise", check_query, "number or name (default: the next one not passing)");
  check->add_option("--runs", check_runs, "how many times to run it (a pass needs every run clean)")
      ->check(CLI::Range(1, 1000));
  check->add_flag("--dev", check_dev,
                  "for authors: check that the pristine exercise shows its finding and its solution is clean");
  uint64_t check_explore = kCheckExploreBudget;
  check->add_option("--explore", check_explore,
                    "schedules tried under the controlled scheduler after clean runs (0: none; default " +
                        std::to_string(kCheckExploreBudget) + ")")
      ->check(CLI::Range(uint64_t{0}, uint64_t{100000}));
  auto* explore = app.add_subcommand(
      "explore", "run an exercise's tests under the controlled scheduler, one interleaving after another");
  std::string explore_query;
  ExplorePlan explore_plan;
  explore_plan.budget = kAuditExploreBudget;
  std::string explore_budget;
  explore->add_option("exercise", explore_query, "number or name (default: the next one not passing)");
  explore->add_option("--strategy", explore_plan.strategy, "pct, random, dfs or mix (default mix)")
      ->check(CLI::IsMember({"pct", "random", "dfs", "mix"}));
  explore->add_option("--budget", explore_budget,
                      "how many schedules (1000), or for how long (10s); default " +
                          std::to_string(kAuditExploreBudget) + " schedules");
  explore->add_option("--seed", explore_plan.seed, "the exploration's seed (the same seed, the same schedules)");
  std::string explore_prebuilt;
  explore->add_option("--prebuilt", explore_prebuilt,
                      "run <dir>/exercises/NN_topic/test instead of building (used by tests)");
  auto* replay = app.add_subcommand(
      "replay", "run an exercise's tests under one schedule (an id from check or explore), the same way every time");
  std::string replay_query;
  ReplayOptions replay_options;
  replay->add_option("exercise", replay_query, "number or name")->required();
  replay->add_option("schedule", replay_options.id, "the schedule's id (default: the last one that failed)");
  replay->add_flag("--step", replay_options.step,
                   "step through it in the terminal: n next, p previous, f failure, s next switch, q quit");
  replay->add_option("--html", replay_options.html, "also write the timeline as a self-contained page to this file");
  replay->add_option("--log", replay_options.log,
                     "show this step log (RACELINGS_STEP_LOG) instead of running the program")
      ->check(CLI::ExistingFile);
  replay->add_option("--width", replay_options.width, "the text's width (default: the terminal's)")
      ->check(CLI::Range(40, 1000));
  replay->add_option("--prebuilt", replay_options.prebuilt,
                     "run <dir>/exercises/NN_topic/test instead of building (used by tests)");
  auto* hint = app.add_subcommand("hint", "show one more hint for an exercise each time");
  std::string hint_query;
  hint->add_option("exercise", hint_query, "number or name (default: the next one not passing)");
  auto* watch = app.add_subcommand("watch", "check the current exercise again every time you save it");
  auto* reset = app.add_subcommand("reset", "restore an exercise as it was at the start (asks first)");
  std::string reset_query;
  bool reset_yes = false;
  reset->add_option("exercise", reset_query, "number or name")->required();
  reset->add_flag("-y,--yes", reset_yes, "do not ask");
  auto* explain = app.add_subcommand("explain", "explain a sanitizer or compiler log read from standard input");
  bool explain_json = false;
  explain->add_flag("--json", explain_json, "print the findings as JSON");
  auto* audit = app.add_subcommand(
      "audit", "instructors: every pristine broken exercise must show its finding and every solution be clean");
  AuditOptions audit_options;
  audit->add_option("--runs", audit_options.runs, "runs of each program (default 5)")->check(CLI::Range(1, 1000));
  audit->add_option("--jobs", audit_options.jobs, "programs run at once (default: one per core)")
      ->check(CLI::Range(0, 256));
  audit->add_option("--json", audit_options.json_path, "also write the results as JSON to this file");
  audit->add_option("--html", audit_options.html_path, "also write the results as a self-contained HTML page");
  audit->add_option("--only", audit_options.only, "audit only these exercises (numbers or names: --only 01,07 or --only 01 07)")
      ->delimiter(',');
  audit->add_option("--prebuilt", audit_options.prebuilt,
                    "run programs already built under this directory instead of building (used by tests)");
  audit->add_flag("--in-place", audit_options.in_place, "audit the tree as it is, even where exercises were edited");
  audit->add_option("--explore", audit_options.explore,
                    "schedules each program is explored under the controlled scheduler (0: none; default 1000)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{100000}));
  audit->add_flag("--no-cache", audit_options.no_cache,
                  "explore every program again, even those whose passing exploration is on record");

  auto* grade = app.add_subcommand(
      "grade", "instructors: grade a folder of submissions into Gradescope results, a class CSV and an HTML report");
  GradeOptions grade_options;
  grade->add_option("submissions", grade_options.submissions,
                    "folder with one folder, .zip, .tar or .tar.gz per student")
      ->required();
  grade->add_option("--out", grade_options.out, "where the results go")->required();
  grade->add_option("--runs", grade_options.runs, "runs of each exercise (default 3)")->check(CLI::Range(1, 100));
  grade->add_option("--explore", grade_options.explore,
                    "schedules explored after clean runs, the same for every student (0: none; default 100)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{100000}));
  grade->add_option("--jobs", grade_options.jobs, "test programs run at once (default: one per core)")
      ->check(CLI::Range(0, 256));
  grade->add_option("--pristine", grade_options.pristine_ref, "the tree as handed out: a git ref (default HEAD) or a directory");
  grade->add_option("--student", grade_options.only_student, "grade only this student");

  auto* lsp = app.add_subcommand(
      "lsp", "write compile_commands.json, so that clangd in your editor compiles each file as racelings does");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  Ui ui = Ui::for_stdout(no_colour);
  if (*explain) return cmd_explain(ui, explain_json);

  Context ctx{"", Catalog(), ui, State("")};
  try {
    ctx.root = find_root(audit_options.prebuilt.empty() ? root_hint : audit_options.prebuilt);
    ctx.catalog = Catalog::load(ctx.root + "/exercises/catalog.json");
  } catch (const CatalogError& e) {
    std::cerr << "racelings: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "racelings: " << e.what() << "\n";
    return kExitUsage;
  }
  // For checker/readme_commands_test.sh: every command line the README shows
  // must parse and name exercises that exist; stop before anything is built.
  if (const char* parse_only = std::getenv("RACELINGS_PARSE_ONLY"); parse_only != nullptr && *parse_only == '1') {
    std::vector<std::string> queries = audit_options.only;
    for (const std::string* q : {&check_query, &hint_query, &reset_query}) {
      if (!q->empty()) queries.push_back(*q);
    }
    for (const auto& q : queries) {
      if (ctx.catalog.find(q) == nullptr) {
        std::cerr << "racelings: " << ctx.catalog.unknown_message(q) << "\n";
        return kExitUsage;
      }
    }
    return kExitOk;
  }
  ctx.state = State(ctx.root);
  ctx.state.load();

  if (*list) return cmd_list(ctx);
  if (*lsp) return cmd_lsp(ctx.root, ui);
  if (*check) {
    if (check_dev) {
      AuditOptions dev;
      dev.runs = check_runs;
      dev.explore = check_explore;
      if (!check_query.empty()) dev.only = {check_query};
      return cmd_audit(ctx, dev);
    }
    return cmd_check(ctx, check_query, check_runs, check_explore);
  }
  if (*explore) {
    if (!explore_budget.empty()) {
      std::string digits = explore_budget.back() == 's' ? explore_budget.substr(0, explore_budget.size() - 1)
                                                        : explore_budget;
      if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(digits) == 0) {
        std::cerr << "racelings: --budget is a number of schedules (1000) or of seconds (10s), not '"
                  << explore_budget << "'\n";
        return kExitUsage;
      }
      if (explore_budget.back() == 's') {
        explore_plan.budget_seconds = static_cast<int>(std::stoul(digits));
      } else {
        explore_plan.budget = std::stoul(digits);
      }
    }
    return cmd_explore(ctx, explore_query, explore_plan, explore_prebuilt);
  }
  if (*replay) return cmd_replay(ctx, replay_query, replay_options);
  if (*hint) return cmd_hint(ctx, hint_query);
  if (*watch) return cmd_watch(ctx);
  if (*reset) return cmd_reset(ctx, reset_query, reset_yes);
  if (*audit) return cmd_audit(ctx, audit_options);
  if (*grade) return cmd_grade(ctx, grade_options);
  return cmd_status(ctx);
}
