// edge_cache.h
// -----------------------------------------------------------------------------
//
// The lock-order edges a thread has already checked, so that nested locks
// taken again in a known order touch no shared state (detector internals).
// Keyed by the pair of lock ids itself: a key folded into one hash would let
// two different edges collide, and the second would then never be checked.

#ifndef RACELINGS_PRIMITIVES_DETECTOR_EDGE_CACHE_H_
#define RACELINGS_PRIMITIVES_DETECTOR_EDGE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_set>
#include <utility>

namespace racelings {
namespace detector {

// One thread's; not thread-safe.
class EdgeCache {
 public:
  bool contains(uint64_t from, uint64_t to) const { return edges_.count({from, to}) != 0; }
  void insert(uint64_t from, uint64_t to) { edges_.insert({from, to}); }

 private:
  struct Hash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& e) const {
      return std::hash<uint64_t>()((e.first * 0x9E3779B97F4A7C15ULL) ^ e.second);
    }
  };
  std::unordered_set<std::pair<uint64_t, uint64_t>, Hash> edges_;
};

}  // namespace detector
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_DETECTOR_EDGE_CACHE_H_
