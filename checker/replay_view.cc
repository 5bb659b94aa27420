// `racelings replay` and the timeline of a failing schedule wherever the
// checker shows one.

#include "checker/replay_view.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "checker/explore.h"
#include "checker/replay/page.h"
#include "checker/replay/stepper.h"
#include "checker/replay/timeline.h"
#include "checker/replay/timeline_text.h"
#include "checker/report/report_parser.h"
#include "checker/report/step_log.h"
#include "checker/runner.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

// What went wrong by the findings, for a log that marks nothing (a crash,
// a timeout): the program's last step is where it stopped.
std::optional<replay::Failure> failure_from(const std::vector<report::Finding>& findings) {
  if (findings.empty()) return std::nullopt;
  const report::Finding& f = findings.front();
  replay::Failure failure;
  failure.kind = std::string(report::kind_name(f.kind));
  failure.text = f.title;
  return failure;
}

struct Replayed {
  report::StepLog log;
  replay::Timeline timeline;
};

std::optional<Replayed> replayed(const std::string& step_log, const std::vector<report::Finding>& findings,
                                 const Exercise& exercise, std::string* error) {
  if (step_log.empty()) {
    if (error != nullptr) *error = "the program wrote no step log";
    return std::nullopt;
  }
  auto log = report::parse_step_log(step_log, error);
  if (!log) return std::nullopt;
  replay::TimelineOptions options;
  options.otherwise = failure_from(findings);
  options.focus_file = exercise.exercise_file();
  Replayed r{std::move(*log), {}};
  r.timeline = replay::build_timeline(r.log, options);
  return r;
}

replay::PageInput page_input(const Exercise& ex) {
  replay::PageInput in;
  in.exercise = ex.name;
  in.exercise_file = ex.exercise_file();
  in.replay_command = "./racelings replay " + ex.number;
  return in;
}

std::string file_url(const std::string& path) {
  std::error_code ec;
  std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
  return "file://" + (ec ? path : absolute);
}

// The log of a file written by RACELINGS_STEP_LOG, with its tail files.
std::optional<std::string> read_log_files(const std::string& path) {
  auto text = read_file(path);
  if (!text) return std::nullopt;
  for (const char* tail : {".1", ".2"}) {
    if (auto more = read_file(path + tail)) *text += "\n" + *more;
  }
  return text;
}

}  // namespace

bool shows_failure(const RunVerdict& verdict, const Exercise& exercise) {
  auto r = replayed(verdict.step_log, verdict.findings, exercise, nullptr);
  return r && r->timeline.failure_row.has_value();
}

std::string replay_page_path(const std::string& root, const Exercise& exercise) {
  return root + "/.racelings/replay/" + exercise.name + ".html";
}

std::string timeline_text(const RunVerdict& verdict, const Exercise& exercise, const std::string& root, bool colour,
                          int width) {
  auto r = replayed(verdict.step_log, verdict.findings, exercise, nullptr);
  if (!r || r->log.steps.empty()) return {};
  replay::Sources sources(root);
  return replay::render_timeline_text(r->timeline, r->log, sources,
                                      {width > 0 ? width : replay::terminal_width(120), colour});
}

bool write_replay_page(const RunVerdict& verdict, const Exercise& exercise, const std::string& root,
                       const std::string& path) {
  auto r = replayed(verdict.step_log, verdict.findings, exercise, nullptr);
  if (!r) return false;
  replay::Sources sources(root);
  std::string page = replay::render_page(r->timeline, r->log, sources, page_input(exercise));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  return write_file_atomically(path, page);
}

namespace {

// What a replay shows: its verdict (its findings and step log) and the schedule's id.
struct Replay {
  RunVerdict verdict;
  std::string id;  // empty when the steps came from a log file
};

// Says whether the replayed schedule passed or failed, with its findings.
void print_replay_result(Context& ctx, const Exercise& ex, const Replay& replay, bool logged_hid) {
  const RunVerdict& v = replay.verdict;
  if (v.clean) {
    std::cout << ctx.ui.green("✓ under schedule " + replay.id + ", " + ex.name + " passes") << "\n";
    if (v.run.output.find("did not fit this program") != std::string::npos) {
      std::cout << "  (the schedule was found on another version of the code: it no longer fits it)\n";
    }
    return;
  }
  std::cout << ctx.ui.red("✗ under schedule " + replay.id + ", " + ex.name + " fails, as it will every time") << "\n\n";
  print_findings(ctx, report::merge_findings(v.findings));
  if (logged_hid) {
    std::cout << "  (The run that logs each step for the timeline below did not show this failure: logging\n"
                 "  every step can hide a ThreadSanitizer report. The report above is from the same\n"
                 "  schedule run without the log; the timeline shows the steps, without a mark.)\n\n";
  }
}

// Runs the schedule (options.id, or the last failing one on record) on the
// exercise as it is now, and says what it did. Returns kExitOk, or the exit
// code of a failure it has explained.
int replay_schedule(Context& ctx, const Exercise& ex, const ReplayOptions& options, Replay& out) {
  out.id = options.id.empty() ? ctx.state.last_schedule(ex.name) : options.id;
  if (out.id.empty()) {
    std::cerr << "racelings: no failing schedule of " << ex.name << " is known yet: find one with "
              << "./racelings explore " << ex.number << " (or give an id: ./racelings replay " << ex.number
              << " <id>)\n";
    return kExitUsage;
  }
  std::cout << ctx.ui.bold("Replaying schedule " + out.id + " of " + ex.name) << "\n";
  int code = kExitOk;
  std::string binary = options.prebuilt.empty() ? build_exercise(ctx, ex, code)
                                                : options.prebuilt + "/exercises/" + ex.name + "/test";
  if (binary.empty()) return code;
  ReplayVerdict replay = replay_verdict(ex, binary, out.id);
  out.verdict = std::move(replay.verdict);
  if (replay.logged_hid) out.verdict.step_log = std::move(replay.logged.step_log);
  const std::string& output = out.verdict.run.output;
  if (out.verdict.run.exit_code == 2 && output.find("racelings: replay: ") != std::string::npos) {
    std::string message = output.substr(output.find("racelings: replay: "));
    std::cerr << message.substr(0, message.find('\n')) << "\n";
    return kExitUsage;
  }
  print_replay_result(ctx, ex, out, replay.logged_hid);
  return kExitOk;
}

// The replay's timeline: as a page (the last failure's, and options.html),
// and in the terminal, whole or step by step.
int show_replay(Context& ctx, const Exercise& ex, const ReplayOptions& options, const Replay& replay) {
  const RunVerdict& v = replay.verdict;
  std::string error;
  auto r = replayed(v.step_log, v.findings, ex, &error);
  if (!r) {
    std::cerr << "racelings: " << error << "\n";
    return options.log.empty() ? kExitInternal : kExitUsage;
  }
  replay::Sources sources(ctx.root);
  std::string page = replay::render_page(r->timeline, r->log, sources, page_input(ex));
  std::string page_path = replay_page_path(ctx.root, ex);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(page_path).parent_path(), ec);
  // The page check names is the last failure's: a schedule that passes leaves it alone.
  bool page_written = !v.clean && write_file_atomically(page_path, page);
  if (!options.html.empty() && !write_file_atomically(options.html, page)) {
    std::cerr << "racelings: cannot write " << options.html << "\n";
    return kExitUsage;
  }
  if (options.step) {
    replay::StepperOptions so;
    so.exercise = ex.name;
    so.exercise_file = ex.exercise_file();
    so.colour = ctx.ui.colour();
    replay::run_stepper(r->timeline, r->log, sources, so);
  } else {
    int width = options.width > 0 ? options.width : replay::terminal_width(120);
    std::cout << replay::render_timeline_text(r->timeline, r->log, sources, {width, ctx.ui.colour()}) << "\n";
    std::cout << "Step through it: "
              << ctx.ui.cyan("./racelings replay " + ex.number + (replay.id.empty() ? "" : " " + replay.id) + " --step")
              << "\n";
  }
  if (page_written || !options.html.empty()) {
    std::cout << "The same as a page: " << file_url(options.html.empty() ? page_path : options.html) << "\n";
  }
  return v.clean ? kExitOk : kExitNotPassing;
}

}  // namespace

int cmd_replay(Context& ctx, const std::string& query, const ReplayOptions& options) {
  const Exercise* ex = ctx.catalog.find(query);
  if (ex == nullptr) {
    std::cerr << "racelings: " << ctx.catalog.unknown_message(query) << "\n";
    return kExitUsage;
  }
  Replay replay;
  if (!options.log.empty()) {
    auto text = read_log_files(options.log);
    if (!text) {
      std::cerr << "racelings: cannot read the step log " << options.log << "\n";
      return kExitUsage;
    }
    replay.verdict.step_log = std::move(*text);
  } else if (int code = replay_schedule(ctx, *ex, options, replay); code != kExitOk) {
    return code;
  }
  return show_replay(ctx, *ex, options, replay);
}

}  // namespace racelings::checker
