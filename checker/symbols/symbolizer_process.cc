#include "checker/symbols/symbolizer_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

extern char** environ;

namespace racelings::symbols {

SymbolizerProcess::SymbolizerProcess(std::string path, std::vector<std::string> arguments, bool quiet)
    : path_(std::move(path)), arguments_(std::move(arguments)), quiet_(quiet) {}

SymbolizerProcess::~SymbolizerProcess() { stop(); }

bool SymbolizerProcess::start() {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return false;
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return false;
  }
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  if (quiet_) {
    ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    // A relative module ("[stack]") must name no file of the checker's.
    ::posix_spawn_file_actions_addchdir_np(&actions, "/");
  }
  std::vector<char*> argv;
  argv.push_back(path_.data());
  for (std::string& a : arguments_) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = ::posix_spawn(&pid_, path_.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  to_ = in[1];
  from_ = out[0];
  if (rc != 0) {
    pid_ = -1;
    stop();
    return false;
  }
  return true;
}

void SymbolizerProcess::stop() {
  if (to_ >= 0) ::close(to_);
  if (from_ >= 0) ::close(from_);
  to_ = from_ = -1;
  if (pid_ > 0) {
    // Its input closed, it ends; one that does not is not waited for.
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) != 0) {
        pid_ = -1;
        break;
      }
      ::usleep(10000);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_ = -1;
}

std::optional<std::string> SymbolizerProcess::ask(std::string_view request, int timeout_ms) {
  if (failed_ || (pid_ < 0 && !start())) {
    failed_ = true;
    return std::nullopt;
  }
  std::string line(request);
  line += '\n';
  for (size_t sent = 0; sent < line.size();) {
    ssize_t n = ::write(to_, line.data() + sent, line.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed_ = true;
      stop();
      return std::nullopt;
    }
    sent += static_cast<size_t>(n);
  }
  // An answer's lines are never empty: the first blank line ends it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (size_t end = pending_.find("\n\n"); end != std::string::npos) {
      std::string answer = pending_.substr(0, end + 2);
      pending_.erase(0, end + 2);
      return answer;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{from_, POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    char buf[4096];
    ssize_t n = ready > 0 ? ::read(from_, buf, sizeof(buf)) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed_ = true;
      stop();
      return std::nullopt;
    }
    pending_.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace racelings::symbols
