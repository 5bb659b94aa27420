// Schedule stress (RACELINGS_STRESS=<seed>): yields, short sleeps and
// spurious condvar wakeups at the primitives' acquire, release, send and
// receive points, from a seedable generator per thread.

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "primitives/detector.h"
#include "primitives/detector/internal.h"

namespace racelings {
namespace detector {

namespace {
[[gnu::noinline]] void stress_point_slow();
}  // namespace

void stress_point() {
  // Checked first and the rest kept out of line: every lock and unlock
  // passes here, and stress is normally off. The controlled scheduler makes
  // its own choices.
  if (config().stress && !schedule::controlled()) stress_point_slow();
}

namespace {

void stress_point_slow() {
  const Config& c = config();
  Invisible invisible;
  static std::once_flag announced;
  std::call_once(announced, [&] {
    std::string line = "racelings: schedule stress on, seed " + std::to_string(c.stress_seed) +
                       " (run again with RACELINGS_STRESS=" + std::to_string(c.stress_seed) + ")\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  });
  ThreadRecord* t = self();
  if (t->rng == 0) t->rng = (c.stress_seed ^ (0x9E3779B97F4A7C15ULL * (t->index + 1))) | 1;
  // xorshift64: a cheap, seedable generator private to the thread.
  t->rng ^= t->rng << 13;
  t->rng ^= t->rng >> 7;
  t->rng ^= t->rng << 17;
  uint64_t roll = t->rng % 64;
  if (roll < 8) {
    std::this_thread::yield();
  } else if (roll < 11) {
    std::this_thread::sleep_for(std::chrono::microseconds(10 + (t->rng >> 8) % 500));
  }
}

}  // namespace

bool stress_spurious_wakeup() {
  Invisible invisible;
  if (!config().stress || schedule::controlled()) return false;
  ThreadRecord* t = self();
  if (t->rng == 0) stress_point();
  t->rng ^= t->rng << 13;
  t->rng ^= t->rng >> 7;
  t->rng ^= t->rng << 17;
  return t->rng % 4 == 0;
}

}  // namespace detector
}  // namespace racelings
