// Exercise 26: initialise once (solution)
//
// OnceLock<Pool>::get_or_init runs open() in exactly one thread; workers that
// ask meanwhile wait for it, and once it returns every worker sees the filled
// pool. After that, get_or_init costs one atomic load.

#include <array>
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
    // One opener, the others wait; the pool is complete before anyone can see it.
    return pool_.get_or_init([this] { return open(); });
  }

  int times_opened() const { return times_opened_; }

 private:
  Pool open() {
    ++times_opened_;  // Runs inside get_or_init only: never in two threads at once.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Connecting takes a moment.
    return {"db-0", "db-1", "db-2", "db-3"};
  }

  racelings::OnceLock<Pool> pool_;
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
