#include "checker/mutants.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "checker/report/report_parser.h"

namespace racelings::checker {

namespace fs = std::filesystem;
using report::Kind;

std::string_view layer_name(Layer layer) {
  switch (layer) {
    case Layer::kIntegrity:
      return "integrity";
    case Layer::kBuild:
      return "build";
    case Layer::kRuns:
      return "runs";
    case Layer::kExplore:
      return "explore";
  }
  return "?";
}

std::string_view status_name(MutantStatus status) {
  switch (status) {
    case MutantStatus::kRejected:
      return "rejected";
    case MutantStatus::kPendingExploration:
      return "pending exploration";
    case MutantStatus::kPassed:
      return "passed";
    case MutantStatus::kUnreliable:
      return "unreliable";
    case MutantStatus::kMisjudged:
      return "misjudged";
  }
  return "?";
}

bool status_ok(MutantStatus status) {
  return status == MutantStatus::kRejected || status == MutantStatus::kPendingExploration;
}

namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<Layer> parse_layer(std::string_view name) {
  for (Layer l : {Layer::kIntegrity, Layer::kBuild, Layer::kRuns, Layer::kExplore}) {
    if (layer_name(l) == name) return l;
  }
  return std::nullopt;
}

}  // namespace

Mutant parse_mutant(const Exercise& exercise, const std::string& path, std::string_view source) {
  Mutant m;
  m.exercise = &exercise;
  m.path = path;
  m.name = fs::path(path).stem().string();
  auto fail = [&](int line, const std::string& what) {
    throw MutantError(path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + what);
  };
  for (char c : m.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      fail(0, "a mutant's file name must be letters, digits and underscores (it becomes the Bazel target mutant_" +
                  m.name + ")");
    }
  }
  std::istringstream in{std::string(source)};
  std::string line;
  bool expect_seen = false;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.rfind("//", 0) != 0) break;  // The leading comment block ends here.
    std::string text = trim(std::string_view(line).substr(2));
    if (number == 1) {
      if (text.empty() || text.rfind("expect:", 0) == 0) {
        fail(1, "the first line must be a comment saying what the student got wrong");
      }
      m.mistake = text;
      continue;
    }
    if (text.rfind("expect:", 0) != 0) continue;
    if (expect_seen) fail(number, "more than one `// expect:` line");
    expect_seen = true;
    std::string rest = trim(std::string_view(text).substr(7));
    std::string layer = rest, finding;
    if (size_t colon = rest.find(':'); colon != std::string::npos) {
      layer = trim(std::string_view(rest).substr(0, colon));
      finding = trim(std::string_view(rest).substr(colon + 1));
    }
    auto parsed = parse_layer(layer);
    if (!parsed || *parsed == Layer::kBuild) {
      fail(number,
           "unknown layer \"" + layer + "\" in `// expect:`; use runs, explore or integrity (a mutant must build)");
    }
    m.expect = *parsed;
    if (!finding.empty()) {
      auto kind = report::parse_kind(finding);
      if (!kind || *kind == Kind::kClean) {
        fail(number, "unknown finding \"" + finding +
                         "\" in `// expect:`; use one of the checker's kinds, "
                         "such as \"data race\", \"deadlock\" or \"test failure\"");
      }
      m.finding = kind;
    }
  }
  if (m.mistake.empty()) fail(1, "the first line must be a comment saying what the student got wrong");
  if (!expect_seen) {
    fail(0,
         "no `// expect: runs|explore|integrity` line in the leading comment: say which layer of the "
         "grader must reject this wrong fix");
  }
  return m;
}

std::vector<Mutant> find_mutants(const Exercise& exercise, const std::string& exercise_dir,
                                 std::vector<std::string>& errors) {
  std::vector<Mutant> out;
  std::error_code ec;
  fs::path dir = fs::path(exercise_dir) / "mutants";
  if (!fs::is_directory(dir, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".cc") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    try {
      out.push_back(parse_mutant(exercise, file.string(), text.str()));
    } catch (const MutantError& e) {
      errors.push_back(e.what());
    }
  }
  return out;
}

namespace {

std::string count_of(int n, const std::string& what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

void judge_runs(const Mutant& m, const MutantEvidence& evidence, MutantResult& r) {
  const int n = r.runs;
  const bool every_run = n > 0 && r.rejected_runs == n;
  // What must hold every time is the verdict; the finding the header names
  // must show in some run (a sanitizer may miss one occurrence, and another
  // check of the same run still rejects it).
  const bool finding_seen = !m.finding || std::find(r.kinds.begin(), r.kinds.end(), *m.finding) != r.kinds.end();
  if (every_run && finding_seen) {
    r.status = MutantStatus::kRejected;
    r.rejected_by = Layer::kRuns;
    r.why = m.expect == Layer::kExplore ? "the ordinary runs already reject it, in every run" : "every run rejects it";
    return;
  }
  if (every_run && m.expect == Layer::kRuns) {
    r.status = MutantStatus::kMisjudged;
    r.rejected_by = Layer::kRuns;
    r.why = "every run rejects it, but none shows " + std::string(report::kind_name(*m.finding)) +
            ", which its header expects: it fails for another reason than the one it was written for";
    return;
  }
  std::string runs_said = std::to_string(r.rejected_runs) + "/" + std::to_string(n) + " runs rejected it";
  if (every_run) runs_said += ", none with " + std::string(report::kind_name(*m.finding));
  if (m.expect == Layer::kExplore) {
    if (evidence.explored_rejects.has_value()) {
      r.status = *evidence.explored_rejects ? MutantStatus::kRejected : MutantStatus::kPassed;
      if (*evidence.explored_rejects) r.rejected_by = Layer::kExplore;
      r.why = *evidence.explored_rejects ? "an explored schedule fails it" : "no explored schedule fails it";
    } else {
      r.status = MutantStatus::kPendingExploration;
      r.why = runs_said + "; only exploration can reject it every time, and this audit did not explore";
    }
    return;
  }
  r.status = r.rejected_runs > 0 ? MutantStatus::kUnreliable : MutantStatus::kPassed;
  r.why = r.rejected_runs > 0 ? "only " + runs_said + ": a verdict that depends on luck"
                              : "every run passes it: the tests cannot see this mistake";
}

}  // namespace

MutantResult judge_mutant(const Mutant& m, const MutantEvidence& evidence) {
  MutantResult r;
  r.mutant = m;
  std::vector<report::Finding> all;
  for (const RunVerdict& v : evidence.runs) {
    ++r.runs;
    r.rejected_runs += v.clean ? 0 : 1;
    r.seconds += static_cast<double>(v.run.elapsed.count()) / 1000.0;
    for (Kind k : kinds(v.findings)) {
      if (std::find(r.kinds.begin(), r.kinds.end(), k) == r.kinds.end()) r.kinds.push_back(k);
    }
    all.insert(all.end(), v.findings.begin(), v.findings.end());
  }
  r.findings = report::merge_findings(std::move(all));

  if (!evidence.violations.empty()) {
    r.rejected_by = Layer::kIntegrity;
    r.status = m.expect == Layer::kIntegrity ? MutantStatus::kRejected : MutantStatus::kMisjudged;
    r.why = m.expect == Layer::kIntegrity ? "the integrity scan rejects it: " + evidence.violations.front().reason
                                          : "the integrity scan rejects it (" + evidence.violations.front().reason +
                                                "), but its header expects " + std::string(layer_name(m.expect)) +
                                                ": a mutant must fail the way it says";
    return r;
  }
  if (m.expect == Layer::kIntegrity) {
    r.status = MutantStatus::kMisjudged;
    r.why = "its header expects the integrity scan to reject it, and the scan finds nothing";
    return r;
  }
  if (!evidence.built) {
    r.rejected_by = Layer::kBuild;
    r.kinds = {Kind::kBuildError};
    r.findings = evidence.build_errors;
    r.status = MutantStatus::kMisjudged;
    r.why = "it does not build (" + count_of(static_cast<int>(evidence.build_errors.size()), "error") +
            "): a wrong fix must compile to test the tests; fix the mutant";
    return r;
  }
  judge_runs(m, evidence, r);
  return r;
}

}  // namespace racelings::checker

namespace racelings::checker {

MutantTally tally(const std::vector<MutantResult>& results) {
  MutantTally t;
  for (const MutantResult& r : results) {
    ++t.total;
    if (r.status == MutantStatus::kRejected) ++t.rejected;
    else if (r.status == MutantStatus::kPendingExploration) ++t.pending;
    else ++t.failed;
  }
  return t;
}

std::string tally_text(const MutantTally& t) {
  if (t.total == 0) return "-";
  std::string s = std::to_string(t.rejected) + "/" + std::to_string(t.total);
  if (t.pending > 0) s += " +" + std::to_string(t.pending) + " pending";
  return s;
}

nlohmann::json mutant_json(const MutantResult& r) {
  nlohmann::json kinds = nlohmann::json::array();
  for (Kind k : r.kinds) kinds.push_back(std::string(report::kind_name(k)));
  nlohmann::json j{{"name", r.mutant.name},
                   {"mistake", r.mutant.mistake},
                   {"expect", std::string(layer_name(r.mutant.expect))},
                   {"status", std::string(status_name(r.status))},
                   {"ok", status_ok(r.status)},
                   {"rejected_by", r.rejected_by ? nlohmann::json(std::string(layer_name(*r.rejected_by))) : nullptr},
                   {"runs", r.runs},
                   {"rejected_runs", r.rejected_runs},
                   {"kinds", kinds},
                   {"seconds", r.seconds},
                   {"why", r.why}};
  j["expect_finding"] = r.mutant.finding ? nlohmann::json(std::string(report::kind_name(*r.mutant.finding))) : nullptr;
  return j;
}

}  // namespace racelings::checker
