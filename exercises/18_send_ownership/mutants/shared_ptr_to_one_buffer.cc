// Sends a shared_ptr instead of a raw pointer: ownership is shared now, but it is still the one buffer the caller refills.
// expect: runs: data race
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

#include <memory>
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
  // shared_ptr: the buffer lives as long as anyone uses it.
  auto [to_uploader, requests] = racelings::channel<std::shared_ptr<Chunk>>();
  auto [to_caller, replies] = racelings::channel<long>();
  auto uploader = racelings::Builder().name("uploader").spawn(
      [requests = std::move(requests), to_caller = std::move(to_caller)]() mutable {
        for (std::shared_ptr<Chunk> chunk : requests) to_caller.send(std::accumulate(chunk->begin(), chunk->end(), 0L)).unwrap();
      });

  std::vector<long> checksums;
  auto buffer = std::make_shared<Chunk>(size);  // One buffer for every chunk, to save allocations.
  read_chunk(0, *buffer);
  for (int k = 0; k < chunks; ++k) {
    to_uploader.send(buffer).unwrap();
    // Read the next chunk while the uploader works on this one.
    if (k + 1 < chunks) read_chunk(k + 1, *buffer);
    checksums.push_back(replies.recv().unwrap());
  }
  to_uploader.close();
  uploader.join();
  return checksums;
}

}  // namespace exercise
