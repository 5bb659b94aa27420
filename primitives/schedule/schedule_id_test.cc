// Schedule ids: they round-trip, catch typos, and say what is wrong.
#include "primitives/schedule/schedule_id.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace racelings {
namespace schedule {
namespace {

std::vector<Deviation> decode_ok(const std::string& id) {
  std::string error;
  auto d = decode_schedule(id, &error);
  EXPECT_TRUE(d.has_value()) << id << ": " << error;
  return d.value_or(std::vector<Deviation>{});
}

TEST(ScheduleId, EveryListOfDeviationsRoundTrips) {
  const std::vector<std::vector<Deviation>> lists = {
      {},
      {{1, 2}},
      {{5, 0}, {6, 3}, {1000, 5}},
      {{0, 1}, {123456789, 4000000000u}},
  };
  for (const auto& list : lists) {
    std::string id = encode_schedule(list);
    EXPECT_EQ(decode_ok(id), list) << id;
  }
}

TEST(ScheduleId, AShortScheduleHasAShortId) {
  std::string id = encode_schedule({{5240, 2}});
  EXPECT_LE(id.size(), 12u) << id;
  EXPECT_EQ(id.front(), 'a');
}

TEST(ScheduleId, UpperCaseAndLookAlikeLettersAreRead) {
  std::vector<Deviation> list = {{17, 6}, {40, 2}};
  std::string id = encode_schedule(list);
  std::string upper;
  for (char c : id) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  EXPECT_EQ(decode_ok(upper), list);
}

TEST(ScheduleId, AMistypedCharacterIsCaught) {
  std::string id = encode_schedule({{5, 0}, {6, 3}, {1000, 5}});
  int caught = 0, tried = 0;
  for (size_t i = 1; i < id.size(); ++i) {
    std::string bad = id;
    bad[i] = bad[i] == 'x' ? 'y' : 'x';
    std::string error;
    ++tried;
    if (!decode_schedule(bad, &error)) {
      ++caught;
      EXPECT_NE(error.find("schedule id"), std::string::npos) << error;
    }
  }
  // Ten check bits: a single changed character slips through 1 time in 1024.
  EXPECT_EQ(caught, tried);
}

TEST(ScheduleId, WhatIsNotAnIdIsRejectedWithAReason) {
  std::string error;
  EXPECT_FALSE(decode_schedule("", &error));
  EXPECT_NE(error.find("too short"), std::string::npos) << error;
  EXPECT_FALSE(decode_schedule("zzzzzz", &error));
  EXPECT_NE(error.find("not a schedule id of this version"), std::string::npos) << error;
  EXPECT_FALSE(decode_schedule("a0!12", &error));
  EXPECT_NE(error.find("character"), std::string::npos) << error;
  std::string id = encode_schedule({{1, 2}});
  EXPECT_FALSE(decode_schedule(id.substr(0, id.size() - 1), &error));
}

TEST(ScheduleId, SurroundingBlanksAreIgnored) {
  std::vector<Deviation> list = {{3, 4}};
  EXPECT_EQ(decode_ok("  " + encode_schedule(list) + "\n"), list);
}

}  // namespace
}  // namespace schedule
}  // namespace racelings
