#include "primitives/subprocess_testing.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

extern char** environ;

namespace racelings {
namespace testing_util {
namespace {

// Variables through which Bazel hands a test its result files; a child
// GoogleTest binary that saw them would write (or leave behind) the parent's.
const std::set<std::string>& bazel_test_variables() {
  static const std::set<std::string> kNames = {
      "XML_OUTPUT_FILE",  "TEST_PREMATURE_EXIT_FILE",  "TEST_SHARD_STATUS_FILE",      "TEST_TOTAL_SHARDS",
      "TEST_SHARD_INDEX", "GTEST_SHARD_STATUS_FILE",   "GTEST_TOTAL_SHARDS",          "GTEST_SHARD_INDEX",
      "GTEST_OUTPUT",     "TEST_WARNINGS_OUTPUT_FILE", "TEST_UNDECLARED_OUTPUTS_DIR",
  };
  return kNames;
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    if (bazel_test_variables().count(name) != 0 || overrides.count(name) != 0) continue;
    out.push_back(entry);
  }
  for (const auto& [name, value] : overrides) {
    if (!value.empty()) out.push_back(name + "=" + value);
  }
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildResult run_child(const std::string& program, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, std::chrono::milliseconds limit) {
  ChildResult result;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = child_environment(env);
  std::vector<char*> argv = c_strings(argv_strings);
  std::vector<char*> envp = c_strings(env_strings);

  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int err = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (err != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.err = std::string("posix_spawn failed: ") + std::strerror(err);
    return result;
  }
  result.started = true;

  auto deadline = start + limit;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    int wait_ms = -1;
    if (!result.timed_out) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        // Past the limit: kill it, then read what it wrote until the pipes close.
        result.timed_out = true;
        ::kill(pid, SIGKILL);
        continue;
      }
      wait_ms = static_cast<int>(left.count());
    }
    int n = ::poll(fds, 2, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

ChildResult run_gtest_case(const std::string& program, const std::string& test, std::map<std::string, std::string> env,
                           int watchdog_s, std::chrono::milliseconds limit) {
  env["RACELINGS_TEST_TIMEOUT_S"] = std::to_string(watchdog_s);
  ChildResult r = run_child(runfile(program), {"--gtest_filter=" + test}, env, limit);
  std::printf("%s: exit %d, signal %d, %lld ms\n", test.c_str(), r.exit_code, r.signal,
              static_cast<long long>(r.elapsed.count()));
  return r;
}

std::string runfile(const std::string& workspace_relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string base = srcdir != nullptr ? srcdir : ".";
  std::string ws = workspace != nullptr && *workspace != '\0' ? workspace : "racelings";
  return base + "/" + ws + "/" + workspace_relative;
}

int count_reports(const std::string& text) {
  int n = 0;
  for (size_t pos = text.find("WARNING: racelings: "); pos != std::string::npos;
       pos = text.find("WARNING: racelings: ", pos + 1)) {
    ++n;
  }
  return n;
}

std::string report_block(const std::string& text, const std::string& kind) {
  const std::string rule = "==================\n";
  for (size_t pos = text.find("WARNING: racelings: "); pos != std::string::npos;
       pos = text.find("WARNING: racelings: ", pos + 1)) {
    size_t line_end = text.find('\n', pos);
    std::string line = text.substr(pos, line_end - pos);
    if (line.find(kind) == std::string::npos) continue;
    size_t begin = text.rfind(rule, pos);
    size_t end = text.find(rule, line_end);
    if (begin == std::string::npos) begin = pos;
    end = end == std::string::npos ? text.size() : end + rule.size();
    return text.substr(begin, end - begin);
  }
  return "";
}

}  // namespace testing_util
}  // namespace racelings
