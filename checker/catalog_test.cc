#include "checker/catalog.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "checker/integrity/source_scan.h"
#include "checker/mutants.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

const char* kTwo = R"({
  "chapters": [{"id": "threads", "title": "Threads"}],
  "exercises": [
    {"name": "02_move_borrow", "chapter": "threads", "sanitizer": "asan", "expect": "stack-use-after-return",
     "task": "t2", "hints": ["a", "b"], "env": {"X": "1"}, "timeout_s": 5},
    {"name": "01_spawn_join", "chapter": "threads", "sanitizer": "tsan", "expect": "data race",
     "task": "t1", "hints": ["h"]}
  ]
})";

TEST(Catalog, ExercisesComeOutInNumberOrderWithTheirFields) {
  Catalog c = Catalog::parse(kTwo, "test");
  ASSERT_EQ(c.exercises().size(), 2u);
  const Exercise& first = c.exercises()[0];
  EXPECT_EQ(first.name, "01_spawn_join");
  EXPECT_EQ(first.number, "01");
  EXPECT_EQ(first.topic, "spawn join");
  EXPECT_EQ(first.chapter_title, "Threads");
  EXPECT_EQ(first.expect, report::Kind::kDataRace);
  EXPECT_EQ(first.timeout_s, 10);
  const Exercise& second = c.exercises()[1];
  EXPECT_EQ(second.expect, report::Kind::kStackUseAfterReturn);
  EXPECT_EQ(second.env.at("X"), "1");
  EXPECT_EQ(second.timeout_s, 5);
  EXPECT_EQ(second.hints.size(), 2u);
  EXPECT_EQ(second.exercise_target(), "//exercises/02_move_borrow:test");
  EXPECT_EQ(second.solution_file(), "solutions/02_move_borrow/solution.cc");
}

TEST(Catalog, FindsExercisesByNumberNameOrTopic) {
  Catalog c = Catalog::parse(kTwo, "test");
  EXPECT_EQ(c.find("1")->name, "01_spawn_join");
  EXPECT_EQ(c.find("01")->name, "01_spawn_join");
  EXPECT_EQ(c.find("02_move_borrow")->name, "02_move_borrow");
  EXPECT_EQ(c.find("move_borrow")->name, "02_move_borrow");
  EXPECT_EQ(c.find("3"), nullptr);
  EXPECT_EQ(c.find("exercises/01_spawn_join/exercise.cc")->name, "01_spawn_join");
  EXPECT_EQ(c.find("/home/me/racelings/solutions/02_move_borrow/solution.cc")->name, "02_move_borrow");
  EXPECT_EQ(c.find("exercises/01_spawn_join"), c.find("1"));
  EXPECT_EQ(c.find("primitives/mutex.h"), nullptr);
  EXPECT_EQ(c.find("myexercises/01_spawn_join/exercise.cc"), nullptr);
  EXPECT_EQ(c.find("exercises/03_nothing/exercise.cc"), nullptr);
  EXPECT_EQ(c.find("nonsense"), nullptr);
  EXPECT_EQ(c.find("99999999999999999999"), nullptr);
  EXPECT_NE(c.unknown_message("move").find("02_move_borrow"), std::string::npos);
  EXPECT_NE(c.unknown_message("zzz").find("from 01 to 02"), std::string::npos);
}

// Each broken catalog names the entry and the field at fault.
TEST(Catalog, RejectsBrokenEntriesWithAMessageNamingTheField) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"not json", "not valid JSON"},
      {R"({"exercises": 3})", "\"exercises\" must be a list"},
      {R"({"exercises": [{"chapter": "x"}]})", "field \"name\""},
      {R"({"exercises": [{"name": "1_x", "chapter": "c", "sanitizer": "tsan", "expect": "data race", "task": "t", "hints": ["h"]}]})",
       "NN_topic"},
      {R"({"exercises": [{"name": "01_x", "chapter": "c", "sanitizer": "msan", "expect": "data race", "task": "t", "hints": ["h"]}]})",
       "sanitizer must be"},
      {R"({"exercises": [{"name": "01_x", "chapter": "c", "sanitizer": "tsan", "expect": "race", "task": "t", "hints": ["h"]}]})",
       "is not a finding kind"},
      {R"({"exercises": [{"name": "01_x", "chapter": "c", "sanitizer": "tsan", "expect": "clean", "task": "t", "hints": ["h"]}]})",
       "is not a finding kind"},
      {R"({"exercises": [{"name": "01_x", "chapter": "c", "sanitizer": "tsan", "expect": "data race", "task": "t", "hints": []}]})",
       "at least one hint"},
      {R"({"exercises": [{"name": "01_x", "chapter": "c", "sanitizer": "tsan", "expect": "data race", "task": "t", "hints": ["h"]},
                         {"name": "01_y", "chapter": "c", "sanitizer": "tsan", "expect": "data race", "task": "t", "hints": ["h"]}]})",
       "another exercise has number 01"},
      {R"({"chapters": [{"id": "a", "title": "A"}], "exercises": [{"name": "01_x", "chapter": "b", "sanitizer": "tsan", "expect": "data race", "task": "t", "hints": ["h"]}]})",
       "not in the \"chapters\" list"},
      {R"({"exercises": [{"name": "01_x", "chapter": "c", "sanitizer": "tsan", "expect": "data race", "task": "t", "hints": ["h"], "timeout_s": -1}]})",
       "timeout_s"},
  };
  for (const Case& c : cases) {
    try {
      Catalog::parse(c.json, "cat.json");
      ADD_FAILURE() << "accepted: " << c.json;
    } catch (const CatalogError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("cat.json", 0), 0u) << e.what();
    }
  }
}

// The real catalog: every entry valid, and every exercise has its files.
TEST(Catalog, TheProjectsCatalogIsValidAndEveryExerciseIsComplete) {
  std::string root = std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE");
  Catalog c = Catalog::load(root + "/exercises/catalog.json");
  EXPECT_FALSE(c.exercises().empty());
  std::set<std::string> chapters;
  for (const auto& ch : c.chapters()) chapters.insert(ch.id);
  for (const Exercise& ex : c.exercises()) {
    EXPECT_EQ(chapters.count(ex.chapter), 1u) << ex.name;
    EXPECT_GE(ex.hints.size(), 2u) << ex.name << ": give a hint in at least two parts";
    for (const std::string& file :
         {ex.exercise_file(), ex.solution_file(), ex.readme_file(), "exercises/" + ex.name + "/test.cc"}) {
      EXPECT_TRUE(std::filesystem::exists(root + "/" + file)) << file << " is missing";
    }
  }
}

// The source rules allow what the solution uses: the exercise as handed out
// must not break them either. (Every layer of the check runs on every
// solution in its own test, and on every exercise in integrity_catalog_test.)
TEST(Catalog, EveryExerciseAsHandedOutPassesTheSourceScan) {
  std::string root = std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE");
  Catalog c = Catalog::load(root + "/exercises/catalog.json");
  for (const Exercise& ex : c.exercises()) {
    auto exercise = read_file(root + "/" + ex.exercise_file());
    auto solution = read_file(root + "/" + ex.solution_file());
    ASSERT_TRUE(exercise && solution) << ex.name;
    for (const auto& v : scan_submission(*exercise, *solution)) {
      ADD_FAILURE() << ex.exercise_file() << ":" << v.line << ": " << v.rule << ": " << v.reason;
    }
  }
}

// Every exercise keeps at least two wrong fixes, each saying what the student
// got wrong and which layer must reject it. (The audit proves that each one
// is rejected, and by that layer.)
TEST(Catalog, EveryExerciseKeepsTwoWrongFixesWithReadableHeaders) {
  std::string root = std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE");
  Catalog c = Catalog::load(root + "/exercises/catalog.json");
  for (const Exercise& ex : c.exercises()) {
    std::vector<std::string> errors;
    std::vector<Mutant> mutants = find_mutants(ex, root + "/exercises/" + ex.name, errors);
    for (const auto& e : errors) ADD_FAILURE() << e;
    EXPECT_GE(mutants.size(), 2u) << ex.name << ": keep at least two wrong fixes in exercises/" << ex.name
                                  << "/mutants/";
    auto exercise = read_file(root + "/" + ex.exercise_file());
    ASSERT_TRUE(exercise) << ex.name;
    // The code, without comments and blanks: a wrong fix must change some.
    auto code = [](const std::string& text) {
      std::string out;
      for (char ch : strip_comments_and_strings(text)) {
        if (!std::isspace(static_cast<unsigned char>(ch))) out += ch;
      }
      return out;
    };
    for (const Mutant& m : mutants) {
      EXPECT_NE(code(read_file(m.path).value_or("")), code(*exercise)) << m.path << " changes no code of the exercise";
    }
  }
}

}  // namespace
}  // namespace racelings::checker
