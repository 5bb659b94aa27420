// Tests for exercise 35. Do not edit: `./racelings check 35` runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "primitives/parallel/thread_pool.h"
#include "primitives/thread.h"

// What exercise.cc must provide.
namespace exercise {
struct Size {
  int width = 0;
  int height = 0;
};
void queue_thumbnails(racelings::ThreadPool& pool, const std::vector<std::string>& photos, int max_side,
                      std::vector<Size>& thumbnails);
}  // namespace exercise

namespace {

// The photos on the fake disk, and their sizes.
const std::map<std::string, exercise::Size> kPhotos = {
    {"beach.jpg", {4000, 3000}},  {"portrait.jpg", {3000, 4000}}, {"panorama.jpg", {8000, 2000}},
    {"square.jpg", {2000, 2000}}, {"phone.jpg", {1080, 1920}},    {"old-scan.jpg", {640, 480}},
    {"drone.jpg", {5472, 3648}},  {"banner.jpg", {1600, 400}},
};

// A slow disk: loads wait until the test opens it (at most half a second, so
// that a queue_thumbnails() that waits for its own tasks is not stuck).
class SlowDisk {
 public:
  void open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

  exercise::Size load(const std::string& name) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return open_; })) open_ = true;
    }
    if (racelings::current_thread_name().rfind("thumbnailer-", 0) != 0) off_pool_.fetch_add(1);
    return kPhotos.at(name);
  }

  int off_pool() const { return off_pool_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  std::atomic<int> off_pool_{0};
};

SlowDisk disk;

}  // namespace

namespace exercise {
Size load_photo(const std::string& name) { return disk.load(name); }
}  // namespace exercise

TEST(PoolOutlivesStack, TheThumbnailsAreReadyOnceThePoolIsJoined) {
  racelings::ThreadPool pool(4, "thumbnailer");
  std::vector<std::string> photos;
  for (const auto& [name, size] : kPhotos) photos.push_back(name);

  std::vector<exercise::Size> thumbnails;
  exercise::queue_thumbnails(pool, photos, 320, thumbnails);
  // queue_thumbnails() has returned, and its local variables with it. Only
  // now may the tasks load their photos.
  disk.open();
  pool.join();

  ASSERT_EQ(thumbnails.size(), photos.size());
  for (size_t i = 0; i < photos.size(); ++i) {
    const exercise::Size photo = kPhotos.at(photos[i]);
    const exercise::Size& thumb = thumbnails[i];
    EXPECT_TRUE(thumb.width <= 320 && thumb.height <= 240 && (thumb.width == 320 || thumb.height == 240))
        << photos[i] << ": " << thumb.width << "x" << thumb.height << " does not fit 320x240 snugly";
    EXPECT_NEAR(static_cast<double>(thumb.width) / thumb.height, static_cast<double>(photo.width) / photo.height, 0.05)
        << photos[i] << " lost its shape";
  }
  EXPECT_EQ(disk.off_pool(), 0) << "the photos must still be loaded by the pool's tasks";
}
