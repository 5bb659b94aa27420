// Hostile submission for exercise 01: a fork bomb whose children leave the
// test's process group (setsid), so killing that group alone would leave
// them running. Each process names itself "hostile-fork" so that a test can
// find them with ps. RLIMIT_NPROC of the run's own user caps their number;
// the checker must end every one of them after the run.
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <vector>

#include "primitives/thread.h"

namespace exercise {
namespace {

[[noreturn]] void bomb() {
  for (;;) {
    pid_t pid = fork();
    if (pid == 0) {
      setsid();
      prctl(PR_SET_NAME, "hostile-fork");
    } else if (pid < 0) {
      sched_yield();  // At the process limit: keep trying.
    }
  }
}

}  // namespace

long sum_in_background(const std::vector<int>& numbers) {
  prctl(PR_SET_NAME, "hostile-fork");
  racelings::JoinHandle<void> worker = racelings::spawn([] { bomb(); });
  worker.join();
  return static_cast<long>(numbers.size());
}

}  // namespace exercise
