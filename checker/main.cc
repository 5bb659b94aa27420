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

#include <cstdint>
#include <cstdlib>
#include <filesystem>
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
#include "checker/runner.h"
#include "checker/symbols/symbol_record.h"
#include "checker/workspace.h"

using namespace racelings::checker;

namespace {

// Every option and subcommand of the command line, filled in by CLI11.
struct CommandLine {
  std::string root_hint;
  bool no_colour = false;
  CLI::App* list = nullptr;
  CLI::App* check = nullptr;
  std::string check_query;
  int check_runs = 1;
  bool check_dev = false;
  uint64_t check_explore = kCheckExploreBudget;
  CLI::App* explore = nullptr;
  std::string explore_query;
  ExplorePlan explore_plan;
  std::string explore_budget;
  std::string explore_prebuilt;
  CLI::App* replay = nullptr;
  std::string replay_query;
  ReplayOptions replay_options;
  CLI::App* hint = nullptr;
  std::string hint_query;
  CLI::App* watch = nullptr;
  CLI::App* reset = nullptr;
  std::string reset_query;
  bool reset_yes = false;
  CLI::App* explain = nullptr;
  bool explain_json = false;
  CLI::App* audit = nullptr;
  AuditOptions audit_options;
  CLI::App* grade = nullptr;
  GradeOptions grade_options;
  CLI::App* lsp = nullptr;
};

// The options several commands share, each written once.
void add_explore_option(CLI::App* command, uint64_t& budget, const std::string& help) {
  command->add_option("--explore", budget, help)->check(CLI::Range(uint64_t{0}, uint64_t{100000}));
}

void add_jobs_option(CLI::App* command, int& jobs, const std::string& what) {
  command->add_option("--jobs", jobs, what + " at once (default: two per core for ordinary runs, one for explorations)")
      ->check(CLI::Range(0, 256));
}

void add_prebuilt_option(
    CLI::App* command, std::string& dir,
    const std::string& help = "run <dir>/exercises/NN_topic/test instead of building (used by tests)") {
  command->add_option("--prebuilt", dir, help);
}

void add_check(CLI::App& app, CommandLine& cl) {
  cl.check = app.add_subcommand("check", "build an exercise under its sanitizer, run it and explain what happened");
  cl.check->add_option("exercise", cl.check_query, "number or name (default: the next one not passing)");
  cl.check->add_option("--runs", cl.check_runs, "how many times to run it (a pass needs every run clean)")
      ->check(CLI::Range(1, 1000));
  cl.check->add_flag("--dev", cl.check_dev,
                     "for authors: check that the pristine exercise shows its finding and its solution is clean");
  add_explore_option(cl.check, cl.check_explore,
                     "schedules tried under the controlled scheduler after clean runs (0: none; default " +
                         std::to_string(kCheckExploreBudget) + ")");
}

void add_explore(CLI::App& app, CommandLine& cl) {
  cl.explore = app.add_subcommand(
      "explore", "run an exercise's tests under the controlled scheduler, one interleaving after another");
  cl.explore_plan.budget = kAuditExploreBudget;
  cl.explore->add_option("exercise", cl.explore_query, "number or name (default: the next one not passing)");
  cl.explore->add_option("--strategy", cl.explore_plan.strategy, "pct, random, dfs or mix (default mix)")
      ->check(CLI::IsMember({"pct", "random", "dfs", "mix"}));
  cl.explore->add_option("--budget", cl.explore_budget,
                         "how many schedules (1000), or for how long (10s); default " +
                             std::to_string(kAuditExploreBudget) + " schedules");
  cl.explore->add_option("--seed", cl.explore_plan.seed, "the exploration's seed (the same seed, the same schedules)");
  add_prebuilt_option(cl.explore, cl.explore_prebuilt);
}

void add_replay(CLI::App& app, CommandLine& cl) {
  cl.replay = app.add_subcommand(
      "replay", "run an exercise's tests under one schedule (an id from check or explore), the same way every time");
  ReplayOptions& options = cl.replay_options;
  cl.replay->add_option("exercise", cl.replay_query, "number or name")->required();
  cl.replay->add_option("schedule", options.id, "the schedule's id (default: the last one that failed)");
  cl.replay->add_flag("--step", options.step,
                      "step through it in the terminal: n next, p previous, f failure, s next switch, q quit");
  cl.replay->add_option("--html", options.html, "also write the timeline as a self-contained page to this file");
  cl.replay->add_option("--log", options.log, "show this step log (RACELINGS_STEP_LOG) instead of running the program")
      ->check(CLI::ExistingFile);
  cl.replay->add_option("--width", options.width, "the text's width (default: the terminal's)")
      ->check(CLI::Range(40, 1000));
  add_prebuilt_option(cl.replay, options.prebuilt);
}

// hint, watch, reset, explain: the small student commands.
void add_helpers(CLI::App& app, CommandLine& cl) {
  cl.hint = app.add_subcommand("hint", "show one more hint for an exercise each time");
  cl.hint->add_option("exercise", cl.hint_query, "number or name (default: the next one not passing)");
  cl.watch = app.add_subcommand("watch", "check the current exercise again every time you save it");
  cl.reset = app.add_subcommand("reset", "restore an exercise as it was at the start (asks first)");
  cl.reset->add_option("exercise", cl.reset_query, "number or name")->required();
  cl.reset->add_flag("-y,--yes", cl.reset_yes, "do not ask");
  cl.explain = app.add_subcommand("explain", "explain a sanitizer or compiler log read from standard input");
  cl.explain->add_flag("--json", cl.explain_json, "print the findings as JSON");
}

void add_audit(CLI::App& app, CommandLine& cl) {
  cl.audit = app.add_subcommand(
      "audit", "instructors: every pristine broken exercise must show its finding and every solution be clean");
  AuditOptions& options = cl.audit_options;
  cl.audit->add_option("--runs", options.runs, "runs of each program (default 5)")->check(CLI::Range(1, 1000));
  add_jobs_option(cl.audit, options.jobs, "programs run");
  cl.audit->add_option("--json", options.json_path, "also write the results as JSON to this file");
  cl.audit->add_option("--html", options.html_path, "also write the results as a self-contained HTML page");
  cl.audit
      ->add_option("--only", options.only,
                   "audit only these exercises (numbers or names: --only 01,07 or --only 01 07)")
      ->delimiter(',');
  add_prebuilt_option(cl.audit, options.prebuilt,
                      "run programs already built under this directory instead of building (used by tests)");
  cl.audit->add_flag("--in-place", options.in_place, "audit the tree as it is, even where exercises were edited");
  add_explore_option(cl.audit, options.explore,
                     "schedules each program is explored under the controlled scheduler (0: none; default 1000)");
  cl.audit->add_flag("--no-cache", options.no_cache,
                     "explore every program again, even those whose passing exploration is on record");
}

void add_grade(CLI::App& app, CommandLine& cl) {
  cl.grade = app.add_subcommand(
      "grade", "instructors: grade a folder of submissions into Gradescope results, a class CSV and an HTML report");
  GradeOptions& options = cl.grade_options;
  cl.grade->add_option("submissions", options.submissions, "folder with one folder, .zip, .tar or .tar.gz per student")
      ->required();
  cl.grade->add_option("--out", options.out, "where the results go")->required();
  cl.grade->add_option("--runs", options.runs, "runs of each exercise (default 3)")->check(CLI::Range(1, 100));
  add_explore_option(cl.grade, options.explore,
                     "schedules explored after clean runs, the same for every student (0: none; default 100)");
  add_jobs_option(cl.grade, options.jobs, "test programs run");
  cl.grade->add_option("--pristine", options.pristine_ref,
                       "the tree as handed out: a git ref (default HEAD) or a directory");
  cl.grade->add_option("--student", options.only_student, "grade only this student");
}

void add_commands(CLI::App& app, CommandLine& cl) {
  app.require_subcommand(0, 1);
  // Options of the tool itself (--no-color, --root) are accepted after the
  // subcommand too: `racelings check 1 --no-color`.
  app.fallthrough();
  app.footer(
      "Exit codes: 0 ok, 1 the exercise (or audit) does not pass, 2 bad command line, 4 racelings itself failed.\n"
      "Colours only on a terminal; set NO_COLOR to turn them off.");
  app.add_option("--root", cl.root_hint, "the racelings tree (default: found from the current directory)");
  app.add_flag("--no-color", cl.no_colour, "no colours, even on a terminal");
  cl.list = app.add_subcommand("list", "every exercise, in order, and whether it passes");
  add_check(app, cl);
  add_explore(app, cl);
  add_replay(app, cl);
  add_helpers(app, cl);
  add_audit(app, cl);
  add_grade(app, cl);
  cl.lsp = app.add_subcommand(
      "lsp", "write compile_commands.json, so that clangd in your editor compiles each file as racelings does");
}

// --budget: a number of schedules (1000) or of seconds (10s).
bool parse_explore_budget(const std::string& budget, ExplorePlan& plan) {
  if (budget.empty()) return true;
  std::string digits = budget.back() == 's' ? budget.substr(0, budget.size() - 1) : budget;
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(digits) == 0) {
    std::cerr << "racelings: --budget is a number of schedules (1000) or of seconds (10s), not '" << budget << "'\n";
    return false;
  }
  if (budget.back() == 's') {
    plan.budget_seconds = static_cast<int>(std::stoul(digits));
  } else {
    plan.budget = std::stoul(digits);
  }
  return true;
}

// For checker/readme_commands_test.sh: every command line the README shows
// must parse and name exercises that exist; nothing is built.
int check_parse_only(const CommandLine& cl, const Catalog& catalog) {
  std::vector<std::string> queries = cl.audit_options.only;
  for (const std::string* q : {&cl.check_query, &cl.hint_query, &cl.reset_query}) {
    if (!q->empty()) queries.push_back(*q);
  }
  for (const auto& q : queries) {
    if (catalog.find(q) == nullptr) {
      std::cerr << "racelings: " << catalog.unknown_message(q) << "\n";
      return kExitUsage;
    }
  }
  return kExitOk;
}

int run_command(Context& ctx, CommandLine& cl) {
  if (*cl.list) return cmd_list(ctx);
  if (*cl.lsp) return cmd_lsp(ctx.root, ctx.ui);
  if (*cl.check && cl.check_dev) {
    AuditOptions dev;
    dev.runs = cl.check_runs;
    dev.explore = cl.check_explore;
    if (!cl.check_query.empty()) dev.only = {cl.check_query};
    return cmd_audit(ctx, dev);
  }
  if (*cl.check) return cmd_check(ctx, cl.check_query, cl.check_runs, cl.check_explore);
  if (*cl.explore) {
    if (!parse_explore_budget(cl.explore_budget, cl.explore_plan)) return kExitUsage;
    return cmd_explore(ctx, cl.explore_query, cl.explore_plan, cl.explore_prebuilt);
  }
  if (*cl.replay) return cmd_replay(ctx, cl.replay_query, cl.replay_options);
  if (*cl.hint) return cmd_hint(ctx, cl.hint_query);
  if (*cl.watch) return cmd_watch(ctx);
  if (*cl.reset) return cmd_reset(ctx, cl.reset_query, cl.reset_yes);
  if (*cl.audit) return cmd_audit(ctx, cl.audit_options);
  if (*cl.grade) return cmd_grade(ctx, cl.grade_options);
  return cmd_status(ctx);
}

}  // namespace

int main(int argc, char** argv) {
  // Started by a sanitizer as its symbolizer (checker/symbols/symbol_record.h).
  if (argc > 0 && std::filesystem::path(argv[0]).filename() == "llvm-symbolizer") {
    return racelings::symbols::proxy_main(argc, argv);
  }
  // Runs name this binary as their symbolizer (it answers from the record).
  std::error_code self_error;
  std::string self = std::filesystem::read_symlink("/proc/self/exe", self_error).string();
  if (!self_error) racelings::checker::use_symbolizer_proxy(self);
  CLI::App app{"racelings: fix small broken concurrent programs; sanitizers and a deadlock detector prove it."};
  CommandLine cl;
  add_commands(app, cl);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  Ui ui = Ui::for_stdout(cl.no_colour);
  if (*cl.explain) return cmd_explain(ui, cl.explain_json);

  Context ctx{"", Catalog(), ui, State("")};
  try {
    ctx.root = find_root(cl.audit_options.prebuilt.empty() ? cl.root_hint : cl.audit_options.prebuilt);
    ctx.catalog = Catalog::load(ctx.root + "/exercises/catalog.json");
  } catch (const CatalogError& e) {
    std::cerr << "racelings: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "racelings: " << e.what() << "\n";
    return kExitUsage;
  }
  if (const char* parse_only = std::getenv("RACELINGS_PARSE_ONLY"); parse_only != nullptr && *parse_only == '1') {
    return check_parse_only(cl, ctx.catalog);
  }
  ctx.state = State(ctx.root);
  ctx.state.load();
  return run_command(ctx, cl);
}
