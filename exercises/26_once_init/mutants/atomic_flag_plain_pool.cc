// Makes the flag a std::atomic<bool>: the check no longer races, but every worker that finds it false still opens the pool.
// expect: runs
//
// Exercise 26: initialise once
//
// Worker threads serve requests through a shared connection pool, which the
// first worker that needs it opens. Opening takes a moment, and "is it open
// yet?" is a plain bool: workers that arrive meanwhile also find `false` and
// open the pool again, and nothing orders any worker's reads and writes of
// the flag and the pool with the others'. A data race.
//
// Open the pool exactly once, however many workers ask at the same moment.
// Keep the workers and the lazy opening.

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "primitives/once_lock.h"
#include "primitives/thread.h"

namespace exercise {

using Pool = std::array<std::string, 4>;  // One name per open connection.

class LazyPool {
 public:
  // The pool, opened on first use.
  const Pool& get() {
    if (!opened_.load()) {
      pool_ = open();
      opened_.store(true);
    }
    return pool_;
  }

  int times_opened() const { return times_opened_; }

 private:
  Pool open() {
    ++times_opened_;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Connecting takes a moment.
    return {"db-0", "db-1", "db-2", "db-3"};
  }

  std::atomic<bool> opened_{false};  // Atomic: safe to check from every worker.
  Pool pool_;
  int times_opened_ = 0;
};

// Runs `workers` threads that serve `requests` requests each through one shared
// pool; returns the requests served and sets `opened` to how often the pool was opened.
int serve(int workers, int requests, int& opened) {
  LazyPool pool;
  std::vector<racelings::JoinHandle<int>> handles;
  for (int w = 0; w < workers; ++w) {
    handles.push_back(racelings::Builder().name("worker-" + std::to_string(w)).spawn([&pool, w, requests] {
      int served = 0;
      for (int r = 0; r < requests; ++r) {
        const std::string& connection = pool.get()[(w + r) % 4];
        served += (connection + " served request " + std::to_string(r)).empty() ? 0 : 1;
      }
      return served;
    }));
  }
  int served = 0;
  for (auto& handle : handles) served += handle.join();
  opened = pool.times_opened();
  return served;
}

}  // namespace exercise
