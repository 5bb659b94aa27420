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
#include <set>
#include <sstream>

#include "checker/bazel.h"
#include "checker/html.h"
#include "checker/explore.h"
#include "checker/grade_pages.h"
#include "checker/integrity/integrity.h"
#include "checker/integrity/source_scan.h"
#include "checker/process.h"
#include "checker/report/explain.h"
#include "checker/report/report_parser.h"
#include "checker/report/symbolizer.h"
#include "checker/runner.h"

namespace racelings::checker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using report::Kind;

// Bump when grading changes in a way that makes old results stale.
constexpr int kGraderVersion = 3;  // 3: failing schedules, step by step
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

std::string cache_base() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  return (xdg != nullptr && *xdg ? std::string(xdg) : std::string(home != nullptr ? home : "/tmp") + "/.cache") +
         "/racelings";
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
    o.argv = {"/bin/tar", "--no-same-owner", "--no-same-permissions", "-xf", fs::absolute(archive).string(), "-C", dest};
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
  text = json(text).dump(-1, ' ', false, json::error_handler_t::replace);
  text = json::parse(text).get<std::string>();
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
  std::string text =
      "Graded 0: exercise.cc breaks the grading rules:\n" + render_violations(violations, source, ex.exercise_file());
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

}  // namespace

int cmd_grade(Context& ctx, const GradeOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(options.submissions, ec)) {
    std::cerr << "racelings: " << options.submissions << " is not a directory of submissions\n";
    return kExitUsage;
  }
  if (options.runs < 1) {
    std::cerr << "racelings: --runs must be at least 1\n";
    return kExitUsage;
  }
  fs::create_directories(options.out, ec);
  std::string out = fs::absolute(options.out).lexically_normal().string();
  // One grading run per output directory at a time.
  int lock_fd = ::open(lock_path(out).c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    std::cerr << "racelings: another `racelings grade` is writing to " << out << "; wait for it to finish\n";
    return kExitUsage;
  }

  // The pristine tree: racelings as handed out, from git.
  std::string work = cache_base() + "/grade/" + content_hash(out);
  std::string pristine = work + "/pristine";
  std::string slot = work + "/slot";
  // The pristine id names the tree as handed out: a git tree hash, or for a
  // directory (an autograder's read-only copy), a hash of its contents.
  std::string pristine_id;
  bool from_directory = fs::is_directory(options.pristine_ref, ec);
  if (from_directory) {
    pristine_id = "dir:" + tree_hash(options.pristine_ref);
  } else {
    RunOptions rev;
    rev.argv = {"/usr/bin/git", "-C", ctx.root, "rev-parse", options.pristine_ref + "^{tree}"};
    RunResult rev_result = run(rev);
    if (!rev_result.exited_ok()) {
      std::cerr << "racelings: grading needs the tree as handed out: a git ref of this checkout or a directory; "
                << "`git rev-parse " << options.pristine_ref << "` failed: " << rev_result.output;
      return kExitInternal;
    }
    pristine_id = rev_result.output.substr(0, rev_result.output.find('\n'));
  }
  auto marker = read_file(slot + "/.racelings-pristine-id");
  if (!marker || *marker != pristine_id) {
    std::cout << "Preparing the pristine tree (" << options.pristine_ref << ")...\n" << std::flush;
    remove_tree(pristine);
    RunOptions exp;
    if (from_directory) {
      exp.argv = {"/bin/sh", "-c",
                  "mkdir -p \"$2\" && tar -C \"$1\" --exclude=./.git --exclude='./bazel-*' --exclude=./.racelings "
                  "-cf - . | tar -x -C \"$2\"",
                  "sh", fs::absolute(options.pristine_ref).string(), pristine};
    } else {
      exp.argv = {"/bin/sh", "-c", "mkdir -p \"$2\" && git -C \"$1\" archive --format=tar \"$3\" | tar -x -C \"$2\"",
                  "sh", ctx.root, pristine, options.pristine_ref};
    }
    exp.limits.timeout = std::chrono::seconds(300);
    exp.limits.max_file_bytes = size_t{1} << 40;
    RunResult r = run(exp);
    if (!r.exited_ok()) {
      std::cerr << "racelings: could not copy the pristine tree: " << r.output << "\n";
      return kExitInternal;
    }
    // The slot is where submissions are built, one after the other, so that
    // Bazel rebuilds only what a student changed (with the shared disk cache).
    remove_tree(slot);
    fs::copy(pristine, slot, fs::copy_options::recursive, ec);
    if (ec) {
      std::cerr << "racelings: could not prepare " << slot << ": " << ec.message() << "\n";
      return kExitInternal;
    }
    write_file_atomically(slot + "/.racelings-pristine-id", pristine_id);
  }
  Catalog catalog;
  try {
    catalog = Catalog::load(pristine + "/exercises/catalog.json");
  } catch (const CatalogError& e) {
    std::cerr << "racelings: " << e.what() << "\n";
    return kExitInternal;
  }

  std::vector<Submission> all_submissions = list_submissions(options.submissions);
  std::vector<Submission> submissions = all_submissions;
  if (!options.only_student.empty()) {
    submissions.erase(std::remove_if(submissions.begin(), submissions.end(),
                                     [&](const Submission& s) { return s.student != options.only_student; }),
                      submissions.end());
  }
  if (submissions.empty()) {
    std::cerr << "racelings: no submissions in " << options.submissions
              << " (expected one folder, .zip, .tar or .tar.gz per student)\n";
    return kExitUsage;
  }
  std::cout << "Grading " << submissions.size() << " submission(s), " << catalog.exercises().size()
            << " exercises, " << options.runs << " run(s) each\n";

  json cls;
  cls["exercises"] = json::array();
  for (const auto& ex : catalog.exercises()) cls["exercises"].push_back(ex.name);
  cls["students"] = json::array();

  for (const Submission& sub : submissions) {
    auto started = std::chrono::steady_clock::now();
    std::string student_dir = out + "/" + sub.student;
    fs::create_directories(student_dir + "/exercises", ec);
    std::vector<std::string> notes;
    fs::path root = sub.path;
    std::string unpack_error;
    if (sub.archive) {
      std::string dest = work + "/unpacked/" + sub.student;
      if (!unpack(sub.path, dest, unpack_error)) notes.push_back(unpack_error);
      root = dest;
    }
    std::vector<std::string> files = unpack_error.empty() ? submission_files(root) : std::vector<std::string>{};

    // Find each exercise file, and anything else the student changed.
    std::map<std::string, std::string> chosen;  // exercise -> relative path of its exercise.cc
    std::map<std::string, std::vector<std::string>> tampered;
    std::vector<std::string> ignored;
    for (const auto& ex : catalog.exercises()) {
      std::string best;
      for (const auto& f : files) {
        if (f == ex.name + "/exercise.cc" || f.ends_with("/" + ex.name + "/exercise.cc")) {
          bool canonical = f.ends_with("exercises/" + ex.name + "/exercise.cc");
          if (best.empty() || canonical) best = f;
        }
      }
      if (!best.empty()) chosen[ex.name] = best;
    }
    for (const auto& f : files) {
      // Files a full copy of the tree has: only exercise.cc may differ.
      auto mine = read_file((root / f).string());
      auto theirs = read_file(pristine + "/" + f);
      if (!theirs || !mine || *mine == *theirs) continue;
      if (f.ends_with("/exercise.cc") || f == "exercise.cc") continue;
      bool counted = false;
      for (const auto& ex : catalog.exercises()) {
        std::string dir = "exercises/" + ex.name + "/";
        if (f.rfind(dir, 0) == 0 && !f.ends_with("README.md")) {
          tampered[ex.name].push_back(f);
          counted = true;
        }
      }
      if (!counted && !f.ends_with(".md")) ignored.push_back(f);
    }
    if (!ignored.empty()) {
      std::string list;
      for (size_t i = 0; i < ignored.size() && i < 10; ++i) list += (i ? ", " : "") + ignored[i];
      notes.push_back("changes outside exercise files are ignored (grading always uses the original tests, "
                      "primitives and checker): " + list + (ignored.size() > 10 ? ", ..." : ""));
    }

    // Decide per exercise: reuse, grade 0 at once, or build and run.
    std::map<std::string, json> results;
    std::vector<const Exercise*> to_run;
    std::map<std::string, std::string> keys;
    for (const auto& ex : catalog.exercises()) {
      std::string result_file = student_dir + "/exercises/" + ex.name + ".json";
      std::string content;
      bool submitted = chosen.count(ex.name) != 0;
      if (submitted) content = read_file((root / chosen[ex.name]).string()).value_or("");
      std::string key = content_hash(std::to_string(kGraderVersion) + "|" + pristine_id + "|" +
                                     std::to_string(options.runs) + "|" + spec_text(explore_plan(options)) + "|" +
                                     (submitted ? content : "<none>") + "|" +
                                     (tampered.count(ex.name) ? "tampered" : ""));
      keys[ex.name] = key;
      if (auto old = read_file(result_file)) {
        auto doc = json::parse(*old, nullptr, false);
        if (doc.is_object() && doc.value("key", "") == key) {
          results[ex.name] = doc;
          continue;
        }
      }
      // What a fix may use, as `bazel test` and `check` judge it: the solution.
      auto reference = read_file(pristine + "/" + ex.solution_file()).value_or("");
      json doc;
      if (!submitted) {
        doc = exercise_json(ex, key, false, "not submitted", {}, "No " + ex.name + "/exercise.cc in the submission.",
                            0, 0, 0);
      } else if (tampered.count(ex.name) != 0) {
        std::string list;
        for (const auto& f : tampered[ex.name]) list += (list.empty() ? "" : ", ") + f;
        doc = exercise_json(ex, key, false, "integrity: changed files other than exercise.cc", {"integrity"},
                            "Only exercise.cc may change; this submission also changed " + list +
                                ". Graded 0 for this exercise.",
                            0, 0, 0);
      } else if (content.size() > kMaxSourceBytes) {
        doc = exercise_json(ex, key, false, "exercise.cc is too large to be a source file", {"integrity"},
                            "exercise.cc is larger than 1 MiB.", 0, 0, 0);
      } else if (auto violations = scan_submission(content, reference); !violations.empty()) {
        // The source alone is enough to refuse it: no build needed.
        doc = refusal_json(ex, key, violations, content);
      } else {
        to_run.push_back(&ex);
        continue;
      }
      write_file_atomically(result_file, doc.dump(2) + "\n");
      results[ex.name] = doc;
    }

    if (!to_run.empty()) {
      // Lay the submission over the pristine tree: every exercise.cc is the
      // student's where graded now, the original otherwise.
      for (const auto& ex : catalog.exercises()) {
        bool now = std::find(to_run.begin(), to_run.end(), &ex) != to_run.end();
        std::string source = now ? read_file((root / chosen[ex.name]).string()).value_or("")
                                 : read_file(pristine + "/" + ex.exercise_file()).value_or("");
        std::string target = slot + "/" + ex.exercise_file();
        if (read_file(target) != source) write_file_atomically(target, source);
      }
      std::vector<std::string> targets;
      for (const Exercise* ex : to_run) targets.push_back(ex->exercise_target());
      BazelOptions bazel;
      bazel.workspace = slot;
      bazel.extra_flags = {"--keep_going"};
      BuildOutcome built = build(targets, bazel);
      if (!built.failure.empty() && built.errors.empty()) {
        std::cerr << built.output << "\nracelings: " << built.failure << " while grading " << sub.student << "\n";
        return kExitInternal;
      }
      std::vector<std::pair<const Exercise*, TestRun>> tests;
      for (const Exercise* ex : to_run) {
        if (!built.built[ex->exercise_target()]) {
          auto errors = errors_in(built.errors, "exercises/" + ex->name + "/");
          std::string text = "Graded 0: exercise.cc does not compile.\n";
          for (const auto& e : errors) text += report::render(e, false);
          json doc = exercise_json(*ex, keys[ex->name], false, "build error", {"build error"}, text, 0, 0, 0);
          write_file_atomically(student_dir + "/exercises/" + ex->name + ".json", doc.dump(2) + "\n");
          results[ex->name] = doc;
          continue;
        }
        std::string program = output_path(built, slot, ex->exercise_target());
        // The layers only the build shows: preprocessed text, IR, object.
        IntegrityReport integrity = check_test_program(program);
        if (!integrity.ok()) {
          json doc = refusal_json(*ex, keys[ex->name], refusals(integrity), integrity.source_text);
          write_file_atomically(student_dir + "/exercises/" + ex->name + ".json", doc.dump(2) + "\n");
          results[ex->name] = doc;
          continue;
        }
        tests.push_back({ex, TestRun{program, {}}});
      }
      // Said once per student: the results' text would otherwise show bare addresses unexplained.
      std::string symbolizer = report::symbolizer_preflight();
      if (!symbolizer.empty()) std::cerr << "racelings: warning: " << symbolizer << "\n";
      auto verdicts = run_many(tests, options.runs, options.jobs);
      // Clean runs are not proof: each exercise that had them is explored
      // under the controlled scheduler too, over the same schedules for every
      // student (a fixed strategy and seed).
      std::vector<std::pair<const Exercise*, TestRun>> explore_tests;
      std::vector<size_t> explored_index(tests.size(), SIZE_MAX);
      for (size_t i = 0; i < tests.size(); ++i) {
        bool all_clean = std::all_of(verdicts[i].begin(), verdicts[i].end(), [](const RunVerdict& v) { return v.clean; });
        if (!all_clean || options.explore == 0) continue;
        explored_index[i] = explore_tests.size();
        explore_tests.push_back({tests[i].first, explore_test_run(tests[i].second.binary, explore_plan(options))});
      }
      auto explored = run_many(explore_tests, 1, options.jobs);
      // The failing schedule of each failing exercise, step by step.
      std::vector<FailedExercise> failed;
      for (size_t i = 0; i < tests.size(); ++i) {
        const RunVerdict* exploration = explored_index[i] == SIZE_MAX ? nullptr : &explored[explored_index[i]][0];
        if (exploration != nullptr && exploration->clean) continue;
        failed.push_back({tests[i].first, tests[i].second.binary, exploration});
      }
      auto pages = schedule_pages(failed, explore_plan(options), options.jobs, slot, student_dir);
      for (size_t i = 0; i < tests.size(); ++i) {
        const Exercise& ex = *tests[i].first;
        int clean = 0;
        double seconds = 0;
        std::vector<report::Finding> all;
        for (const auto& v : verdicts[i]) {
          clean += v.clean ? 1 : 0;
          seconds += static_cast<double>(v.run.elapsed.count()) / 1000.0;
          all.insert(all.end(), v.findings.begin(), v.findings.end());
        }
        const RunVerdict* exploration = explored_index[i] == SIZE_MAX ? nullptr : &explored[explored_index[i]][0];
        if (exploration != nullptr && !exploration->clean) {
          all.insert(all.end(), exploration->findings.begin(), exploration->findings.end());
        }
        all = report::merge_findings(std::move(all));
        bool passed = clean == options.runs && (exploration == nullptr || exploration->clean);
        std::vector<std::string> kind_names;
        for (Kind k : kinds(all)) kind_names.push_back(std::string(report::kind_name(k)));
        std::string explored_text =
            exploration == nullptr ? ""
            : exploration->clean   ? ", nor in " + std::to_string(exploration->explore.schedules) +
                                       " schedules under the controlled scheduler"
                                   : "";
        std::string text =
            passed ? "Passed: the tests passed and " + std::string(sanitizer_title(ex.sanitizer)) +
                         " and the deadlock detector saw nothing in " + std::to_string(options.runs) + " run(s)" +
                         explored_text + ".\n"
            : clean < options.runs
                ? (symbolizer.empty() ? "" : "Note: " + symbolizer + "\n\n") + "Failed in " +
                      std::to_string(options.runs - clean) + " of " + std::to_string(options.runs) + " run(s):\n\n" +
                      report::render_all(all, report::Style{})
                : "Every run passed, but under the controlled scheduler schedule " + exploration->explore.schedule +
                      " fails (replay it: ./racelings replay " + ex.number + " " + exploration->explore.schedule +
                      "):\n\n" + report::render_all(all, report::Style{});
        std::string reason = passed ? "" : (kind_names.empty() ? "failed" : kind_names.front());
        auto page = pages.find(ex.name);
        if (!passed && page != pages.end()) {
          text += "\nA failing schedule, step by step (the same as a page: " + page->second.page +
                  " in this student's results):\n\n" + page->second.timeline;
        }
        json doc = exercise_json(ex, keys[ex.name], passed, reason, kind_names, text, options.runs, clean, seconds);
        if (!passed && page != pages.end()) doc["replay_page"] = page->second.page;
        write_file_atomically(student_dir + "/exercises/" + ex.name + ".json", doc.dump(2) + "\n");
        results[ex.name] = doc;
      }
    }

    // The student's Gradescope results.json.
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    json gs;
    int score = 0;
    gs["tests"] = json::array();
    for (const auto& ex : catalog.exercises()) {
      const json& r = results[ex.name];
      score += r.value("score", 0);
      gs["tests"].push_back({{"name", ex.name},
                             {"score", r.value("score", 0)},
                             {"max_score", 1},
                             {"status", r.value("status", "failed")},
                             {"output", r.value("output", "")},
                             {"visibility", "visible"}});
    }
    std::string summary = "racelings: " + std::to_string(score) + " of " +
                          std::to_string(catalog.exercises().size()) + " exercises pass.";
    for (const auto& n : notes) summary += "\nNote: " + n;
    gs["score"] = score;
    gs["execution_time"] = static_cast<int>(elapsed + 0.5);
    gs["output"] = summary;
    gs["visibility"] = "visible";
    write_file_atomically(student_dir + "/results.json", gs.dump(2) + "\n");
    char line[256];
    std::snprintf(line, sizeof(line), "  %-24s %3d/%zu  (%.1f s%s)", sub.student.c_str(), score,
                  catalog.exercises().size(), elapsed, to_run.empty() ? ", all results reused" : "");
    std::cout << line << "\n" << std::flush;
    write_file_atomically(student_dir + "/notes.json", json(notes).dump(2) + "\n");
  }

  // Class-wide outputs, from every student's result files (also those graded
  // by an earlier run), so a resumed or partial run still reports the class.
  for (const Submission& sub : all_submissions) {
    std::string student_dir = out + "/" + sub.student;
    json row{{"student", sub.student}, {"score", 0}, {"results", json::object()}, {"notes", json::array()}};
    if (auto notes = read_file(student_dir + "/notes.json")) {
      auto parsed = json::parse(*notes, nullptr, false);
      if (parsed.is_array()) row["notes"] = parsed;
    }
    int score = 0;
    bool any = false;
    for (const auto& ex : catalog.exercises()) {
      auto text = read_file(student_dir + "/exercises/" + ex.name + ".json");
      json r = text ? json::parse(*text, nullptr, false) : json();
      if (!r.is_object()) continue;
      any = true;
      score += r.value("score", 0);
      row["results"][ex.name] = {{"score", r.value("score", 0)}, {"reason", r.value("reason", "")},
                                 {"kinds", r.value("kinds", json::array())}};
      if (r.contains("replay_page")) row["results"][ex.name]["page"] = sub.student + "/" + r.value("replay_page", "");
    }
    if (!any) continue;
    row["score"] = score;
    cls["students"].push_back(row);
  }
  std::ostringstream csv;
  csv << "student";
  for (const auto& ex : catalog.exercises()) csv << "," << ex.name;
  csv << ",total\n";
  for (const auto& row : cls["students"]) {
    csv << row["student"].get<std::string>();
    for (const auto& ex : catalog.exercises()) csv << "," << row["results"][ex.name].value("score", 0);
    csv << "," << row["score"].get<int>() << "\n";
  }
  write_file_atomically(out + "/class.csv", csv.str());
  write_file_atomically(out + "/class.json", cls.dump(2) + "\n");
  write_file_atomically(out + "/report.html", class_report_html(cls));
  std::cout << "Wrote " << out << "/class.csv, report.html and <student>/results.json\n";
  ::close(lock_fd);
  return kExitOk;
}

std::string class_report_html(const json& cls) {
  std::ostringstream out;
  const auto& exercises = cls.at("exercises");
  const auto& students = cls.at("students");
  out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>racelings class report</title>"
      << "<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
      << "table{border-collapse:collapse} th,td{border:1px solid #ddd;padding:.25em .45em;text-align:center}"
      << "th.ex{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;white-space:nowrap}"
      << "td.pass{background:#4caf50;color:#fff} td.fail{background:#e57373;color:#fff} td.none{background:#eee;color:#888}"
      << "td.fail a{color:#fff;text-decoration:none} td.name{text-align:left} .bar{background:#4caf50;height:.8em;display:inline-block}"
      << ".bars td{text-align:left}</style></head><body>\n";
  out << "<h1>racelings class report</h1>\n<p>" << students.size() << " students, " << exercises.size()
      << " exercises. Green: passes; red: fails (hover for the reason).</p>\n";
  out << "<h2>Class matrix</h2>\n<table id=\"matrix\"><tr><th>student</th>";
  for (const auto& e : exercises) out << "<th class=\"ex\">" << html_escape(e.get<std::string>()) << "</th>";
  out << "<th>total</th></tr>\n";
  std::map<std::string, int> passes;
  std::map<std::string, int> finding_counts;
  for (const auto& s : students) {
    out << "<tr><td class=\"name\">" << html_escape(s.value("student", "")) << "</td>";
    for (const auto& e : exercises) {
      std::string name = e.get<std::string>();
      const auto& r = s["results"].contains(name) ? s["results"][name] : json::object();
      int score = r.value("score", 0);
      std::string reason = r.value("reason", "");
      passes[name] += score;
      for (const auto& k : r.value("kinds", json::array())) finding_counts[k.get<std::string>()]++;
      std::string cls_name = score > 0 ? "pass" : (reason == "not submitted" ? "none" : "fail");
      std::string mark = score > 0 ? "&#10003;" : (reason == "not submitted" ? "&middot;" : "&#10007;");
      // A failure the scheduler can show links to its timeline.
      std::string page = r.value("page", "");
      if (!page.empty()) mark = "<a href=\"" + html_escape(page) + "\">" + mark + "</a>";
      out << "<td class=\"" << cls_name << "\" title=\"" << html_escape(name + ": " + (score > 0 ? "passes" : reason))
          << "\">" << mark << "</td>";
    }
    out << "<td>" << s.value("score", 0) << "</td></tr>\n";
  }
  out << "</table>\n<h2>Pass rate per exercise</h2>\n<table class=\"bars\" id=\"pass-rates\">";
  for (const auto& e : exercises) {
    std::string name = e.get<std::string>();
    double rate = students.empty() ? 0.0 : static_cast<double>(passes[name]) / static_cast<double>(students.size());
    char pct[16];
    std::snprintf(pct, sizeof(pct), "%.0f%%", rate * 100);
    out << "<tr><td>" << html_escape(name) << "</td><td><span class=\"bar\" style=\"width:" << static_cast<int>(rate * 200)
        << "px\"></span> " << pct << "</td></tr>\n";
  }
  out << "</table>\n<h2>Most common findings</h2>\n<table id=\"findings\"><tr><th>finding</th><th>exercises failed with it</th></tr>\n";
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& [k, n] : finding_counts) sorted.push_back({n, k});
  std::sort(sorted.rbegin(), sorted.rend());
  for (const auto& [n, k] : sorted) out << "<tr><td>" << html_escape(k) << "</td><td>" << n << "</td></tr>\n";
  out << "</table>\n</body></html>\n";
  return out.str();
}

}  // namespace racelings::checker
