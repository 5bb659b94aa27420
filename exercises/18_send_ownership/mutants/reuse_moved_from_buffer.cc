// Moves the buffer into the channel, then reads the next chunk into the moved-from vector: it is empty, and so is every chunk after the first.
// expect: runs: test failure
//
// Exercise 18: send ownership, not a pointer
//
// upload() hands the chunks of a file to an uploader thread, which replies
// with each chunk's checksum. To overlap the work, the caller reads the next
// chunk while the uploader handles the current one. But it reads it into the
// one buffer whose address it already sent, so the uploader sums a chunk
// while the caller overwrites it: a data race.
//
// Send each chunk itself, moved into the channel. Keep the overlap.

#include <numeric>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace exercise {

using Chunk = std::vector<int>;

// Fills `chunk` with part k of the "file": the numbers from k * size on.
void read_chunk(int k, Chunk& chunk) {
  std::iota(chunk.begin(), chunk.end(), k * static_cast<int>(chunk.size()));
}

std::vector<long> upload(int chunks, int size) {
  auto [to_uploader, requests] = racelings::channel<Chunk>();
  auto [to_caller, replies] = racelings::channel<long>();
  auto uploader = racelings::Builder().name("uploader").spawn(
      [requests = std::move(requests), to_caller = std::move(to_caller)]() mutable {
        for (Chunk chunk : requests) to_caller.send(std::accumulate(chunk.begin(), chunk.end(), 0L)).unwrap();
      });

  std::vector<long> checksums;
  Chunk buffer(size);  // One buffer for every chunk, to save allocations.
  read_chunk(0, buffer);
  for (int k = 0; k < chunks; ++k) {
    to_uploader.send(std::move(buffer)).unwrap();  // Handed over: the uploader owns it now.
    // Read the next chunk while the uploader works on this one.
    if (k + 1 < chunks) read_chunk(k + 1, buffer);
    checksums.push_back(replies.recv().unwrap());
  }
  to_uploader.close();
  uploader.join();
  return checksums;
}

}  // namespace exercise
