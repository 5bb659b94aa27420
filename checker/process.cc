#include "checker/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

extern char** environ;

namespace racelings::checker {
namespace {

using Clock = std::chrono::steady_clock;

// The real user id of the process at `base` (/proc/<pid>), from its status
// (the directory itself is root's when the process made itself non-dumpable);
// 0 when unknown.
uid_t process_uid(const std::string& base) {
  std::ifstream status(base + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) == 0) return static_cast<uid_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
  }
  return 0;
}

// Resident set size in bytes of every process whose process group is `pgid`,
// or (when `uid` is not 0) that belongs to user `uid`.
size_t group_rss_bytes(pid_t pgid, uid_t uid) {
  size_t total = 0;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  long page = ::sysconf(_SC_PAGESIZE);
  while (auto* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::string base = std::string("/proc/") + entry->d_name;
    std::ifstream stat(base + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    // Fields after the name: state ppid pgrp ...
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3) continue;
    // A process that left the group (setsid) still counts: it is the run's user's.
    if (pgrp != pgid && (uid == 0 || process_uid(base) != uid)) continue;
    std::ifstream statm(base + "/statm");
    long size = 0, resident = 0;
    if (statm >> size >> resident) total += static_cast<size_t>(resident) * static_cast<size_t>(page);
  }
  ::closedir(proc);
  return total;
}

// Keeps the first `head` bytes and the last `tail` bytes of a stream.
class OutputCapture {
 public:
  OutputCapture(size_t head, size_t tail) : head_limit_(head), tail_limit_(tail) {}

  void add(const char* data, size_t n) {
    size_t to_head = std::min(n, head_limit_ - std::min(head_limit_, head_.size()));
    head_.append(data, to_head);
    data += to_head;
    n -= to_head;
    if (n == 0) return;
    tail_.append(data, n);
    if (tail_.size() > 2 * tail_limit_ + 65536) trim();
  }

  std::string finish(size_t& dropped) {
    trim();
    dropped = dropped_;
    if (dropped_ == 0) return head_ + tail_;
    return head_ + "\n[racelings: " + std::to_string(dropped_) +
           " bytes of output dropped here: the program printed too much]\n" + tail_;
  }

 private:
  void trim() {
    if (tail_.size() <= tail_limit_) return;
    size_t cut = tail_.size() - tail_limit_;
    dropped_ += cut;
    tail_.erase(0, cut);
  }

  size_t head_limit_, tail_limit_;
  std::string head_, tail_;
  size_t dropped_ = 0;
};

// Ends every process of user `uid` (a run's own user): a program can leave its
// process group (setsid), but not its user. kill(-1) from a process of that
// user signals all of them at once, and a fork racing with it fails.
void kill_user_processes(uid_t uid) {
  pid_t helper = ::fork();
  if (helper == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0) _exit(1);
    for (int i = 0; i < 3 && ::kill(-1, SIGKILL) == 0; ++i) ::usleep(1000);
    _exit(0);
  }
  int status = 0;
  while (helper > 0 && ::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
}

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra,
                                            const std::vector<std::string>& unset) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    std::string name = entry.substr(0, eq);
    if (eq != std::string::npos && extra.count(name) != 0) continue;
    bool removed = false;
    for (const auto& u : unset) {
      if (!u.empty() && u.back() == '*' ? name.rfind(u.substr(0, u.size() - 1), 0) == 0 : name == u) removed = true;
    }
    if (removed) continue;
    out.push_back(std::move(entry));
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

// What the child needs, prepared before fork: after fork, only
// async-signal-safe calls.
struct ChildSetup {
  ChildSetup(const RunOptions& o, std::string dir) : options(o), cwd(std::move(dir)) {
    env_strings = merged_environment(options.env, options.unset);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    args = options.argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
  }
  const RunOptions& options;
  std::string cwd;
  bool root = ::geteuid() == 0;
  std::vector<std::string> env_strings, args;
  std::vector<char*> envp, argv;
};

// Caps core dumps, file sizes and CPU time (the wall clock is watched outside).
void limit_child(const ChildSetup& setup) {
  const RunLimits& limits = setup.options.limits;
  struct rlimit core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  struct rlimit fsize = {limits.max_file_bytes, limits.max_file_bytes};
  ::setrlimit(RLIMIT_FSIZE, &fsize);
  long cpu = static_cast<long>(limits.timeout.count() / 1000) * 2 + 10;
  struct rlimit cpu_limit = {static_cast<rlim_t>(cpu), static_cast<rlim_t>(cpu + 5)};
  ::setrlimit(RLIMIT_CPU, &cpu_limit);
}

// The child between fork and exec: its own process group, output into the
// pipe, limits, network namespace, user; reports through `status_fd`
// whether the network is isolated.
[[noreturn]] void exec_child(const ChildSetup& setup, int output_fd, int status_fd) {
  const RunOptions& options = setup.options;
  ::setpgid(0, 0);
  ::dup2(output_fd, STDOUT_FILENO);
  ::dup2(output_fd, STDERR_FILENO);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  limit_child(setup);
  char isolated = '0';
  if (options.isolate_network && setup.root && ::unshare(CLONE_NEWNET) == 0) isolated = '1';
  (void)!::write(status_fd, &isolated, 1);
  if (options.disable_aslr) ::personality(ADDR_NO_RANDOMIZE);
  if (::chdir(setup.cwd.c_str()) != 0) _exit(126);
  if (setup.root && options.run_as_uid != 0) {
    // Drop root for good: no supplementary groups, then group, then user.
    gid_t gid = static_cast<gid_t>(options.run_as_uid);
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(options.run_as_uid) != 0) _exit(126);
  }
  if (!setup.root || options.run_as_uid != 0) {
    // Root ignores RLIMIT_NPROC; for any other user it stops fork bombs.
    struct rlimit nproc = {options.limits.max_processes, options.limits.max_processes};
    ::setrlimit(RLIMIT_NPROC, &nproc);
  }
  // Writing to a closed pipe must fail, not kill the program silently.
  ::signal(SIGPIPE, SIG_DFL);
  // "Text file busy": another run's child, between its fork and its exec,
  // may still hold a descriptor of this freshly copied program; it goes
  // away at that exec, so try again briefly.
  for (int attempt = 0; attempt < 100; ++attempt) {
    ::execve(setup.argv[0], setup.argv.data(), setup.envp.data());
    if (errno != ETXTBSY) break;
    struct timespec pause = {0, 5 * 1000 * 1000};
    ::nanosleep(&pause, nullptr);
  }
  const char msg[] = "racelings: could not execute the program\n";
  (void)!::write(STDERR_FILENO, msg, sizeof(msg) - 1);
  _exit(127);
}

// Reads the program's output until it ends, killing its group when it
// passes its time or memory limit. Returns its wait status.
int watch_child(pid_t pid, int output_fd, const ChildSetup& setup, Clock::time_point start, OutputCapture& capture,
                RunResult& result) {
  const RunLimits& limits = setup.options.limits;
  auto deadline = start + limits.timeout;
  auto next_memory_check = start;
  bool pipe_open = true;
  int status = 0;
  char buf[65536];
  // Readable when the program ends, so the loop wakes at once instead of at
  // its next tick (each run would otherwise pay up to a tick). -1 on kernels
  // before 5.3: the ticks alone then.
  int exit_fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  constexpr auto kMemoryCheckEvery = std::chrono::milliseconds(100);
  for (;;) {
    auto now = Clock::now();
    if (now >= deadline && !result.timed_out) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
    }
    if (now >= next_memory_check && !result.timed_out && !result.out_of_memory) {
      next_memory_check = now + kMemoryCheckEvery;
      if (group_rss_bytes(pid, setup.root ? setup.options.run_as_uid : 0) > limits.max_rss_bytes) {
        result.out_of_memory = true;
        ::kill(-pid, SIGKILL);
      }
    }
    // Sleep until output, the program's end, or the next check (a negative
    // descriptor is ignored by poll).
    struct pollfd fds[2] = {{pipe_open ? output_fd : -1, POLLIN, 0}, {exit_fd, POLLIN, 0}};
    auto until_check = std::chrono::duration_cast<std::chrono::milliseconds>(next_memory_check - now).count();
    int wait_ms = static_cast<int>(std::clamp<long long>(until_check, 1, exit_fd >= 0 ? 100 : 10));
    if (::poll(fds, 2, wait_ms) > 0 && pipe_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      ssize_t n = ::read(output_fd, buf, sizeof(buf));
      if (n > 0) {
        capture.add(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        pipe_open = false;
      }
    }
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
  }
  if (exit_fd >= 0) ::close(exit_fd);
  return status;
}

// The main process is gone: ends whatever it left behind in its group (and,
// when it ran as a user of its own, anywhere else), then reads what is still
// in the pipe (without waiting for orphans that hold it).
void end_leftovers(pid_t pid, int output_fd, const ChildSetup& setup, OutputCapture& capture) {
  ::kill(-pid, SIGKILL);
  if (setup.root && setup.options.run_as_uid != 0) kill_user_processes(setup.options.run_as_uid);
  char buf[65536];
  for (;;) {
    struct pollfd pfd = {output_fd, POLLIN, 0};
    if (::poll(&pfd, 1, 20) <= 0) break;
    ssize_t n = ::read(output_fd, buf, sizeof(buf));
    if (n <= 0) break;
    capture.add(buf, static_cast<size_t>(n));
  }
}

void record_exit(int status, const RunOptions& options, RunResult& result) {
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    if ((result.exit_code == 126 || result.exit_code == 127) &&
        result.output.find("racelings: could not execute") != std::string::npos) {
      result.error = "could not execute " + options.argv[0];
    }
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
}

}  // namespace

RunResult run(const RunOptions& options) {
  RunResult result;
  if (options.argv.empty()) {
    result.error = "nothing to run";
    return result;
  }
  std::unique_ptr<TempDir> scratch;
  std::string cwd = options.cwd;
  if (cwd.empty()) {
    scratch = std::make_unique<TempDir>("racelings-run");
    cwd = scratch->path();
  }
  // The child reports through status_fds whether it entered its own network
  // namespace: one byte, '1' or '0', before exec (which closes it).
  int output_fds[2], status_fds[2];
  if (::pipe2(status_fds, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  if (::pipe2(output_fds, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    ::close(status_fds[0]);
    ::close(status_fds[1]);
    return result;
  }
  const ChildSetup setup(options, cwd);
  auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) exec_child(setup, output_fds[1], status_fds[1]);
  ::close(output_fds[1]);
  ::close(status_fds[1]);
  if (pid < 0) {
    result.error = std::string("fork: ") + std::strerror(errno);
    ::close(output_fds[0]);
    ::close(status_fds[0]);
    return result;
  }
  ::setpgid(pid, pid);  // Also in the parent, so no window exists without the group.
  char isolated = '0';
  if (::read(status_fds[0], &isolated, 1) == 1) result.network_isolated = isolated == '1';
  ::close(status_fds[0]);
  result.started = true;

  OutputCapture capture(options.limits.output_head_bytes, options.limits.output_tail_bytes);
  int status = watch_child(pid, output_fds[0], setup, start, capture, result);
  end_leftovers(pid, output_fds[0], setup, capture);
  ::close(output_fds[0]);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  result.output = capture.finish(result.dropped_bytes);
  record_exit(status, options, result);
  return result;
}

TempDir::TempDir(const std::string& prefix, const std::string& parent) {
  const char* base = std::getenv("TMPDIR");
  std::string dir = !parent.empty() ? parent : (base != nullptr && *base != '\0' ? base : "/tmp");
  std::string pattern = dir + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory in " + pattern);
  path_ = buf.data();
}

TempDir::~TempDir() { remove_tree(path_); }

void remove_tree(const std::string& path) {
  std::error_code ec;
  // A program may have left read-only directories behind: make them writable first.
  for (auto it = std::filesystem::recursive_directory_iterator(
           path, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add,
                                   ec);
    }
  }
  std::filesystem::remove_all(path, ec);
}

}  // namespace racelings::checker
