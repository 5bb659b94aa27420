// Tests for exercise 42. Do not edit: `./racelings check 42` runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "primitives/async/async.h"

namespace {

using namespace std::chrono_literals;

// Uploads in progress at once. Only the runtime's one thread touches them.
int in_flight = 0;
int max_in_flight = 0;

}  // namespace

// What exercise.cc must provide, and what it may use.
namespace exercise {
racelings::async::Task<std::vector<std::string>> upload_all(std::vector<std::string> files);

// The server refuses a temporary file at once; any other upload takes a
// while, and may then find the disk full. So the uploads do not finish in
// the order they were given.
racelings::async::Task<void> upload(std::string file) {
  if (file.ends_with(".tmp")) throw std::runtime_error("server refused " + file);
  max_in_flight = std::max(max_in_flight, ++in_flight);
  co_await racelings::async::sleep_for(20ms);  // The network.
  --in_flight;
  if (file.ends_with(".iso")) throw std::runtime_error("disk full");
}
}  // namespace exercise

TEST(AsyncLostExceptions, EveryFailedUploadIsReportedWithItsError) {
  in_flight = max_in_flight = 0;
  auto runtime = racelings::async::Runtime::current_thread();
  std::vector<std::string> lines =
      runtime.block_on(exercise::upload_all({"notes.txt", "draft.tmp", "photo.jpg", "backup.iso", "song.mp3"}));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "notes.txt: uploaded",
                       "draft.tmp: failed: server refused draft.tmp",
                       "photo.jpg: uploaded",
                       "backup.iso: failed: disk full",
                       "song.mp3: uploaded",
                   }))
      << "every file needs its line, in the order given, failures included";
  EXPECT_GE(max_in_flight, 2) << "the uploads must still run on their own tasks, at the same time";
}
