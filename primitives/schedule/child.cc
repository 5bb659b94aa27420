// One controlled execution in a child process: forked before any thread of
// the primitives exists, so that each execution starts from the same state,
// and a crash, a deadlock or a hang ends only the child.

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "primitives/schedule/controller.h"
#include "primitives/schedule/explorer_internal.h"

// Present when a sanitizer runtime is linked in: where reports go.
extern "C" void __sanitizer_set_report_fd(void* fd) __attribute__((weak));
// glibc's fork without the atfork handlers (2.34 and later). The sanitizers
// intercept fork() to lock and unlock all their tables around it, which
// copies megabytes in parent and child per fork; with no other thread in
// the explorer there is nothing to lock, and _Fork skips that.
extern "C" pid_t _Fork() __attribute__((weak));
// LeakSanitizer's own hook: asked at exit whether to check for leaks.
extern "C" int __lsan_is_turned_off();

namespace racelings {
namespace schedule {

RunRecord* allocate_run_record(bool shared) {
  void* p = ::mmap(nullptr, sizeof(RunRecord), PROT_READ | PROT_WRITE,
                   MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE), -1, 0);
  if (p == MAP_FAILED) {
    std::perror("racelings: explore: mmap");
    std::_Exit(4);
  }
  // Fresh anonymous memory is zero, which is every field's initial value but
  // these; the arrays stay untouched until used.
  auto* r = static_cast<RunRecord*>(p);
  r->depth = 3;
  r->expected_steps = 1000;
  r->tests_result = -1;
  return r;
}

namespace {

// Set in a child that is not shown. Its leak check at exit stops every
// thread, reads /proc and scans all memory: three times the cost of a whole
// schedule of a small test. Leaks do not depend on the schedule; the
// ordinary runs and the shown run check them.
bool skip_leak_check = false;

std::string temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

std::string read_capped(const std::string& path, size_t cap) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[65536];
  while (out.size() < cap) {
    ssize_t n = ::read(fd, buf, std::min(sizeof(buf), cap - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Waits for `pid` for at most `seconds`, then kills it. Returns its status.
int wait_with_limit(pid_t pid, int seconds) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  int status = 0;
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&p, 1, seconds * 1000);
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) ::kill(pid, SIGKILL);
    ::close(pidfd);
  }
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// What a child that is not shown may write to any file, its captured output
// included (more than the 4 MiB read back, so that a report near the start
// survives a flood after it).
constexpr rlim_t kCaptureFileBytes = rlim_t{16} << 20;

// In the child: where its output and reports go.
void redirect_child_output(const std::string& capture) {
  int fd = ::open(capture.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  // Reports stay in the captured output, not in the files the checker reads.
  ::setenv("RACELINGS_REPORT_PATH", "", 1);
  // Only the explorer (when every schedule passed) or the shown replay of a
  // failure writes the completion record (checker/integrity/completion.h).
  ::setenv("RACELINGS_COMPLETION_FILE", "", 1);
  if (__sanitizer_set_report_fd != nullptr) {
    __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<intptr_t>(STDERR_FILENO)));
  }
}

[[noreturn]] void child_main(const TestHooks& hooks, RunRecord* record, const ChildRequest& request,
                             const std::string& capture) {
  // Output past a file size limit (the runner sets one) must not kill the
  // child with SIGXFSZ: a correct program that prints a flood would fail
  // every schedule. The write fails instead, and the output is cut short.
  ::signal(SIGXFSZ, SIG_IGN);
  if (!request.shown) {
    skip_leak_check = true;
    redirect_child_output(capture);
    // The capture is read for its first 4 MiB only; each schedule of a
    // flooding program stops writing there instead of at the runner's limit.
    struct rlimit fsize;
    if (::getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur > kCaptureFileBytes) {
      fsize.rlim_cur = kCaptureFileBytes;
      ::setrlimit(RLIMIT_FSIZE, &fsize);
    }
  }
  ControlOptions options;
  options.record = record;
  options.step_log_path = request.step_log;
  options.schedule_id = request.schedule_id;
  start_controlled(options);
  int result = hooks.run_tests();
  record->tests_result = result;
  record->tests_ran = hooks.tests_ran ? hooks.tests_ran() : -1;
  record->tests_returned = true;
  end_controlled();
  std::fflush(nullptr);
  std::exit(result);
}

// ThreadSanitizer's lock-order detector (detect_deadlocks) clears its whole
// graph, 2 MB, when it gives a lock its first node. Done once here, in the
// explorer, it is not done again in every child, where each of those pages
// would be a page fault: a quarter of a small test's schedule.
void warm_lock_order_graph() {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  ::pthread_mutex_lock(&mu);
  ::pthread_mutex_unlock(&mu);
  ::pthread_mutex_destroy(&mu);
}

}  // namespace

ChildRunner::ChildRunner(const TestHooks& hooks, uint64_t step_bound)
    : hooks_(hooks), step_bound_(step_bound), record_(allocate_run_record(/*shared=*/true)) {
  std::string base = temp_dir() + "/racelings-explore." + std::to_string(::getpid());
  capture_path_ = base + ".out";
  kept_path_ = base + ".failed";
  // The test watchdog ends a hung test; this ends a child hung elsewhere.
  int per_test = 20;
  if (const char* env = std::getenv("RACELINGS_TEST_TIMEOUT_S"); env != nullptr && std::atoi(env) > 0) {
    per_test = std::atoi(env);
  }
  limit_seconds_ = std::max(60, 3 * per_test);
  warm_lock_order_graph();
}

ChildRunner::~ChildRunner() {
  ::unlink(capture_path_.c_str());
  ::unlink(kept_path_.c_str());
}

ChildOutcome ChildRunner::run(const ChildRequest& request) {
  RunRecord* r = record_;
  // The request; the outcome fields back to their initial values.
  r->strategy = request.strategy;
  r->seed = request.seed;
  r->depth = request.depth;
  r->expected_steps = request.expected_steps;
  r->step_bound = step_bound_;
  r->forced_count = static_cast<uint32_t>(std::min<size_t>(request.forced.size(), RunRecord::kMaxForced));
  std::copy(request.forced.begin(), request.forced.begin() + r->forced_count, r->forced);
  r->trace = request.trace;
  r->steps = r->preemptions = r->divergences = 0;
  r->threads = r->deviation_count = r->trace_count = 0;
  r->deviations_overflow = r->trace_overflow = false;
  r->ending = Ending::kRunning;
  r->tests_returned = false;
  r->tests_result = -1;
  r->tests_ran = -1;

  std::fflush(nullptr);
  pid_t pid = _Fork != nullptr ? _Fork() : ::fork();
  if (pid < 0) {
    std::perror("racelings: explore: fork");
    std::_Exit(4);
  }
  if (pid == 0) child_main(hooks_, r, request, capture_path_);
  ChildOutcome out;
  out.wait_status = wait_with_limit(pid, limit_seconds_);
  out.steps = r->steps;
  out.preemptions = r->preemptions;
  out.divergences = r->divergences;
  out.deviations.assign(r->deviations, r->deviations + std::min(r->deviation_count, RunRecord::kMaxDeviations));
  out.deviations_overflow = r->deviations_overflow;
  if (request.trace) {
    out.trace.assign(r->trace_entries, r->trace_entries + std::min(r->trace_count, RunRecord::kMaxTrace));
    out.trace_overflow = r->trace_overflow;
  }
  out.ending = r->ending;
  bool exited_zero = WIFEXITED(out.wait_status) && WEXITSTATUS(out.wait_status) == 0;
  out.failed = !(exited_zero && r->tests_returned && r->tests_result == 0);
  out.tests_ran = r->tests_ran;
  if (out.tests_ran < 0) tests_ran_known_ = false;
  fewest_tests_ran_ = !tests_ran_known_       ? -1
                      : fewest_tests_ran_ < 0 ? out.tests_ran
                                              : std::min(fewest_tests_ran_, out.tests_ran);
  if (out.failed) {
    std::string output = request.shown ? std::string() : read_capped(capture_path_, size_t{4} << 20);
    out.signature = failure_signature(output, out.wait_status, r->tests_returned);
  }
  return out;
}

void ChildRunner::keep_last_output() { ::rename(capture_path_.c_str(), kept_path_.c_str()); }

void ChildRunner::show_kept() {
  std::string text = read_capped(kept_path_, size_t{4} << 20);
  (void)!::write(STDERR_FILENO, text.data(), text.size());
}

std::string failure_signature(const std::string& output, int wait_status, bool tests_returned) {
  struct Marker {
    const char* text;
    const char* tool;
    const char* end;  // Where the kind ends on its line.
  };
  const Marker markers[] = {
      {"WARNING: ThreadSanitizer: ", "ThreadSanitizer: ", " (pid"},
      {"ERROR: AddressSanitizer: ", "AddressSanitizer: ", " "},
      {"ERROR: LeakSanitizer: ", "LeakSanitizer: ", " "},
      {"WARNING: racelings: ", "racelings: ", " ("},
      {"[  FAILED  ] ", "", nullptr},
  };
  size_t best = std::string::npos;
  std::string signature;
  for (const Marker& m : markers) {
    size_t at = output.find(m.text);
    if (at == std::string::npos || at >= best) continue;
    best = at;
    if (m.end == nullptr) {
      signature = "test failure";
      continue;
    }
    size_t start = at + std::strlen(m.text);
    size_t eol = output.find('\n', start);
    std::string line = output.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
    size_t cut = line.find(m.end);
    signature = m.tool + line.substr(0, cut);
  }
  if (!signature.empty()) return signature;
  if (WIFSIGNALED(wait_status)) return "crash: signal " + std::to_string(WTERMSIG(wait_status));
  if (!tests_returned) return "the program exited before its tests finished";
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) != 0) {
    return "exit code " + std::to_string(WEXITSTATUS(wait_status));
  }
  return "test failure";
}

}  // namespace schedule
}  // namespace racelings

extern "C" int __lsan_is_turned_off() { return racelings::schedule::skip_leak_check ? 1 : 0; }
