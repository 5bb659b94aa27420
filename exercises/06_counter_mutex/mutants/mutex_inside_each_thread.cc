// Locks a mutex, but each thread makes its own: a lock nobody else takes excludes nobody.
// expect: runs: data race
//
// Exercise 06: a counter behind a mutex
//
// serve_all() starts 10 threads that each serve requests and count every
// request served in one shared `served` counter. Ten threads doing
// `served += 1` on the same int at once is a data race: counts get lost.
//
// Put the counter in a racelings::Mutex<int> shared through a
// std::shared_ptr (Rust's Arc<Mutex<i32>>). Keep the ten threads.

#include <vector>

#include "primitives/mutex.h"

#include "primitives/thread.h"

namespace exercise {

// Serves one request (the test provides it, standing in for real work).
void serve(int request);

// Serves `per_thread` requests on each of 10 threads; returns how many were served.
int serve_all(int per_thread) {
  // TODO: a plain int shared by reference. Make it a
  // std::shared_ptr<racelings::Mutex<int>> and give each thread a copy of the pointer.
  int served = 0;
  std::vector<racelings::JoinHandle<void>> handles;
  for (int t = 0; t < 10; ++t) {
    handles.push_back(racelings::spawn([&served, t, per_thread] {
      for (int i = 0; i < per_thread; ++i) {
        serve(t * per_thread + i);
        // Only one thread at a time may add.
        racelings::RawMutex lock;
        racelings::LockGuard guard(lock);
        served += 1;
      }
    }));
  }
  for (auto& handle : handles) handle.join();
  return served;
}

}  // namespace exercise
