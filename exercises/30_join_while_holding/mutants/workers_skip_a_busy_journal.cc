// Makes the workers use try_lock() and skip their entry when the journal is busy: no one waits, and every entry is lost.
// expect: runs: test failure
//
// Exercise 30: joining while holding a lock
//
// run_jobs() keeps a journal of what happens, behind a mutex. It notes that
// the jobs started, starts one worker per job (each worker notes its result
// in the journal too), waits for the workers, and notes that all are done.
// But it holds the journal's lock all along: the workers wait for the lock,
// and the caller waits for the workers. Nobody can ever go on.
//
// Hold the lock only while writing to the journal. Keep the workers.

#include <string>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

std::vector<std::string> run_jobs(int jobs) {
  racelings::Mutex<std::vector<std::string>> journal{{}, "journal"};
  auto log = journal.lock();
  log->push_back("jobs started");

  std::vector<racelings::JoinHandle<void>> workers;
  for (int j = 0; j < jobs; ++j) {
    workers.push_back(racelings::Builder().name("job-" + std::to_string(j)).spawn([&journal, j] {
      long sum = 0;
      for (int i = 0; i <= 1000 * j; ++i) sum += i;
      // Never block on the journal: write only if it is free right now.
      if (auto entry = journal.try_lock()) (*entry)->push_back("job " + std::to_string(j) + ": " + std::to_string(sum));
    }));
  }
  for (auto& worker : workers) worker.join();

  log->push_back("all jobs done");
  return *log;
}

}  // namespace exercise
