// Exercise 09: writing under a read lock (solution)
//
// The counter is now changed under the write lock, which no other reader or
// writer can hold at the same time; the lookup itself still runs under the
// shared read lock. `mutable` is gone: nothing writes through a read guard.

#include <map>
#include <string>
#include <vector>

#include "primitives/rwlock.h"
#include "primitives/thread.h"

namespace exercise {

struct Directory {
  std::map<std::string, std::string> numbers;
  long lookups = 0;  // statistics
};

std::string lookup(racelings::RwLock<Directory>& directory, const std::string& name) {
  // Exclusive access for the write: readers and writers wait while it is held.
  directory.write()->lookups += 1;
  auto reader = directory.read();
  auto it = reader->numbers.find(name);
  return it == reader->numbers.end() ? "unknown" : it->second;
}

// `threads` readers each look up "ada" and "alan" `rounds` times. Returns
// the number of lookups the directory counted, or -1 if a lookup was wrong.
long run_readers(int threads, int rounds) {
  racelings::RwLock<Directory> directory(Directory{{{"ada", "555-0100"}, {"alan", "555-0199"}}});
  int wrong = 0;
  racelings::scope([&](racelings::Scope& s) {
    std::vector<racelings::ScopedJoinHandle<int>> readers;
    for (int t = 0; t < threads; ++t) {
      readers.push_back(s.spawn([&] {
        int mistakes = 0;
        for (int r = 0; r < rounds; ++r) {
          mistakes += lookup(directory, "ada") != "555-0100";
          mistakes += lookup(directory, "alan") != "555-0199";
        }
        return mistakes;
      }));
    }
    for (auto& reader : readers) wrong += reader.join();
  });
  return wrong == 0 ? directory.read()->lookups : -1;
}

}  // namespace exercise
