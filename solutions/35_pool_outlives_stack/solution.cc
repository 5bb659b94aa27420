// Exercise 35: a pool outlives the stack (solution)
//
// Each task gets its own copy of `box` (and of `i`); the only references it
// keeps are to the caller's `photos` and `thumbnails`, which outlive the
// pool's join. (Calling pool.join() before returning would also be safe, but
// then queue_thumbnails() would no longer return at once.)

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
    // `box` is copied into the task, which owns it as long as it runs;
    // `photos` and `thumbnails` are the caller's, alive until it joins.
    pool.execute([&photos, &thumbnails, box, i] {
      const Size photo = load_photo(photos[i]);
      thumbnails[i] = fit(photo, box);
    });
  }
}

}  // namespace exercise
