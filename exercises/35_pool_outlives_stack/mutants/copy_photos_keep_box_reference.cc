// Copies `photos` into each task to be safe, but still takes `box`, the one local that dies, by reference.
// expect: runs: stack-use-after-return
//
// Exercise 35: a pool outlives the stack
//
// queue_thumbnails() queues one task per photo on the caller's pool and
// returns at once; the caller joins the pool later, then reads the
// thumbnails. But the tasks use `box`, a local variable of
// queue_thumbnails(), by reference: when they run, queue_thumbnails() has
// returned and `box` is gone.
//
// Make sure no task uses queue_thumbnails()'s locals after it returned.
// Keep one task per photo on the pool.

#include <cstddef>
#include <string>
#include <vector>

#include "primitives/parallel/thread_pool.h"

namespace exercise {

struct Size {
  int width = 0;
  int height = 0;
};

// Reads a photo from disk and returns its size. Slow. Provided by test.cc.
Size load_photo(const std::string& name);

// `photo` scaled down to fit in `box`, keeping its shape.
Size fit(Size photo, Size box) {
  if (photo.width * box.height > photo.height * box.width) return {box.width, photo.height * box.width / photo.width};
  return {photo.width * box.height / photo.height, box.height};
}

// Queues one task per photo on `pool`: task i writes the size of photos[i]'s
// thumbnail into thumbnails[i]. The caller joins the pool before it reads
// `thumbnails`.
void queue_thumbnails(racelings::ThreadPool& pool, const std::vector<std::string>& photos, int max_side,
                      std::vector<Size>& thumbnails) {
  thumbnails.assign(photos.size(), Size{});
  const Size box{max_side, max_side * 3 / 4};
  for (size_t i = 0; i < photos.size(); ++i) {
    // The task gets its own copy of the photo names.
    pool.execute([photos, &thumbnails, &box, i] {
      const Size photo = load_photo(photos[i]);
      thumbnails[i] = fit(photo, box);
    });
  }
}

}  // namespace exercise
