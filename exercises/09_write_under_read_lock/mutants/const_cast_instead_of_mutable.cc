// Removes `mutable` and writes through a const_cast of the read guard's reference: still a write under a shared lock.
// expect: runs: data race
//
// Exercise 09: writing under a read lock
//
// A phone directory sits behind an RwLock, so that many threads can look up
// numbers at once. lookup() also counts lookups in a `mutable` member, which
// it may change through the read guard's const access. But a read lock is
// shared: several readers write the counter at the same time.
//
// Take the write lock for the write. Keep several reader threads.

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
  auto reader = directory.read();
  ++const_cast<Directory&>(*reader).lookups;
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
