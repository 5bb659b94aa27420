// The OS's view of the process's threads (/proc/self/task): how the
// detectors judge threads they do not know, and known threads that look
// blocked but are runnable.

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "primitives/detector.h"
#include "primitives/detector/internal.h"

namespace racelings {
namespace detector {

namespace {

// A file of a thread in /proc/self/task, up to 255 bytes; "" when it cannot
// be read (the thread has ended).
std::string read_task_file(pid_t tid, const char* name) {
  std::string path = "/proc/self/task/" + std::to_string(tid) + "/" + name;
  char buf[256];
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

// The test watchdog and the all-blocked watcher: threads that never wake a
// thread or task of the program.
bool is_racelings_helper(pid_t tid) {
  std::string comm = read_task_file(tid, "comm");
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm == "racelings-dog" || comm == "racelings-watch";
}

// Whether a thread that is not running may still wake up by itself: anything
// but an untimed futex wait (a blocked mutex, condvar, join) may: a sleep, a
// timed wait, I/O. x86-64 syscall numbers; elsewhere every sleeping thread
// counts as one that may wake.
bool may_wake_later(pid_t tid) {
#if defined(__x86_64__)
  const std::string text = read_task_file(tid, "syscall");
  if (text.empty()) return true;
  const char* buf = text.c_str();
  // "<nr> <arg1> ... <arg6> <sp> <pc>", or "running", or "-1 <sp> <pc>".
  char* end = nullptr;
  long nr = std::strtol(buf, &end, 10);
  if (end == buf) return true;
  constexpr long kFutex = 202;
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  // ThreadSanitizer's background thread sleeps in the raw nanosleep system
  // call (glibc's sleeps use clock_nanosleep, 230); it never wakes anyone.
  constexpr long kNanosleep = 35;
  if (nr == kNanosleep) return false;
#endif
#endif
  if (nr != kFutex) return true;
  unsigned long long args[6] = {};
  const char* p = end;
  for (auto& a : args) {
    a = std::strtoull(p, &end, 16);
    p = end;
  }
  return args[3] != 0;  // futex(addr, op, val, timeout, ...): a timeout ends the wait.
#else
  (void)tid;
  return true;
#endif
}

}  // namespace

std::map<pid_t, OsThreadSample> sample_os_threads() {
  Invisible invisible;
  std::map<pid_t, OsThreadSample> out;
  if (auto* dir = ::opendir("/proc/self/task")) {
    while (auto* entry = ::readdir(dir)) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      pid_t tid = static_cast<pid_t>(std::atoi(entry->d_name));
      std::string path = std::string("/proc/self/task/") + entry->d_name + "/stat";
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      char buf[1024];
      ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
      ::close(fd);
      if (n <= 0) continue;
      buf[n] = '\0';
      // Fields after the command name, which is in parentheses and may hold spaces.
      const char* p = std::strrchr(buf, ')');
      if (p == nullptr) continue;
      OsThreadSample s;
      // p[2] is the state; utime and stime are fields 14 and 15 (1-based).
      s.state = p[2];
      int field = 3;
      const char* q = p + 2;
      unsigned long long utime = 0, stime = 0;
      while (*q != '\0' && field <= 15) {
        while (*q == ' ') ++q;
        if (field == 14) utime = std::strtoull(q, nullptr, 10);
        if (field == 15) stime = std::strtoull(q, nullptr, 10);
        while (*q != '\0' && *q != ' ') ++q;
        ++field;
      }
      s.cpu_ticks = utime + stime;
      out[tid] = s;
    }
    ::closedir(dir);
  }
  return out;
}

bool os_thread_may_wake(pid_t tid, const std::map<pid_t, OsThreadSample>& before, const OsThreadSample& after) {
  Invisible invisible;
  if (is_racelings_helper(tid)) return false;
  auto it = before.find(tid);
  if (after.state == 'R' || it == before.end() || after.cpu_ticks > it->second.cpu_ticks + 1) return true;
  return may_wake_later(tid);
}

}  // namespace detector
}  // namespace racelings
