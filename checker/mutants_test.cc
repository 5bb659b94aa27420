#include "checker/mutants.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace racelings::checker {
namespace {

using report::Kind;

Exercise lost_wakeup() {
  Exercise ex;
  ex.name = "23_lost_wakeup";
  ex.number = "23";
  ex.expect = Kind::kDeadlock;
  return ex;
}

RunVerdict clean_run() {
  RunVerdict v;
  v.clean = true;
  return v;
}

RunVerdict failed_run(Kind kind) {
  RunVerdict v;
  v.clean = false;
  report::Finding f;
  f.kind = kind;
  v.findings.push_back(f);
  return v;
}

TEST(MutantHeader, NamesTheMistakeTheLayerAndTheFinding) {
  const Exercise ex = lost_wakeup();
  Mutant m = parse_mutant(ex, "exercises/23_lost_wakeup/mutants/if_not_loop.cc",
                          "// Waits with `if` instead of a loop.\n"
                          "// expect: explore: test failure\n"
                          "//\n"
                          "// Exercise 23: lost wakeup\n"
                          "#include <string>\n");
  EXPECT_EQ(m.name, "if_not_loop");
  EXPECT_EQ(m.mistake, "Waits with `if` instead of a loop.");
  EXPECT_EQ(m.expect, Layer::kExplore);
  ASSERT_TRUE(m.finding.has_value());
  EXPECT_EQ(*m.finding, Kind::kTestFailure);
  EXPECT_EQ(m.target(), "//exercises/23_lost_wakeup:mutant_if_not_loop");
  EXPECT_EQ(m.label(), "23_lost_wakeup/if_not_loop");

  Mutant plain = parse_mutant(ex, "m/x.cc", "// Sleeps instead of joining.\n// expect: runs\n");
  EXPECT_EQ(plain.expect, Layer::kRuns);
  EXPECT_FALSE(plain.finding.has_value());
}

TEST(MutantHeader, AMalformedHeaderSaysWhatToWrite) {
  const Exercise ex = lost_wakeup();
  auto message = [&](const std::string& source, const std::string& path = "m/x.cc") {
    try {
      parse_mutant(ex, path, source);
    } catch (const MutantError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(message("#include <string>\n").find("first line must be a comment"), std::string::npos);
  EXPECT_NE(message("// expect: runs\n").find("first line must be a comment"), std::string::npos);
  EXPECT_NE(message("// A mistake.\n#include <x>\n// expect: runs\n").find("no `// expect:"), std::string::npos);
  EXPECT_NE(message("// A mistake.\n// expect: luck\n").find("unknown layer \"luck\""), std::string::npos);
  EXPECT_NE(message("// A mistake.\n// expect: build\n").find("a mutant must build"), std::string::npos);
  EXPECT_NE(message("// A mistake.\n// expect: runs: bad vibes\n").find("unknown finding \"bad vibes\""),
            std::string::npos);
  EXPECT_NE(message("// A mistake.\n// expect: runs\n// expect: explore\n").find("more than one"), std::string::npos);
  EXPECT_NE(message("// A mistake.\n// expect: runs\n", "m/bad-name.cc").find("underscores"), std::string::npos);
}

TEST(MutantVerdict, RejectedInEveryRunWithTheExpectedFinding) {
  const Exercise ex = lost_wakeup();
  Mutant m = parse_mutant(ex, "m/x.cc", "// A mistake.\n// expect: runs: deadlock\n");
  MutantEvidence e;
  e.runs = {failed_run(Kind::kDeadlock), failed_run(Kind::kDeadlock)};
  MutantResult r = judge_mutant(m, e);
  EXPECT_EQ(r.status, MutantStatus::kRejected);
  EXPECT_EQ(r.rejected_by, Layer::kRuns);
  EXPECT_EQ(r.rejected_runs, 2);
  EXPECT_TRUE(status_ok(r.status));

  // One run rejects it another way: still rejected every time, and the
  // expected finding did show.
  e.runs = {failed_run(Kind::kDeadlock), failed_run(Kind::kTimeout)};
  EXPECT_EQ(judge_mutant(m, e).status, MutantStatus::kRejected);

  // Rejected every time, never the way it was written for: the mutant or its header is wrong.
  e.runs = {failed_run(Kind::kTimeout), failed_run(Kind::kTimeout)};
  r = judge_mutant(m, e);
  EXPECT_EQ(r.status, MutantStatus::kMisjudged) << r.why;
  EXPECT_NE(r.why.find("none shows deadlock"), std::string::npos) << r.why;
  EXPECT_FALSE(status_ok(r.status));
}

TEST(MutantVerdict, AMutantThatPassesSomeRunsIsALuckyVerdict) {
  const Exercise ex = lost_wakeup();
  Mutant m = parse_mutant(ex, "m/x.cc", "// A mistake.\n// expect: runs\n");
  MutantEvidence e;
  e.runs = {failed_run(Kind::kTestFailure), clean_run()};
  EXPECT_EQ(judge_mutant(m, e).status, MutantStatus::kUnreliable);
  e.runs = {clean_run(), clean_run()};
  MutantResult r = judge_mutant(m, e);
  EXPECT_EQ(r.status, MutantStatus::kPassed);
  EXPECT_FALSE(r.rejected_by.has_value());
}

TEST(MutantVerdict, OnlyExplorationCanRejectIsPendingWhenTheAuditDidNotExplore) {
  const Exercise ex = lost_wakeup();
  Mutant m = parse_mutant(ex, "m/x.cc", "// A mistake.\n// expect: explore\n");
  MutantEvidence e;
  e.runs = {clean_run(), failed_run(Kind::kTestFailure)};
  MutantResult r = judge_mutant(m, e);
  EXPECT_EQ(r.status, MutantStatus::kPendingExploration);
  EXPECT_NE(r.why.find("1/2 runs"), std::string::npos) << r.why;

  // With an exploration verdict, that verdict decides.
  e.explored_rejects = true;
  r = judge_mutant(m, e);
  EXPECT_EQ(r.status, MutantStatus::kRejected);
  EXPECT_EQ(r.rejected_by, Layer::kExplore);
  e.explored_rejects = false;
  EXPECT_EQ(judge_mutant(m, e).status, MutantStatus::kPassed);

  // The ordinary runs may reject it first, every time.
  e.explored_rejects.reset();
  e.runs = {failed_run(Kind::kTestFailure), failed_run(Kind::kTestFailure)};
  r = judge_mutant(m, e);
  EXPECT_EQ(r.status, MutantStatus::kRejected);
  EXPECT_EQ(r.rejected_by, Layer::kRuns);

  // Runs that reject it for another reason than the one the header names do
  // not decide for exploration: still pending.
  Mutant named = parse_mutant(ex, "m/y.cc", "// A mistake.\n// expect: explore: data race\n");
  EXPECT_EQ(judge_mutant(named, e).status, MutantStatus::kPendingExploration);
}

TEST(MutantVerdict, TheIntegrityLayerMustBeTheOneExpected) {
  const Exercise ex = lost_wakeup();
  MutantEvidence flagged;
  flagged.violations.push_back(Violation{3, "no-sanitize", "turns sanitizer instrumentation off"});
  Mutant expects_scan = parse_mutant(ex, "m/x.cc", "// Silences TSan.\n// expect: integrity\n");
  MutantResult r = judge_mutant(expects_scan, flagged);
  EXPECT_EQ(r.status, MutantStatus::kRejected);
  EXPECT_EQ(r.rejected_by, Layer::kIntegrity);

  Mutant expects_runs = parse_mutant(ex, "m/x.cc", "// A mistake.\n// expect: runs\n");
  EXPECT_EQ(judge_mutant(expects_runs, flagged).status, MutantStatus::kMisjudged);

  MutantEvidence unflagged;
  unflagged.runs = {failed_run(Kind::kDataRace)};
  EXPECT_EQ(judge_mutant(expects_scan, unflagged).status, MutantStatus::kMisjudged);
}

TEST(MutantVerdict, AMutantThatDoesNotBuildIsBrokenNotRejected) {
  const Exercise ex = lost_wakeup();
  Mutant m = parse_mutant(ex, "m/x.cc", "// A mistake.\n// expect: runs\n");
  MutantEvidence e;
  e.built = false;
  MutantResult r = judge_mutant(m, e);
  EXPECT_EQ(r.status, MutantStatus::kMisjudged);
  EXPECT_EQ(r.rejected_by, Layer::kBuild);
  EXPECT_NE(r.why.find("does not build"), std::string::npos);
}

TEST(MutantFiles, FoundSortedAndBadHeadersReported) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::filesystem::path dir = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") / "mutants_test_exercise";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "mutants");
  std::ofstream(dir / "mutants" / "zeta.cc") << "// Z.\n// expect: runs\n";
  std::ofstream(dir / "mutants" / "alpha.cc") << "// A.\n// expect: explore\n";
  std::ofstream(dir / "mutants" / "broken.cc") << "int x;\n";
  std::ofstream(dir / "mutants" / "notes.txt") << "not a mutant\n";
  const Exercise ex = lost_wakeup();
  std::vector<std::string> errors;
  std::vector<Mutant> found = find_mutants(ex, dir.string(), errors);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "alpha");
  EXPECT_EQ(found[1].name, "zeta");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("broken.cc"), std::string::npos);

  EXPECT_TRUE(find_mutants(ex, (dir / "missing").string(), errors).empty());
}

TEST(MutantTally, CountsRejectedPendingAndFailed) {
  std::vector<MutantResult> results(4);
  results[0].status = MutantStatus::kRejected;
  results[1].status = MutantStatus::kRejected;
  results[2].status = MutantStatus::kPendingExploration;
  results[3].status = MutantStatus::kUnreliable;
  MutantTally t = tally(results);
  EXPECT_EQ(t.total, 4);
  EXPECT_EQ(t.rejected, 2);
  EXPECT_EQ(t.pending, 1);
  EXPECT_EQ(t.failed, 1);
  EXPECT_EQ(tally_text(t), "2/4 +1 pending");
  EXPECT_EQ(tally_text(MutantTally{}), "-");
}

}  // namespace
}  // namespace racelings::checker
