// Exercise 18: send ownership, not a pointer (solution)
//
// Each chunk is moved into the channel: from then on the uploader owns it and
// the caller cannot touch it. The caller reads the next chunk into a fresh
// buffer, so the overlap stays and nothing is shared.

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
  // A channel of chunks: sending hands the chunk itself to the uploader.
  auto [to_uploader, requests] = racelings::channel<Chunk>();
  auto [to_caller, replies] = racelings::channel<long>();
  auto uploader = racelings::Builder().name("uploader").spawn(
      [requests = std::move(requests), to_caller = std::move(to_caller)]() mutable {
        for (Chunk chunk : requests) to_caller.send(std::accumulate(chunk.begin(), chunk.end(), 0L)).unwrap();
      });

  std::vector<long> checksums;
  Chunk next(size);
  read_chunk(0, next);
  for (int k = 0; k < chunks; ++k) {
    to_uploader.send(std::move(next)).unwrap();
    // Read the next chunk while the uploader works on this one.
    // `next` was moved away: a fresh buffer is ours alone to fill.
    next = Chunk(size);
    if (k + 1 < chunks) read_chunk(k + 1, next);
    checksums.push_back(replies.recv().unwrap());
  }
  to_uploader.close();
  uploader.join();
  return checksums;
}

}  // namespace exercise
