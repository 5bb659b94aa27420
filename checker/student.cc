// The student's commands: status, list, check, hint, watch, reset, explain.

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "checker/bazel.h"
#include "checker/commands.h"
#include "checker/explore.h"
#include "checker/integrity/integrity.h"
#include "checker/judge.h"
#include "checker/replay_view.h"
#include "checker/report/explain.h"
#include "checker/report/report_parser.h"
#include "checker/report/symbolizer.h"
#include "checker/runner.h"
#include "checker/test_batch.h"

namespace racelings::checker {
namespace {

using report::Finding;
using report::Kind;

std::string exercise_hash(const Context& ctx, const Exercise& ex) {
  auto text = read_file(ctx.root + "/" + ex.exercise_file());
  return content_hash(text.value_or(""));
}

bool is_solved(Context& ctx, const Exercise& ex) { return ctx.state.passed(ex.name, exercise_hash(ctx, ex)); }

int solved_count(Context& ctx) {
  int n = 0;
  for (const auto& ex : ctx.catalog.exercises()) n += is_solved(ctx, ex) ? 1 : 0;
  return n;
}

std::string seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

report::Style style_for(const Ui& ui) {
  report::Style s;
  s.colour = ui.colour();
  return s;
}

// What to do next, after a failing check.
void print_next_steps(const Context& ctx, const Exercise& ex, const std::vector<Finding>& findings) {
  const Ui& ui = ctx.ui;
  std::cout << ui.bold("What to try next") << "\n";
  if (has_kind(findings, Kind::kBuildError)) {
    std::cout << "  Fix the compile errors above first: each names a line of your file.\n";
  } else if (findings.size() == 1 && findings[0].kind == ex.expect) {
    std::cout << "  This is the bug the exercise is about. The lines quoted above are where it shows.\n";
  }
  std::cout << "  Read " << ex.readme_file() << " (the idea, and what this report means).\n";
  if (!has_kind(findings, Kind::kBuildError)) {
    // The interleaving itself, step by step: its page if this version of
    // the file already failed under a schedule, else how to find one.
    std::string page = replay_page_path(ctx.root, ex);
    std::error_code ec;
    auto page_time = std::filesystem::last_write_time(page, ec);
    auto file_time = std::filesystem::last_write_time(ctx.root + "/" + ex.exercise_file(), ec);
    if (!ec && std::filesystem::exists(page) && page_time >= file_time) {
      std::cout << "  Watch the failing interleaving step by step: "
                << ui.cyan("./racelings replay " + ex.number + " --step") << ", or open file://" << page << "\n";
    } else {
      std::cout << "  See the interleaving step by step: " << ui.cyan("./racelings explore " + ex.number)
                << " finds a failing schedule, then " << ui.cyan("./racelings replay " + ex.number + " --step")
                << " walks through it.\n";
    }
  }
  std::cout << "  Stuck? `./racelings hint " << ex.number << "` gives one more hint each time.\n";
}

// Why grading refuses the file, whatever its runs showed.
void print_refusal(const Exercise& ex, const IntegrityReport& integrity, bool runs_clean, const Ui& ui) {
  std::cout << ui.bold("Refused: " + ex.exercise_file() + " breaks the grading rules") << "\n";
  if (!integrity.error.empty()) {
    std::cout << "  it could not be checked: " << integrity.error << "\n";
  } else {
    std::cout << render_violations(integrity.violations, integrity.source_text, integrity.source_file);
  }
  std::cout << "  Grading gives it 0 whatever its tests do" << (runs_clean ? " (and they passed)" : "")
            << ": keep the fix to ordinary code (see " << ex.readme_file() << ").\n\n";
}

const Exercise* resolve(Context& ctx, const std::string& query) {
  if (query.empty()) return next_exercise(ctx);
  const Exercise* ex = ctx.catalog.find(query);
  if (ex == nullptr) std::cerr << "racelings: " << ctx.catalog.unknown_message(query) << "\n";
  return ex;
}

}  // namespace

const Exercise* next_exercise(Context& ctx) {
  for (const auto& ex : ctx.catalog.exercises()) {
    if (!is_solved(ctx, ex)) return &ex;
  }
  return nullptr;
}

int cmd_status(Context& ctx) {
  const Ui& ui = ctx.ui;
  int total = static_cast<int>(ctx.catalog.exercises().size());
  int done = solved_count(ctx);
  std::cout << ui.bold("racelings") << ": data races and deadlocks, one exercise at a time\n\n";
  std::cout << "  " << ui.progress_bar(done, total) << " exercises pass\n\n";
  const Exercise* next = next_exercise(ctx);
  if (next == nullptr) {
    std::cout << ui.green("Every exercise passes. Well done!") << "\n";
    std::cout << "Instructors: `./racelings audit` checks the whole catalog.\n";
    return kExitOk;
  }
  std::cout << "Next: " << ui.bold(next->name) << "  (" << next->chapter_title << ", "
            << sanitizer_title(next->sanitizer) << ")\n";
  std::cout << "  " << next->task << "\n\n";
  std::cout << "  1. Read " << next->readme_file() << "\n";
  std::cout << "  2. Edit " << next->exercise_file() << "\n";
  std::cout << "  3. Run  ./racelings check " << next->number
            << "   (or ./racelings watch to re-check on every save)\n";
  return kExitOk;
}

int cmd_list(Context& ctx) {
  const Ui& ui = ctx.ui;
  std::string chapter;
  for (const auto& ex : ctx.catalog.exercises()) {
    if (ex.chapter_title != chapter) {
      chapter = ex.chapter_title;
      std::cout << "\n" << ui.bold(chapter) << "\n";
    }
    bool solved = is_solved(ctx, ex);
    char line[256];
    std::snprintf(line, sizeof(line), "%-28s %-5s expect: %-22s", ex.name.c_str(), ex.sanitizer.c_str(),
                  std::string(report::kind_name(ex.expect)).c_str());
    std::cout << "  " << (solved ? ui.green("✓") : ui.dim("·")) << " " << line << " " << ex.task << "\n";
  }
  int done = solved_count(ctx);
  std::cout << "\n  " << ui.progress_bar(done, static_cast<int>(ctx.catalog.exercises().size())) << "\n";
  return kExitOk;
}

namespace {

// A build that failed: the compiler's errors and the student's lines, or,
// when Bazel itself failed, an internal error.
int report_build_failure(Context& ctx, const Exercise& ex, const BuildOutcome& built, const std::string& hash) {
  const Ui& ui = ctx.ui;
  const std::vector<Finding>& errors = built.errors;
  if (errors.empty()) {
    std::cerr << "racelings: " << built.failure << "\n" << built.output << "\n";
    std::cerr << "racelings: this looks like a problem with racelings itself, not your exercise.\n";
    return kExitInternal;
  }
  std::cout << "\n" << ui.red("✗ " + ex.name + " does not compile") << "\n\n";
  report::Style style = style_for(ui);
  for (const auto& e : errors) std::cout << report::render(e, style) << "\n";
  std::cout << quote_sources(errors, ctx.root, ui) << "\n";
  print_next_steps(ctx, ex, errors);
  ctx.state.record_check(ex.name, false, hash);
  ctx.state.save();
  return kExitNotPassing;
}

// What the runs say about the tools rather than the code: output dropped,
// warnings (each once).
void print_run_notes(const std::vector<RunVerdict>& verdicts, const Ui& ui) {
  size_t dropped = 0;
  for (const auto& v : verdicts) dropped = std::max(dropped, v.run.dropped_bytes);
  if (dropped > 0) {
    std::cout << "  note: the program printed too much: " << dropped
              << " bytes of output dropped (only its start and its end were read)\n";
  }
  std::vector<std::string> warnings;
  for (const auto& v : verdicts) {
    for (const auto& w : v.warnings) {
      if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(w);
    }
  }
  for (const auto& w : warnings) std::cout << "  " << ui.yellow("warning: " + w) << "\n";
}

void print_pass(Context& ctx, const Exercise& ex, uint64_t explore_budget) {
  const Ui& ui = ctx.ui;
  std::cout << ui.green("✓ " + ex.name + " passes") << ": its tests pass and " << sanitizer_title(ex.sanitizer)
            << " and the deadlock detector saw nothing"
            << (explore_budget > 0 ? ", under every schedule tried.\n" : ".\n");
  const Exercise* next = next_exercise(ctx);
  if (next != nullptr) {
    std::cout << "\nNext: " << ui.bold(next->name) << ": " << next->task << "\n";
    std::cout << "  ./racelings check " << next->number << "\n";
  } else {
    std::cout << "\n" << ui.green("That was the last one: every exercise passes.") << "\n";
  }
}

// Why a check failed: its findings, the student's lines, the refusal or the
// failing schedule, and what to do next.
struct CheckFailure {
  const IntegrityReport& integrity;
  bool all_runs_clean = false;
  std::vector<Finding> findings;
  const RunVerdict* explored = nullptr;  // when only exploring failed it
};

void print_failure(Context& ctx, const Exercise& ex, const CheckFailure& failure) {
  const Ui& ui = ctx.ui;
  bool refused = !failure.integrity.ok();
  std::string summary = refused ? "integrity" : "";
  for (Kind k : kinds(failure.findings)) summary += (summary.empty() ? "" : ", ") + std::string(report::kind_name(k));
  std::cout << ui.red("✗ " + ex.name + ": " + summary) << "\n\n";
  if (refused) print_refusal(ex, failure.integrity, failure.all_runs_clean, ui);
  report::Style style = style_for(ui);
  for (const auto& f : failure.findings) std::cout << report::render(f, style) << "\n";
  std::string quoted = quote_sources(failure.findings, ctx.root, ui);
  if (!quoted.empty()) std::cout << ui.bold("Your code") << "\n" << quoted << "\n";
  if (failure.explored != nullptr) {
    std::cout << ui.bold("Found by exploring schedules") << ": every run of your code passed, but under this "
              << "interleaving of its threads it fails.\n"
              << explore_lines(ex, *failure.explored, ui) << "\n"
              << failing_schedule_text(ctx, ex, *failure.explored);
  }
  print_next_steps(ctx, ex, failure.findings);
}

}  // namespace

int cmd_check(Context& ctx, const std::string& query, int runs, uint64_t explore_budget) {
  const Exercise* ex = resolve(ctx, query);
  if (ex == nullptr) {
    if (query.empty()) {
      std::cout << ctx.ui.green("Every exercise passes.") << "\n";
      return kExitOk;
    }
    return kExitUsage;
  }
  const Ui& ui = ctx.ui;
  // The detector runs in every build; name it too, since it is what catches the deadlock exercises.
  std::cout << ui.bold("Checking " + ex->name) << " under " << sanitizer_title(ex->sanitizer)
            << " and the deadlock detector\n";
  auto t0 = std::chrono::steady_clock::now();
  BazelOptions bazel;
  bazel.workspace = ctx.root;
  BuildOutcome built = build({ex->exercise_target()}, bazel);
  auto t1 = std::chrono::steady_clock::now();
  std::cout << "  built in " << seconds(std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0)) << "\n";
  std::string hash = exercise_hash(ctx, *ex);
  if (!built.ok) return report_build_failure(ctx, *ex, built, hash);
  std::string program = output_path(built, ctx.root, ex->exercise_target());
  // The grading rules first: a refused file is still run, so that the
  // student also sees what the sanitizer says.
  IntegrityReport integrity = check_test_program(program);
  auto results = run_many({{ex, TestRun{program, {}}}}, runs, 1);
  RunTally tally = tally_runs(results[0]);
  std::cout << "  ran " << runs << (runs == 1 ? " time" : " times") << " in "
            << seconds(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t1))
            << "\n";
  print_run_notes(results[0], ui);
  CheckFailure failure{integrity, tally.good == runs, std::move(tally.findings), nullptr};
  bool passed = failure.all_runs_clean && integrity.ok();
  // Clean runs under the OS's scheduler are not proof: the same tests under
  // the controlled scheduler, over a fixed set of schedules (the same on
  // every machine), must pass too.
  RunVerdict explored;
  if (passed && explore_budget > 0) {
    ExplorePlan plan;
    plan.budget = explore_budget;
    explored = explore_run(*ex, program, plan);
    std::cout << explore_lines(*ex, explored, ui);
    if (!explored.clean) {
      passed = false;
      failure.explored = &explored;
      failure.findings = report::merge_findings(explored.findings);
      if (!explored.explore.schedule.empty()) ctx.state.set_last_schedule(ex->name, explored.explore.schedule);
    }
  }
  std::cout << "\n";
  ctx.state.record_check(ex->name, passed, hash);
  ctx.state.save();
  if (passed) {
    print_pass(ctx, *ex, explore_budget);
    return kExitOk;
  }
  print_failure(ctx, *ex, failure);
  return kExitNotPassing;
}

int cmd_hint(Context& ctx, const std::string& query) {
  const Exercise* ex = resolve(ctx, query);
  if (ex == nullptr) return query.empty() ? kExitOk : kExitUsage;
  const Ui& ui = ctx.ui;
  int total = static_cast<int>(ex->hints.size());
  int shown = std::min(ctx.state.hints_shown(ex->name) + 1, total);
  ctx.state.set_hints_shown(ex->name, shown);
  ctx.state.save();
  std::cout << ui.bold("Hints for " + ex->name) << "\n";
  for (int i = 0; i < shown; ++i) {
    std::cout << "\n  " << ui.cyan(std::to_string(i + 1) + "/" + std::to_string(total)) << " "
              << ex->hints[static_cast<size_t>(i)] << "\n";
  }
  if (shown < total) {
    std::cout << "\n" << ui.dim("Run the same command again for the next hint.") << "\n";
  } else {
    std::cout << "\n" << ui.dim("That was the last hint. The README has the whole idea: " + ex->readme_file()) << "\n";
  }
  return kExitOk;
}

int cmd_reset(Context& ctx, const std::string& query, bool yes) {
  if (query.empty()) {
    std::cerr << "racelings: say which exercise to reset, e.g. `./racelings reset 01`\n";
    return kExitUsage;
  }
  const Exercise* ex = resolve(ctx, query);
  if (ex == nullptr) return kExitUsage;
  auto pristine = file_at_head(ctx.root, ex->exercise_file());
  if (!pristine) {
    std::cerr << "racelings: cannot find the original " << ex->exercise_file()
              << " (reset needs the git history of this tree)\n";
    return kExitInternal;
  }
  auto current = read_file(ctx.root + "/" + ex->exercise_file());
  if (current && *current == *pristine) {
    std::cout << ex->exercise_file() << " is already as it was at the start.\n";
    return kExitOk;
  }
  if (!yes) {
    std::cout << "Reset " << ex->exercise_file() << " to the original, losing your changes? [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y" && answer != "yes")) {
      std::cout << "Nothing changed.\n";
      return kExitOk;
    }
  }
  if (!write_file_atomically(ctx.root + "/" + ex->exercise_file(), *pristine)) {
    std::cerr << "racelings: could not write " << ex->exercise_file() << "\n";
    return kExitInternal;
  }
  ctx.state.record_check(ex->name, false, content_hash(*pristine));
  ctx.state.set_hints_shown(ex->name, 0);
  ctx.state.save();
  std::cout << "Reset " << ex->exercise_file() << ".\n";
  return kExitOk;
}

int cmd_watch(Context& ctx) {
  const Ui& ui = ctx.ui;
  int fd = ::inotify_init1(IN_CLOEXEC);
  if (fd < 0) {
    std::cerr << "racelings: cannot watch files here (inotify unavailable); use `./racelings check` instead\n";
    return kExitInternal;
  }
  const Exercise* current = next_exercise(ctx);
  while (current != nullptr) {
    std::string dir = ctx.root + "/exercises/" + current->name;
    int wd = ::inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
    if (wd < 0) {
      std::cerr << "racelings: cannot watch " << dir << "\n";
      ::close(fd);
      return kExitInternal;
    }
    int result = cmd_check(ctx, current->name, 1, kCheckExploreBudget);
    if (result == kExitOk) {
      ::inotify_rm_watch(fd, wd);
      current = next_exercise(ctx);
      continue;
    }
    std::cout << "\n"
              << ui.dim("Watching " + current->exercise_file() + ": save it to check again (Ctrl-C stops).") << "\n";
    // Wait for a save of exercise.cc, then let the editor finish writing.
    for (bool saved = false; !saved;) {
      alignas(inotify_event) char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) {
        ::close(fd);
        return kExitInternal;
      }
      for (char* p = buf; p < buf + n;) {
        auto* event = reinterpret_cast<inotify_event*>(p);
        if (event->len > 0 && std::string(event->name) == "exercise.cc") saved = true;
        p += sizeof(inotify_event) + event->len;
      }
    }
    ::usleep(150 * 1000);
    ::inotify_rm_watch(fd, wd);
    std::cout << "\n";
  }
  ::close(fd);
  std::cout << ui.green("Every exercise passes.") << "\n";
  return kExitOk;
}

int cmd_explain(const Ui& ui, bool json) {
  // Bounded: a log larger than this is cut (the parser stays linear anyway).
  constexpr size_t kMaxInput = size_t{64} << 20;
  std::string input;
  input.reserve(1 << 16);
  char buf[65536];
  while (input.size() < kMaxInput) {
    size_t n = std::fread(buf, 1, sizeof(buf), stdin);
    if (n == 0) break;
    input.append(buf, std::min(n, kMaxInput - input.size()));
  }
  std::vector<Finding> findings = report::parse_reports(input);
  std::vector<Finding> build = report::parse_build_errors(input);
  findings.insert(findings.end(), build.begin(), build.end());
  findings = report::merge_findings(std::move(findings));
  if (json) {
    std::cout << report::to_json(findings).dump(2) << "\n";
    return kExitOk;
  }
  if (std::string w = report::symbolizer_warning(input); !w.empty()) std::cout << ui.yellow("warning: " + w) << "\n\n";
  if (findings.empty()) {
    std::cout << "No sanitizer, racelings, GoogleTest or compiler report found in the input.\n";
    return kExitOk;
  }
  std::cout << report::render_all(findings, style_for(ui));
  return kExitOk;
}

}  // namespace racelings::checker
