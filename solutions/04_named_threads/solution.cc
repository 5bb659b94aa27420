// Exercise 04: named threads (solution)
//
// Builder().name() names each worker, so reports and current_thread_name()
// say "fetch-2" instead of "T4". Each worker counts into its own local and
// returns it; the caller adds the counts after join(), which makes every
// worker's result visible. No memory is shared while the workers run.

#include <string>
#include <utility>
#include <vector>

#include "primitives/thread.h"

namespace exercise {

// Fetches chunk number `chunk` and returns its size in bytes (the test
// provides it, as a network library would).
int fetch(int chunk);

// Fetches chunks 0 to chunks - 1 and returns their total size; `names`
// receives each worker's name.
long download_all(int chunks, int workers, std::vector<std::string>& names) {
  std::vector<racelings::JoinHandle<std::pair<std::string, long>>> handles;
  for (int w = 0; w < workers; ++w) {
    // The name shows in current_thread_name(), sanitizer and deadlock reports.
    handles.push_back(racelings::Builder().name("fetch-" + std::to_string(w)).spawn([&, w] {
      // A local count: only this thread touches it.
      long mine = 0;
      for (int chunk = w; chunk < chunks; chunk += workers) mine += fetch(chunk);
      return std::pair<std::string, long>(racelings::current_thread_name(), mine);
    }));
  }
  long total = 0;
  for (auto& handle : handles) {
    auto [name, bytes] = handle.join();
    names.push_back(name);
    total += bytes;
  }
  return total;
}

}  // namespace exercise
