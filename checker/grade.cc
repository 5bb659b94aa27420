#include "checker/grade.h"

#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

#include "checker/bazel.h"
#include "checker/explore.h"
#include "checker/grade_class.h"
#include "checker/grade_pages.h"
#include "checker/html.h"
#include "checker/integrity/integrity.h"
#include "checker/integrity/source_scan.h"
#include "checker/process.h"
#include "checker/report/explain.h"
#include "checker/report/report_parser.h"
#include "checker/report/symbolizer.h"
#include "checker/report/utf8.h"
#include "checker/runner.h"
#include "checker/test_batch.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using report::Kind;

// Bump when grading changes in a way that makes old results stale.
constexpr int kGraderVersion = 4;  // 3: failing schedules, step by step; 4: none for a timeout
constexpr size_t kMaxSourceBytes = size_t{1} << 20;
constexpr size_t kMaxSubmissionFiles = 20000;
// The findings, then a failing schedule's timeline (folded, at most a few hundred rows).
constexpr size_t kMaxOutputChars = 24000;

std::string safe_name(std::string name) {
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  while (!name.empty() && name.front() == '.') name.erase(0, 1);
  return name.empty() ? "student" : name;
}

struct Submission {
  std::string student;
  fs::path path;     // folder or archive
  bool archive = false;
};

std::vector<Submission> list_submissions(const std::string& dir) {
  std::vector<Submission> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (entry.is_directory(ec)) {
      out.push_back({safe_name(name), entry.path(), false});
      continue;
    }
    for (const char* ext : {".tar.gz", ".tgz", ".tar", ".zip"}) {
      if (name.ends_with(ext)) {
        out.push_back({safe_name(name.substr(0, name.size() - std::string(ext).size())), entry.path(), true});
        break;
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Submission& a, const Submission& b) { return a.student < b.student; });
  return out;
}

// Unpacks an archive into `dest`; the extractor runs under the same limits
// as student code (an archive bomb hits the file-size and time limits).
bool unpack(const fs::path& archive, const std::string& dest, std::string& error) {
  std::error_code ec;
  fs::remove_all(dest, ec);
  fs::create_directories(dest, ec);
  RunOptions o;
  std::string name = archive.filename().string();
  if (name.ends_with(".zip")) {
    o.argv = {"/usr/bin/unzip", "-qq", "-o", fs::absolute(archive).string(), "-d", dest};
  } else {
    o.argv = {"/bin/tar", "--no-same-owner", "--no-same-permissions", "-xf", fs::absolute(archive).string(), "-C",
              dest};
  }
  o.cwd = dest;
  o.limits.timeout = std::chrono::seconds(120);
  o.limits.max_file_bytes = size_t{64} << 20;
  RunResult r = run(o);
  if (!r.exited_ok()) {
    error = "could not unpack " + name + ": " + (r.timed_out ? "took too long" : r.output.substr(0, 500));
    return false;
  }
  return true;
}

// Regular files under `root` (symlinks are never followed), relative paths.
std::vector<std::string> submission_files(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (out.size() >= kMaxSubmissionFiles) break;
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (it->is_symlink(ec)) {
      it.disable_recursion_pending();
      continue;
    }
    std::string first = rel.substr(0, rel.find('/'));
    if (first == ".git" || first.rfind("bazel-", 0) == 0 || first == ".racelings") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) out.push_back(rel);
  }
  return out;
}

json exercise_json(const Exercise& ex, const std::string& key, bool passed, const std::string& reason,
                   const std::vector<std::string>& kinds, const std::string& output, int runs, int clean_runs,
                   double seconds) {
  std::string text = output;
  if (text.size() > kMaxOutputChars) text = text.substr(0, kMaxOutputChars) + "\n[... cut]\n";
  // It quotes what the program printed (and may be cut inside a character):
  // make it valid UTF-8, or dumping the JSON would throw.
  text = report::valid_utf8(text);
  return json{{"name", ex.name},
              {"key", key},
              {"score", passed ? 1 : 0},
              {"max_score", 1},
              {"status", passed ? "passed" : "failed"},
              {"reason", reason},
              {"kinds", kinds},
              {"output", text},
              {"runs", runs},
              {"clean_runs", clean_runs},
              {"seconds", seconds}};
}

// An exercise graded 0 for breaking the grading rules, with the reasons and
// the student's lines (refusals() says why a file could not be checked).
json refusal_json(const Exercise& ex, const std::string& key, const std::vector<Violation>& violations,
                  const std::string& source) {
  std::string text = "Graded 0: exercise.cc breaks the grading rules:\n" +
                     render_violations(violations, source, ex.exercise_file());
  return exercise_json(ex, key, false, "integrity: " + violations.front().rule, {"integrity"}, text, 0, 0, 0);
}

std::string lock_path(const std::string& out) { return out + "/.grade.lock"; }

// The exploration every student's exercises get: fixed, so that the same
// submission gets the same grade on any machine.
ExplorePlan explore_plan(const GradeOptions& options) {
  ExplorePlan plan;
  plan.budget = options.explore;
  return plan;
}

// A hash of every source file's path and content under `dir` (what grading
// depends on), skipping Bazel's output links, git and progress files.
std::string tree_hash(const std::string& dir) {
  std::vector<std::string> files = submission_files(dir);
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& f : files) {
    if (f.rfind("exercises/", 0) != 0 && f.rfind("solutions/", 0) != 0 && f.rfind("primitives/", 0) != 0 &&
        f.rfind("checker/", 0) != 0 && f.rfind("tools/", 0) != 0 && f != "WORKSPACE" && f != ".bazelrc") {
      continue;
    }
    all += f + "\n" + content_hash(read_file(dir + "/" + f).value_or("")) + "\n";
  }
  return content_hash(all);
}

// Where one output folder's grading keeps its trees, under the cache.
struct GradeTree {
  std::string work;         // <cache_home()>/racelings/grade/<hash of OUT>
  std::string pristine;     // the tree as handed out
  std::string slot;         // where submissions are built, one after the other
  std::string pristine_id;  // names the tree as handed out
};

// One grading run per output folder at a time: an exclusive lock on a file
// in it, released when the process ends (or this object goes).
class OutputLock {
 public:
  explicit OutputLock(const std::string& out)
      : fd_(::open(lock_path(out).c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {}
  ~OutputLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  bool try_acquire() { return fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0; }

 private:
  int fd_;
};

// The pristine id names the tree as handed out: a git tree hash, or for a
// directory (an autograder's read-only copy), a hash of its contents.
std::optional<std::string> pristine_tree_id(const Context& ctx, const GradeOptions& options, bool from_directory) {
  if (from_directory) return "dir:" + tree_hash(options.pristine_ref);
  RunOptions rev;
  rev.argv = {"/usr/bin/git", "-C", ctx.root, "rev-parse", options.pristine_ref + "^{tree}"};
  RunResult result = run(rev);
  if (!result.exited_ok()) {
    std::cerr << "racelings: grading needs the tree as handed out: a git ref of this checkout or a directory; "
              << "`git rev-parse " << options.pristine_ref << "` failed: " << result.output;
    return std::nullopt;
  }
  return result.output.substr(0, result.output.find('\n'));
}

// Copies the tree as handed out into `tree.pristine` and `tree.slot`, unless
// the slot already holds it (a later run on the same OUT).
bool prepare_pristine(const Context& ctx, const GradeOptions& options, GradeTree& tree) {
  std::error_code ec;
  bool from_directory = fs::is_directory(options.pristine_ref, ec);
  auto id = pristine_tree_id(ctx, options, from_directory);
  if (!id) return false;
  tree.pristine_id = *id;
  auto marker = read_file(tree.slot + "/.racelings-pristine-id");
  if (marker && *marker == tree.pristine_id) return true;
  std::cout << "Preparing the pristine tree (" << options.pristine_ref << ")...\n" << std::flush;
  remove_tree(tree.pristine);
  std::string error;
  bool copied = from_directory ? copy_source_tree(options.pristine_ref, tree.pristine, error)
                               : export_git_tree(ctx.root, options.pristine_ref, tree.pristine, error);
  if (!copied) {
    std::cerr << "racelings: could not copy the pristine tree: " << error << "\n";
    return false;
  }
  // Submissions are built in the slot, so that Bazel rebuilds only what a
  // student changed (with the shared disk cache).
  remove_tree(tree.slot);
  fs::copy(tree.pristine, tree.slot, fs::copy_options::recursive, ec);
  if (ec) {
    std::cerr << "racelings: could not prepare " << tree.slot << ": " << ec.message() << "\n";
    return false;
  }
  write_file_atomically(tree.slot + "/.racelings-pristine-id", tree.pristine_id);
  return true;
}

// What a submission holds: each exercise's file, and what else it changed.
struct SubmissionFiles {
  fs::path root;
  std::map<std::string, std::string> chosen;  // exercise -> relative path of its exercise.cc
  std::map<std::string, std::vector<std::string>> tampered;  // exercise -> other files of it changed
  std::vector<std::string> notes;  // for the student's results.json
};

// Each exercise's file: <name>/exercise.cc anywhere, exercises/<name>/ preferred.
void find_exercise_files(const std::vector<std::string>& files, const Catalog& catalog, SubmissionFiles& found) {
  for (const auto& ex : catalog.exercises()) {
    std::string best;
    for (const auto& f : files) {
      if (f == ex.name + "/exercise.cc" || f.ends_with("/" + ex.name + "/exercise.cc")) {
        bool canonical = f.ends_with("exercises/" + ex.name + "/exercise.cc");
        if (best.empty() || canonical) best = f;
      }
    }
    if (!best.empty()) found.chosen[ex.name] = best;
  }
}

// Files a full copy of the tree has where only exercise.cc may differ: a
// changed test grades its exercise 0; other changes are noted and ignored.
void find_changed_files(const std::vector<std::string>& files, const Catalog& catalog, const std::string& pristine,
                        SubmissionFiles& found) {
  std::vector<std::string> ignored;
  for (const auto& f : files) {
    auto mine = read_file((found.root / f).string());
    auto theirs = read_file(pristine + "/" + f);
    if (!theirs || !mine || *mine == *theirs) continue;
    if (f.ends_with("/exercise.cc") || f == "exercise.cc") continue;
    bool counted = false;
    for (const auto& ex : catalog.exercises()) {
      if (f.starts_with("exercises/" + ex.name + "/") && !f.ends_with("README.md")) {
        found.tampered[ex.name].push_back(f);
        counted = true;
      }
    }
    if (!counted && !f.ends_with(".md")) ignored.push_back(f);
  }
  if (ignored.empty()) return;
  std::string list;
  for (size_t i = 0; i < ignored.size() && i < 10; ++i) list += (i ? ", " : "") + ignored[i];
  found.notes.push_back(
      "changes outside exercise files are ignored (grading always uses the original tests, "
      "primitives and checker): " +
      list + (ignored.size() > 10 ? ", ..." : ""));
}

SubmissionFiles read_submission(const Submission& sub, const GradeTree& tree, const Catalog& catalog) {
  SubmissionFiles found;
  found.root = sub.path;
  if (sub.archive) {
    std::string dest = tree.work + "/unpacked/" + sub.student;
    std::string unpack_error;
    found.root = dest;
    if (!unpack(sub.path, dest, unpack_error)) {
      found.notes.push_back(unpack_error);
      return found;
    }
  }
  std::vector<std::string> files = submission_files(found.root);
  find_exercise_files(files, catalog, found);
  find_changed_files(files, catalog, tree.pristine, found);
  return found;
}

// One student's grading: what it reads, and the results so far.
struct StudentGrading {
  const GradeOptions& options;
  const Catalog& catalog;
  const GradeTree& tree;
  const SubmissionFiles& files;
  std::string dir;  // OUT/<student>
  std::map<std::string, json> results;
  std::map<std::string, std::string> keys;

  std::string result_file(const Exercise& ex) const { return dir + "/exercises/" + ex.name + ".json"; }
  std::string submitted_source(const Exercise& ex) const {
    auto it = files.chosen.find(ex.name);
    return it == files.chosen.end() ? "" : read_file((files.root / it->second).string()).value_or("");
  }
  void record(const Exercise& ex, json doc) {
    write_file_atomically(result_file(ex), doc.dump(2) + "\n");
    results[ex.name] = std::move(doc);
  }
};

// A hash of everything an exercise's grade depends on: a result file with
// the same key is reused.
std::string result_key(const StudentGrading& g, const Exercise& ex) {
  bool submitted = g.files.chosen.count(ex.name) != 0;
  return content_hash(std::to_string(kGraderVersion) + "|" + g.tree.pristine_id + "|" + std::to_string(g.options.runs) +
                      "|" + spec_text(explore_plan(g.options)) + "|" + (submitted ? g.submitted_source(ex) : "<none>") +
                      "|" + (g.files.tampered.count(ex.name) ? "tampered" : ""));
}

// The grade of an exercise that needs no build (not submitted, tampered
// with, or refused on its source alone); nullopt when it must be built.
std::optional<json> grade_without_building(const StudentGrading& g, const Exercise& ex, const std::string& key) {
  if (g.files.chosen.count(ex.name) == 0) {
    return exercise_json(ex, key, false, "not submitted", {}, "No " + ex.name + "/exercise.cc in the submission.", 0, 0,
                         0);
  }
  if (auto tampered = g.files.tampered.find(ex.name); tampered != g.files.tampered.end()) {
    std::string list;
    for (const auto& f : tampered->second) list += (list.empty() ? "" : ", ") + f;
    return exercise_json(
        ex, key, false, "integrity: changed files other than exercise.cc", {"integrity"},
        "Only exercise.cc may change; this submission also changed " + list + ". Graded 0 for this exercise.", 0, 0, 0);
  }
  std::string content = g.submitted_source(ex);
  if (content.size() > kMaxSourceBytes) {
    return exercise_json(ex, key, false, "exercise.cc is too large to be a source file", {"integrity"},
                         "exercise.cc is larger than 1 MiB.", 0, 0, 0);
  }
  // What a fix may use, as `bazel test` and `check` judge it: the solution.
  auto reference = read_file(g.tree.pristine + "/" + ex.solution_file()).value_or("");
  if (auto violations = scan_submission(content, reference); !violations.empty()) {
    return refusal_json(ex, key, violations, content);
  }
  return std::nullopt;
}

// Reuses or settles every exercise it can; returns those to build and run.
std::vector<const Exercise*> settle_without_building(StudentGrading& g) {
  std::vector<const Exercise*> to_run;
  for (const auto& ex : g.catalog.exercises()) {
    std::string key = result_key(g, ex);
    g.keys[ex.name] = key;
    if (auto old = read_file(g.result_file(ex))) {
      auto doc = json::parse(*old, nullptr, false);
      if (doc.is_object() && doc.value("key", "") == key) {
        g.results[ex.name] = doc;
        continue;
      }
    }
    if (auto doc = grade_without_building(g, ex, key)) {
      g.record(ex, std::move(*doc));
    } else {
      to_run.push_back(&ex);
    }
  }
  return to_run;
}

// Lays the submission over the pristine tree in the slot: every exercise.cc
// is the student's where graded now, the original otherwise.
void lay_over_slot(const StudentGrading& g, const std::vector<const Exercise*>& to_run) {
  for (const auto& ex : g.catalog.exercises()) {
    bool now = std::find(to_run.begin(), to_run.end(), &ex) != to_run.end();
    std::string source = now ? g.submitted_source(ex)
                             : read_file(g.tree.pristine + "/" + ex.exercise_file()).value_or("");
    std::string target = g.tree.slot + "/" + ex.exercise_file();
    if (read_file(target) != source) write_file_atomically(target, source);
  }
}

// Clean runs are not proof: each exercise that had only those is explored
// under the controlled scheduler too, over the same schedules for every
// student (a fixed strategy and seed). explored[i] is programs[i]'s verdict.
std::vector<std::optional<RunVerdict>> explore_clean(const std::vector<BatchProgram>& programs, const BatchBuild& built,
                                                     const std::vector<std::vector<RunVerdict>>& verdicts,
                                                     const GradeOptions& options) {
  std::vector<std::optional<RunVerdict>> explored(programs.size());
  if (options.explore == 0) return explored;
  const ExplorePlan plan = explore_plan(options);
  BatchRuns how;
  how.jobs = options.jobs;
  how.include = [&](size_t i) {
    return !verdicts[i].empty() &&
           std::all_of(verdicts[i].begin(), verdicts[i].end(), [](const RunVerdict& v) { return v.clean; });
  };
  how.test_run = [&](size_t, const std::string& binary) { return explore_test_run(binary, plan); };
  auto results = run_batch(programs, built, how);
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].empty()) explored[i] = std::move(results[i][0]);
  }
  return explored;
}

// The text a student reads about an exercise that was run.
std::string run_text(const Exercise& ex, const RunTally& tally, const RunVerdict* exploration,
                     const GradeOptions& options, const std::string& symbolizer, bool passed) {
  if (passed) {
    std::string explored = exploration == nullptr ? ""
                                                  : ", nor in " + std::to_string(exploration->explore.schedules) +
                                                        " schedules under the controlled scheduler";
    return "Passed: the tests passed and " + std::string(sanitizer_title(ex.sanitizer)) +
           " and the deadlock detector saw nothing in " + std::to_string(options.runs) + " run(s)" + explored + ".\n";
  }
  if (tally.good < options.runs) {
    return (symbolizer.empty() ? "" : "Note: " + symbolizer + "\n\n") + "Failed in " +
           std::to_string(options.runs - tally.good) + " of " + std::to_string(options.runs) + " run(s):\n\n" +
           report::render_all(tally.findings, report::Style{});
  }
  return "Every run passed, but under the controlled scheduler schedule " + exploration->explore.schedule +
         " fails (replay it: ./racelings replay " + ex.number + " " + exploration->explore.schedule + "):\n\n" +
         report::render_all(tally.findings, report::Style{});
}

// The result of an exercise that was run: its runs, its exploration (when
// it had one) and, for a failure, its failing schedule step by step.
json run_result_json(const StudentGrading& g, const Exercise& ex, const std::vector<RunVerdict>& verdicts,
                     const RunVerdict* exploration, const SchedulePage* page, const std::string& symbolizer) {
  RunTally tally = tally_runs(verdicts);
  bool explored_clean = exploration == nullptr || exploration->clean;
  if (!explored_clean) {
    tally.findings.insert(tally.findings.end(), exploration->findings.begin(), exploration->findings.end());
    tally.findings = report::merge_findings(std::move(tally.findings));
  }
  bool passed = tally.good == g.options.runs && explored_clean;
  std::vector<std::string> kind_names;
  for (Kind k : kinds(tally.findings)) kind_names.push_back(std::string(report::kind_name(k)));
  std::string text = run_text(ex, tally, exploration, g.options, symbolizer, passed);
  if (!passed && page != nullptr) {
    text += "\nA failing schedule, step by step (the same as a page: " + page->page +
            " in this student's results):\n\n" + page->timeline;
  }
  std::string reason = passed ? "" : (kind_names.empty() ? "failed" : kind_names.front());
  json doc = exercise_json(ex, g.keys.at(ex.name), passed, reason, kind_names, text, g.options.runs, tally.good,
                           tally.seconds);
  if (!passed && page != nullptr) doc["replay_page"] = page->page;
  return doc;
}

// Grades the exercises a build must settle: the ones that do not compile or
// break the rules in their compiled form, then those run and explored.
bool grade_by_running(StudentGrading& g, const std::vector<const Exercise*>& to_run, const std::string& student) {
  lay_over_slot(g, to_run);
  std::vector<BatchProgram> programs;
  for (const Exercise* ex : to_run) {
    BatchProgram& program = programs.emplace_back();
    program.exercise = ex;
    program.target = ex->exercise_target();
    program.source_dir = "exercises/" + ex->name + "/";
    program.check_integrity = true;
  }
  BatchBuild built = build_batch(g.tree.slot, programs);
  if (!built.failure.empty()) {
    std::cerr << built.output << "\nracelings: " << built.failure << " while grading " << student << "\n";
    return false;
  }
  for (size_t i = 0; i < programs.size(); ++i) {
    const Exercise& ex = *programs[i].exercise;
    const ProgramBuild& program = built.programs[i];
    if (!program.built) {
      std::string text = "Graded 0: exercise.cc does not compile.\n";
      for (const auto& e : program.build_errors) text += report::render(e, false);
      g.record(ex, exercise_json(ex, g.keys[ex.name], false, "build error", {"build error"}, text, 0, 0, 0));
    } else if (!program.runnable()) {
      g.record(ex, refusal_json(ex, g.keys[ex.name], refusals(*program.integrity), program.integrity->source_text));
    }
  }
  // Said once per student: the results' text would otherwise show bare addresses unexplained.
  std::string symbolizer = report::symbolizer_preflight();
  if (!symbolizer.empty()) std::cerr << "racelings: warning: " << symbolizer << "\n";
  BatchRuns how;
  how.runs = g.options.runs;
  how.jobs = g.options.jobs;
  auto verdicts = run_batch(programs, built, how);
  auto explored = explore_clean(programs, built, verdicts, g.options);
  // The failing schedule of each failing exercise, step by step.
  std::vector<FailedExercise> failed;
  for (size_t i = 0; i < programs.size(); ++i) {
    if (!built.programs[i].runnable() || (explored[i] && explored[i]->clean)) continue;
    bool timed_out = std::any_of(verdicts[i].begin(), verdicts[i].end(),
                                 [](const RunVerdict& v) { return has_kind(v.findings, report::Kind::kTimeout); });
    failed.push_back(
        {programs[i].exercise, built.programs[i].binary, explored[i] ? &*explored[i] : nullptr, timed_out});
  }
  auto pages = schedule_pages(failed, explore_plan(g.options), g.options.jobs, g.tree.slot, g.dir);
  for (size_t i = 0; i < programs.size(); ++i) {
    if (!built.programs[i].runnable()) continue;
    const Exercise& ex = *programs[i].exercise;
    auto page = pages.find(ex.name);
    g.record(ex, run_result_json(g, ex, verdicts[i], explored[i] ? &*explored[i] : nullptr,
                                 page == pages.end() ? nullptr : &page->second, symbolizer));
  }
  return true;
}

// The student's Gradescope results.json, and their notes for the class page.
int write_student_results(const StudentGrading& g, double elapsed) {
  json gs;
  int score = 0;
  gs["tests"] = json::array();
  for (const auto& ex : g.catalog.exercises()) {
    auto it = g.results.find(ex.name);
    const json& r = it != g.results.end() ? it->second : json::object();
    score += r.value("score", 0);
    gs["tests"].push_back({{"name", ex.name},
                           {"score", r.value("score", 0)},
                           {"max_score", 1},
                           {"status", r.value("status", "failed")},
                           {"output", r.value("output", "")},
                           {"visibility", "visible"}});
  }
  std::string summary = "racelings: " + std::to_string(score) + " of " + std::to_string(g.catalog.exercises().size()) +
                        " exercises pass.";
  for (const auto& n : g.files.notes) summary += "\nNote: " + n;
  gs["score"] = score;
  gs["execution_time"] = static_cast<int>(elapsed + 0.5);
  gs["output"] = summary;
  gs["visibility"] = "visible";
  write_file_atomically(g.dir + "/results.json", gs.dump(2) + "\n");
  write_file_atomically(g.dir + "/notes.json", json(g.files.notes).dump(2) + "\n");
  return score;
}

// Grades one submission into OUT/<student>; false when grading itself failed.
bool grade_submission(const Submission& sub, const GradeOptions& options, const Catalog& catalog, const GradeTree& tree,
                      const std::string& out) {
  auto started = std::chrono::steady_clock::now();
  SubmissionFiles files = read_submission(sub, tree, catalog);
  StudentGrading g{options, catalog, tree, files, out + "/" + sub.student, {}, {}};
  std::error_code ec;
  fs::create_directories(g.dir + "/exercises", ec);
  std::vector<const Exercise*> to_run = settle_without_building(g);
  if (!to_run.empty() && !grade_by_running(g, to_run, sub.student)) return false;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int score = write_student_results(g, elapsed);
  char line[256];
  std::snprintf(line, sizeof(line), "  %-24s %3d/%zu  (%.1f s%s)", sub.student.c_str(), score,
                catalog.exercises().size(), elapsed, to_run.empty() ? ", all results reused" : "");
  std::cout << line << "\n" << std::flush;
  return true;
}

bool valid_options(const GradeOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(options.submissions, ec)) {
    std::cerr << "racelings: " << options.submissions << " is not a directory of submissions\n";
    return false;
  }
  if (options.runs < 1) {
    std::cerr << "racelings: --runs must be at least 1\n";
    return false;
  }
  return true;
}

}  // namespace

int cmd_grade(Context& ctx, const GradeOptions& options) {
  if (!valid_options(options)) return kExitUsage;
  std::error_code ec;
  fs::create_directories(options.out, ec);
  std::string out = fs::absolute(options.out).lexically_normal().string();
  OutputLock lock(out);
  if (!lock.try_acquire()) {
    std::cerr << "racelings: another `racelings grade` is writing to " << out << "; wait for it to finish\n";
    return kExitUsage;
  }
  GradeTree tree;
  tree.work = cache_home() + "/racelings/grade/" + content_hash(out);
  tree.pristine = tree.work + "/pristine";
  tree.slot = tree.work + "/slot";
  if (!prepare_pristine(ctx, options, tree)) return kExitInternal;
  Catalog catalog;
  try {
    catalog = Catalog::load(tree.pristine + "/exercises/catalog.json");
  } catch (const CatalogError& e) {
    std::cerr << "racelings: " << e.what() << "\n";
    return kExitInternal;
  }
  std::vector<Submission> all_submissions = list_submissions(options.submissions);
  std::vector<Submission> submissions = all_submissions;
  if (!options.only_student.empty()) {
    std::erase_if(submissions, [&](const Submission& s) { return s.student != options.only_student; });
  }
  if (submissions.empty()) {
    std::cerr << "racelings: no submissions in " << options.submissions
              << " (expected one folder, .zip, .tar or .tar.gz per student)\n";
    return kExitUsage;
  }
  std::cout << "Grading " << submissions.size() << " submission(s), " << catalog.exercises().size() << " exercises, "
            << options.runs << " run(s) each\n";
  for (const Submission& sub : submissions) {
    if (!grade_submission(sub, options, catalog, tree, out)) return kExitInternal;
  }
  // From every student's result files, also those graded by an earlier run.
  std::vector<std::string> students;
  for (const Submission& sub : all_submissions) students.push_back(sub.student);
  write_class_outputs(out, students, catalog);
  std::cout << "Wrote " << out << "/class.csv, report.html and <student>/results.json\n";
  return kExitOk;
}

}  // namespace racelings::checker
