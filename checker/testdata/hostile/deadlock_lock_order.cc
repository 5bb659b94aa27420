// Hostile submission for exercise 01: a real deadlock outside the racelings
// primitives. Two std::threads take two std::mutex in opposite orders, and a
// handshake makes sure each holds its first lock before taking the second,
// so they always block for good. ThreadSanitizer's own deadlock detector
// sees the lock-order inversion; the watchdog ends the hang.
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  std::mutex a;
  std::mutex b;
  std::atomic<int> holding{0};
  long total = 0;
  auto grab = [&](std::mutex& first, std::mutex& second) {
    std::lock_guard<std::mutex> one(first);
    holding.fetch_add(1);
    while (holding.load() < 2) std::this_thread::yield();
    std::lock_guard<std::mutex> two(second);
    for (int n : numbers) total += n;
  };
  std::thread left(grab, std::ref(a), std::ref(b));
  std::thread right(grab, std::ref(b), std::ref(a));
  left.join();
  right.join();
  return total;
}

}  // namespace exercise
