// Hostile submission for exercise 01: plants traps where the checker reads
// the sanitizer's and the detector's log files after the run (its own
// directory): a FIFO named like a sanitizer log (opening it for reading
// would block forever) and a link named like a detector report pointing to
// a file only root can read: `hostile-secret.log` in the directory the
// checker was started from ($PWD, read from /proc/self/environ), where the test puts
// a fake data-race report. Otherwise correct: it passes only if the checker
// neither hangs nor follows the link.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <vector>

#include "primitives/thread.h"

namespace exercise {
namespace {

// Reads $PWD from /proc/self/environ: the integrity scan refuses `environ`
// and getenv(), and this submission must get past the scan so that grading
// has to stop it at run time.
std::string checker_pwd() {
  int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string env;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) env.append(buf, static_cast<size_t>(n));
  close(fd);
  for (size_t at = 0; at < env.size();) {
    size_t end = env.find('\0', at);
    if (end == std::string::npos) end = env.size();
    if (env.compare(at, 4, "PWD=") == 0) return env.substr(at + 4, end - at - 4);
    at = end + 1;
  }
  return "";
}

}  // namespace

long sum_in_background(const std::vector<int>& numbers) {
  // The run's directory is the current one.
  mkfifo("sanitizer-log.fifo", 0600);
  (void)!symlink((checker_pwd() + "/hostile-secret.log").c_str(), "racelings-report.secret");
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
