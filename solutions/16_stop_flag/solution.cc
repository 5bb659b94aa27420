// Exercise 16: a stop flag must be atomic (solution)
//
// An atomic flag may be read by one thread while another writes it: no data
// race, and the compiler must load it again on every check, so the worker
// sees the store and stops.

#include <atomic>
#include <chrono>
#include <thread>

#include "primitives/thread.h"

namespace exercise {

// Handles one job (the test provides it, standing in for real work).
void handle_job(long job);

// Lets a worker handle jobs for about `duration`; returns how many it handled.
long run_for(std::chrono::milliseconds duration) {
  // Relaxed on both sides: the flag carries no data, and join() makes the
  // worker's count visible to the caller.
  std::atomic<bool> stop{false};
  auto worker = racelings::Builder().name("worker").spawn([&] {
    long jobs = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      handle_job(jobs);
      ++jobs;
    }
    return jobs;
  });

  std::this_thread::sleep_for(duration);
  stop.store(true, std::memory_order_relaxed);
  return worker.join();
}

}  // namespace exercise
