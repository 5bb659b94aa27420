// Reads the count under one guard and writes it back under another: each step is locked, the increment is not.
// expect: explore: test failure
//
// Exercise 06: a counter behind a mutex
//
// serve_all() starts 10 threads that each serve requests and count every
// request served in one shared `served` counter. Ten threads doing
// `served += 1` on the same int at once is a data race: counts get lost.
//
// Put the counter in a racelings::Mutex<int> shared through a
// std::shared_ptr (Rust's Arc<Mutex<i32>>). Keep the ten threads.

#include <memory>
#include <vector>

#include "primitives/mutex.h"

#include "primitives/thread.h"

namespace exercise {

// Serves one request (the test provides it, standing in for real work).
void serve(int request);

// Serves `per_thread` requests on each of 10 threads; returns how many were served.
int serve_all(int per_thread) {
  auto served = std::make_shared<racelings::Mutex<int>>(0);
  std::vector<racelings::JoinHandle<void>> handles;
  for (int t = 0; t < 10; ++t) {
    handles.push_back(racelings::spawn([served, t, per_thread] {
      for (int i = 0; i < per_thread; ++i) {
        serve(t * per_thread + i);
        const int now = *served->lock();
        *served->lock() = now + 1;
      }
    }));
  }
  for (auto& handle : handles) handle.join();
  return *served->lock();
}

}  // namespace exercise
