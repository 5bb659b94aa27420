// Exercise 06: a counter behind a mutex (solution)
//
// The counter lives inside a racelings::Mutex<int>: the only way to reach it
// is a guard from lock(), and only one thread holds the guard at a time, so
// the increments happen one after another and none is lost. Each thread owns
// a copy of the shared_ptr, as each Rust thread owns an Arc::clone.

#include <memory>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

// Serves one request (the test provides it, standing in for real work).
void serve(int request);

// Serves `per_thread` requests on each of 10 threads; returns how many were served.
int serve_all(int per_thread) {
  // Shared ownership (Arc) of a mutex that owns the int (Mutex<i32>).
  auto served = std::make_shared<racelings::Mutex<int>>(0);
  std::vector<racelings::JoinHandle<void>> handles;
  for (int t = 0; t < 10; ++t) {
    handles.push_back(racelings::spawn([served, t, per_thread] {
      for (int i = 0; i < per_thread; ++i) {
        serve(t * per_thread + i);
        // The guard holds the lock until the end of this statement.
        *served->lock() += 1;
      }
    }));
  }
  for (auto& handle : handles) handle.join();
  return *served->lock();
}

}  // namespace exercise
