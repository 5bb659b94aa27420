// Hostile submission for exercise 01: plants traps where the checker reads
// the sanitizer's and the detector's log files after the run (its own
// directory): a FIFO named like a sanitizer log (opening it for reading
// would block forever) and a link named like a detector report pointing to
// a file only root can read: `hostile-secret.log` in the directory the
// checker was started from ($PWD, read from `environ`), where the test puts
// a fake data-race report. Otherwise correct: it passes only if the checker
// neither hangs nor follows the link.
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "primitives/thread.h"

extern char** environ;

namespace exercise {

long sum_in_background(const std::vector<int>& numbers) {
  // The run's directory is the current one.
  mkfifo("sanitizer-log.fifo", 0600);
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PWD=", 4) == 0) {
      (void)!symlink((std::string(*e + 4) + "/hostile-secret.log").c_str(), "racelings-report.secret");
    }
  }
  const size_t middle = numbers.size() / 2;
  long first_half = 0;
  racelings::JoinHandle<void> worker = racelings::spawn([&] {
    long sum = 0;
    for (size_t i = 0; i < middle; ++i) sum += numbers[i];
    first_half = sum;
  });
  long second_half = 0;
  for (size_t i = middle; i < numbers.size(); ++i) second_half += numbers[i];
  worker.join();
  return first_half + second_half;
}

}  // namespace exercise
