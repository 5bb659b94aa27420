#include "checker/report/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace racelings::report {
namespace {

const std::string kReplacement = "\xef\xbf\xbd";

TEST(ValidUtf8Test, KeepsWellFormedText) {
  const std::string text = "plain ASCII, caf\xc3\xa9, \xe2\x80\x98quoted\xe2\x80\x99, \xf0\x9f\xa6\x80";
  EXPECT_EQ(valid_utf8(text), text);
  EXPECT_EQ(valid_utf8(""), "");
}

TEST(ValidUtf8Test, ReplacesEachBadByte) {
  EXPECT_EQ(valid_utf8("a\xff b"), "a" + kReplacement + " b");
  EXPECT_EQ(valid_utf8("\xc3"), kReplacement);                             // cut short at the end
  EXPECT_EQ(valid_utf8("\xe2\x80"), kReplacement + kReplacement);          // cut short: each byte
  EXPECT_EQ(valid_utf8("\xc0\xaf"), kReplacement + kReplacement);          // overlong '/'
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), kReplacement + kReplacement + kReplacement);  // a UTF-16 surrogate
  EXPECT_EQ(valid_utf8("\xf4\x90\x80\x80").size(), 4 * kReplacement.size());  // past U+10FFFF
}

}  // namespace
}  // namespace racelings::report
