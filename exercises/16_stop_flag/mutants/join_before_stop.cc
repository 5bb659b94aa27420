// Joins the worker before telling it to stop, as in exercise 01: the worker waits for a flag that is set only after it ends.
// expect: runs: timeout
//
// Exercise 16: a stop flag must be atomic
//
// run_for() starts a worker that handles jobs until it is told to stop,
// lets it work for a while, then sets `stop`. The flag is a plain bool: the
// worker reads it while the caller writes it, a data race. (An optimising
// compiler may even read it once and loop forever.)
//
// Make the flag a std::atomic<bool>. Keep the jobs on the worker thread.

#include <atomic>
#include <chrono>
#include <thread>

#include "primitives/thread.h"

namespace exercise {

// Handles one job (the test provides it, standing in for real work).
void handle_job(long job);

// Lets a worker handle jobs for about `duration`; returns how many it handled.
long run_for(std::chrono::milliseconds duration) {
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
  long jobs = worker.join();  // Wait for the worker before touching what it uses.
  stop.store(true, std::memory_order_relaxed);
  return jobs;
}

}  // namespace exercise
