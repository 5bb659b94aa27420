// Counts in a local, but each worker still adds its count to the shared `total` at the end: fewer racy writes are still racy.
// expect: runs: data race
//
// Exercise 04: named threads
//
// download_all() fetches chunks on several worker threads, and every worker
// adds the bytes it fetched to one shared `total` at the same time: a data
// race. The race report can only call the workers "thread T2", "thread T3":
// they have no names.
//
// Name each worker "fetch-<number>" with racelings::Builder, then fix the
// race: let each worker hand its own count back through join().

#include <string>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

// Fetches chunk number `chunk` and returns its size in bytes (the test
// provides it, as a network library would).
int fetch(int chunk);

// Fetches chunks 0 to chunks - 1 and returns their total size; `names`
// receives each worker's name.
long download_all(int chunks, int workers, std::vector<std::string>& names) {
  long total = 0;
  std::vector<racelings::JoinHandle<std::string>> handles;
  for (int w = 0; w < workers; ++w) {
    handles.push_back(racelings::Builder().name("fetch-" + std::to_string(w)).spawn([&, w] {
      long mine = 0;  // Counted privately, added once at the end.
      for (int chunk = w; chunk < chunks; chunk += workers) mine += fetch(chunk);
      total += mine;
      return std::string(racelings::current_thread_name());
    }));
  }
  for (auto& handle : handles) names.push_back(handle.join());
  return total;
}

}  // namespace exercise
