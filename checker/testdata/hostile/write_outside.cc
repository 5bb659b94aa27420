// Hostile submission for exercise 01: tries to create files outside the
// directory it runs in: at the filesystem root, in /root, in the directory
// the checker was started from ($PWD, read from `environ`: the racelings
// tree when run from it), in the exercise's folder there, and beside its own
// source when __FILE__ is an absolute path. Every attempt must fail. It is
// otherwise correct, and returns a wrong sum if any file was created, so
// that the test fails too.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "primitives/thread.h"

extern char** environ;

namespace exercise {
namespace {

constexpr const char* kName = "racelings-hostile-write";

bool try_create(const std::string& path) {
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  (void)!write(fd, "escaped\n", 8);
  close(fd);
  return true;
}

int escapes() {
  std::vector<std::string> paths = {std::string("/") + kName, std::string("/root/") + kName};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PWD=", 4) == 0 && (*e)[4] == '/') {
      std::string pwd = *e + 4;
      paths.push_back(pwd + "/" + kName);
      paths.push_back(pwd + "/exercises/01_spawn_join/" + kName);
    }
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
