// The step log's writer: a long execution keeps its first steps and its
// last ones, within a bound, whatever the program does.
#include "primitives/schedule/step_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

namespace racelings::schedule {
namespace {

size_t file_size(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) last = line;
  return last;
}

std::string step_line(int n) {
  return "{\"type\":\"step\",\"step\":" + std::to_string(n) + ",\"pad\":\"" + std::string(200, 'x') + "\"}";
}

TEST(StepLogWriter, AShortLogIsOneFile) {
  std::string path = ::testing::TempDir() + "/short.jsonl";
  {
    StepLog log(path);
    ASSERT_TRUE(log.on());
    log.line("{\"type\":\"header\"}");
    for (int i = 1; i <= 10; ++i) log.step(step_line(i));
    log.line("{\"type\":\"end\"}");
  }
  EXPECT_EQ(last_line(path), "{\"type\":\"end\"}");
  EXPECT_EQ(file_size(path + ".1"), 0u);
}

TEST(StepLogWriter, AFloodOfStepsKeepsTheHeadAndTheLastStepsWithinTheBound) {
  std::string path = ::testing::TempDir() + "/flood.jsonl";
  constexpr int kSteps = 200000;  // About 43 MB of steps.
  {
    StepLog log(path);
    log.line("{\"type\":\"header\"}");
    for (int i = 1; i <= kSteps; ++i) log.step(step_line(i));
    log.line("{\"type\":\"end\"}");
  }
  size_t total = file_size(path) + file_size(path + ".1") + file_size(path + ".2");
  EXPECT_LE(total, kHeadStepBytes + 2 * kTailFileBytes + 4096);
  // The end goes beside the head; the last step is in the tail file written last.
  EXPECT_EQ(last_line(path), "{\"type\":\"end\"}");
  std::string last1 = last_line(path + ".1"), last2 = last_line(path + ".2");
  EXPECT_TRUE(last1 == step_line(kSteps) || last2 == step_line(kSteps))
      << last1.substr(0, 40) << " / " << last2.substr(0, 40);
}

TEST(StepLogWriter, ARawLineIsWrittenAsItIs) {
  std::string path = ::testing::TempDir() + "/raw.jsonl";
  {
    StepLog log(path);
    const char text[] = "{\"type\":\"failure\"}\n";
    log.raw_line(text, sizeof(text) - 1);
  }
  EXPECT_EQ(last_line(path), "{\"type\":\"failure\"}");
}

}  // namespace
}  // namespace racelings::schedule
