// Exercise 30: joining while holding a lock (solution)
//
// The caller holds the journal only while it writes to it: the first guard
// ends before the workers start, and a new one is taken after the joins. While
// the caller waits, it holds nothing, so the workers can always finish.

#include <string>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

std::vector<std::string> run_jobs(int jobs) {
  racelings::Mutex<std::vector<std::string>> journal{{}, "journal"};
  journal.lock()->push_back("jobs started");  // The guard ends with the statement.

  std::vector<racelings::JoinHandle<void>> workers;
  for (int j = 0; j < jobs; ++j) {
    workers.push_back(racelings::Builder().name("job-" + std::to_string(j)).spawn([&journal, j] {
      long sum = 0;
      for (int i = 0; i <= 1000 * j; ++i) sum += i;
      journal.lock()->push_back("job " + std::to_string(j) + ": " + std::to_string(sum));
    }));
  }
  // No lock held while waiting: a worker that needs the journal can get it.
  for (auto& worker : workers) worker.join();

  auto log = journal.lock();
  log->push_back("all jobs done");
  return *log;
}

}  // namespace exercise
