#include "checker/integrity/completion.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace racelings::checker {
namespace {

TEST(Completion, TheRecordOfThisRunIsRead) {
  auto r = parse_completion("racelings-completion nonce=abc result=0 ran=3 total=3 failed=0\n", "abc");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result, 0);
  EXPECT_EQ(r->ran, 3);
  EXPECT_EQ(r->total, 3);
  EXPECT_EQ(completion_problem(r, 0), "");
}

TEST(Completion, ARecordWithAnotherNonceOrNoneDoesNotCount) {
  EXPECT_FALSE(parse_completion("racelings-completion nonce=guess result=0 ran=3 total=3 failed=0\n", "abc"));
  EXPECT_FALSE(parse_completion("racelings-completion nonce=abc result=0 ran=3 total=3 failed=0\n", ""));
  // A prefix of the nonce is not the nonce.
  EXPECT_FALSE(parse_completion("racelings-completion nonce=ab result=0 ran=3 total=3 failed=0\n", "abc"));
  EXPECT_FALSE(parse_completion("racelings-completion nonce=abc result=0\n", "abc"));
}

TEST(Completion, NoRecordMeansTheProgramLeftEarly) {
  std::string problem = completion_problem(std::nullopt, 0);
  EXPECT_NE(problem.find("before its tests finished"), std::string::npos);
  EXPECT_NE(problem.find("code 0"), std::string::npos);
}

TEST(Completion, FailedOrMissingTestsAreProblems) {
  EXPECT_EQ(completion_problem(CompletionRecord{1, 3, 3, 1}, 0), "the tests failed");
  EXPECT_EQ(completion_problem(CompletionRecord{0, 2, 3, 0}, 0), "only 2 of the 3 tests ran: every test must run");
}

TEST(Completion, TheFileIsReadButALinkIsNot) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/completion-record";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("racelings-completion nonce=n result=0 ran=1 total=1 failed=0\n", f);
  std::fclose(f);
  auto text = read_completion_file(path);
  ASSERT_TRUE(text.has_value());
  EXPECT_TRUE(parse_completion(*text, "n").has_value());
  std::string link = dir + "/completion-link";
  std::remove(link.c_str());
  ASSERT_EQ(::symlink(path.c_str(), link.c_str()), 0);
  EXPECT_FALSE(read_completion_file(link).has_value());
  EXPECT_FALSE(read_completion_file(dir + "/no-such-file").has_value());
}

TEST(Completion, NoncesAreFreshEachTime) {
  EXPECT_NE(make_completion_nonce(), make_completion_nonce());
  EXPECT_EQ(make_completion_nonce().size(), 24u);
}

}  // namespace
}  // namespace racelings::checker
