// Sleeps in 1 ms steps so that the thread is never blocked for long: thirty short blocks still block the runtime's only thread.
// expect: runs: test failure
//
// Exercise 40: a blocking sleep in a task
//
// backup() copies files on one task while a heartbeat task says "still alive"
// every 5 ms. Both run on a current-thread runtime: one thread runs every task,
// switching only where a task suspends at a co_await. copy_file() waits for
// the disk with std::this_thread::sleep_for, which puts that one thread to
// sleep: the heartbeat cannot beat until the whole backup is over.
//
// Wait the async way, so that other tasks run meanwhile. Keep both tasks.

#include <chrono>
#include <thread>

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
  // Short sleeps, so that the thread is free again every millisecond.
  for (int ms = 0; ms < 30; ++ms) std::this_thread::sleep_for(1ms);  // Waiting for the disk.
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
