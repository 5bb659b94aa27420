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

int cmd_replay(Context& ctx, const std::string& query, const ReplayOptions& options) {
  const Exercise* ex = ctx.catalog.find(query);
  if (ex == nullptr) {
    std::cerr << "racelings: " << ctx.catalog.unknown_message(query) << "\n";
    return kExitUsage;
  }
  RunVerdict v;
  std::string id;
  if (!options.log.empty()) {
    auto text = read_log_files(options.log);
    if (!text) {
      std::cerr << "racelings: cannot read the step log " << options.log << "\n";
      return kExitUsage;
    }
    v.step_log = std::move(*text);
  } else {
    id = options.id.empty() ? ctx.state.last_schedule(ex->name) : options.id;
    if (id.empty()) {
      std::cerr << "racelings: no failing schedule of " << ex->name << " is known yet: find one with "
                << "./racelings explore " << ex->number << " (or give an id: ./racelings replay " << ex->number
                << " <id>)\n";
      return kExitUsage;
    }
    std::cout << ctx.ui.bold("Replaying schedule " + id + " of " + ex->name) << "\n";
    int code = kExitOk;
    std::string binary = options.prebuilt.empty() ? build_exercise(ctx, *ex, code)
                                                  : options.prebuilt + "/exercises/" + ex->name + "/test";
    if (binary.empty()) return code;
    ReplayVerdict replay = replay_verdict(*ex, binary, id);
    v = std::move(replay.verdict);
    if (replay.logged_hid) v.step_log = std::move(replay.logged.step_log);
    if (v.run.exit_code == 2 && v.run.output.find("racelings: replay: ") != std::string::npos) {
      std::string out = v.run.output.substr(v.run.output.find("racelings: replay: "));
      std::cerr << out.substr(0, out.find('\n')) << "\n";
      return kExitUsage;
    }
    if (v.clean) {
      std::cout << ctx.ui.green("✓ under schedule " + id + ", " + ex->name + " passes") << "\n";
      if (v.run.output.find("did not fit this program") != std::string::npos) {
        std::cout << "  (the schedule was found on another version of the code: it no longer fits it)\n";
      }
    } else {
      std::cout << ctx.ui.red("✗ under schedule " + id + ", " + ex->name + " fails, as it will every time") << "\n\n";
      print_findings(ctx, report::merge_findings(v.findings));
      if (replay.logged_hid) {
        std::cout << "  (The run that logs each step for the timeline below did not show this failure: logging\n"
                     "  every step can hide a ThreadSanitizer report. The report above is from the same\n"
                     "  schedule run without the log; the timeline shows the steps, without a mark.)\n\n";
      }
    }
  }
  std::string error;
  auto r = replayed(v.step_log, v.findings, *ex, &error);
  if (!r) {
    std::cerr << "racelings: " << error << "\n";
    return options.log.empty() ? kExitInternal : kExitUsage;
  }
  replay::Sources sources(ctx.root);
  std::string page = replay::render_page(r->timeline, r->log, sources, page_input(*ex));
  std::string page_path = replay_page_path(ctx.root, *ex);
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
    so.exercise = ex->name;
    so.exercise_file = ex->exercise_file();
    so.colour = ctx.ui.colour();
    replay::run_stepper(r->timeline, r->log, sources, so);
  } else {
    int width = options.width > 0 ? options.width : replay::terminal_width(120);
    std::cout << replay::render_timeline_text(r->timeline, r->log, sources, {width, ctx.ui.colour()}) << "\n";
    std::cout << "Step through it: " << ctx.ui.cyan("./racelings replay " + ex->number + (id.empty() ? "" : " " + id) + " --step")
              << "\n";
  }
  if (page_written || !options.html.empty()) {
    std::cout << "The same as a page: " << file_url(options.html.empty() ? page_path : options.html) << "\n";
  }
  return v.clean ? kExitOk : kExitNotPassing;
}

}  // namespace racelings::checker
