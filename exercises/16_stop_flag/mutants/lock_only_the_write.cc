// Sets the flag under a mutex, but the worker reads it without one: a lock protects only the accesses that all take it.
// expect: runs: data race
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

#include "primitives/raw_mutex.h"
#include "primitives/thread.h"

namespace exercise {

// Handles one job (the test provides it, standing in for real work).
void handle_job(long job);

// Lets a worker handle jobs for about `duration`; returns how many it handled.
long run_for(std::chrono::milliseconds duration) {
  bool stop = false;
  racelings::RawMutex stop_mutex{"stop"};
  auto worker = racelings::Builder().name("worker").spawn([&] {
    long jobs = 0;
    while (!stop) {
      handle_job(jobs);
      ++jobs;
    }
    return jobs;
  });

  std::this_thread::sleep_for(duration);
  {
    racelings::LockGuard guard(stop_mutex);  // The write is protected.
    stop = true;
  }
  return worker.join();
}

}  // namespace exercise
