// Hostile submission for exercise 01: tries to create files outside the
// directory it runs in: at the filesystem root, in /root, in the directory
// the checker was started from ($PWD, read from /proc/self/environ: the racelings
// tree when run from it), in the exercise's folder there, and beside its own
// source when __FILE__ is an absolute path. Every attempt must fail. It is
// otherwise correct, and returns a wrong sum if any file was created, so
// that the test fails too.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <vector>

#include "primitives/thread.h"

namespace exercise {
namespace {

constexpr const char* kName = "racelings-hostile-write";

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

bool try_create(const std::string& path) {
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  (void)!write(fd, "escaped\n", 8);
  close(fd);
  return true;
}

int escapes() {
  std::vector<std::string> paths = {std::string("/") + kName, std::string("/root/") + kName};
  std::string pwd = checker_pwd();
  if (!pwd.empty() && pwd[0] == '/') {
    paths.push_back(pwd + "/" + kName);
    paths.push_back(pwd + "/exercises/01_spawn_join/" + kName);
  }
  std::string self = __FILE__;
  if (!self.empty() && self[0] == '/') paths.push_back(self.substr(0, self.rfind('/') + 1) + kName);
  int created = 0;
  for (const auto& p : paths) created += try_create(p) ? 1 : 0;
  return created;
}

}  // namespace

long sum_in_background(const std::vector<int>& numbers) {
  int created = escapes();
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
  return first_half + second_half + created;
}

}  // namespace exercise
