// Exercise 40: a blocking sleep in a task (solution)
//
// `co_await sleep_for(30ms)` suspends only the copying task: the runtime's
// thread goes on running the other tasks (the heartbeat) until the timer
// fires. A blocking call inside a task holds the whole thread instead.

#include <chrono>

#include "primitives/async/async.h"

namespace exercise {

using namespace std::chrono_literals;
using racelings::async::Task;

// Records one heartbeat (the test provides it).
void beat();

Task<void> heartbeat(const bool& done) {
  while (!done) {
    beat();
    co_await racelings::async::sleep_for(5ms);
  }
}

// Copies one file and returns how many bytes it copied.
Task<long> copy_file(int file) {
  // Suspends this task, not the thread: the heartbeat runs meanwhile.
  co_await racelings::async::sleep_for(30ms);  // Waiting for the disk.
  co_return 1000L * (file + 1);
}

// Copies files 0 .. files-1 one after the other while the heartbeat task
// beats; returns how many bytes were copied.
Task<long> backup(int files) {
  bool done = false;
  auto beating = racelings::async::spawn(heartbeat(done));
  long bytes = 0;
  for (int file = 0; file < files; ++file) bytes += co_await copy_file(file);
  done = true;
  co_await beating;
  co_return bytes;
}

}  // namespace exercise
