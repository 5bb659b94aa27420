// futex.cc: sleeping on a word (see futex.h).

#include "primitives/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace racelings {
namespace internal {

bool futex_wait(std::atomic<uint32_t>* word, uint32_t expected, const std::chrono::steady_clock::time_point* deadline) {
  auto* address = reinterpret_cast<uint32_t*>(word);
  if (deadline == nullptr) {
    syscall(SYS_futex, address, FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
    return true;
  }
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, the clock
  // behind std::chrono::steady_clock on Linux.
  auto since_epoch = deadline->time_since_epoch();
  if (since_epoch.count() < 0) return false;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  timespec until{};
  until.tv_sec = static_cast<time_t>(seconds.count());
  until.tv_nsec = static_cast<long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count());
  long result = syscall(SYS_futex, address, FUTEX_WAIT_BITSET_PRIVATE, expected, &until, nullptr,
                        FUTEX_BITSET_MATCH_ANY);
  return !(result == -1 && errno == ETIMEDOUT);
}

void futex_wake(std::atomic<uint32_t>* word, int count) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

}  // namespace internal
}  // namespace racelings
