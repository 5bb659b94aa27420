// The proxy: the checker's binary, run by a sanitizer as its llvm-symbolizer
// (symbol_record.h).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "checker/report/symbolizer.h"
#include "checker/symbols/symbol_record.h"
#include "checker/symbols/symbolizer_process.h"

namespace racelings::symbols {
namespace {

// The program that started this symbolizer: its parent, whatever its
// environment says.
std::string parent_program() {
  char buf[PATH_MAX];
  std::string link = "/proc/" + std::to_string(::getppid()) + "/exe";
  ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// The record the run was given, when it is the checker's: owned by whoever
// owns this binary, and writable by no one else.
Answers trusted_record(const char* path) {
  struct stat self;
  if (path == nullptr || ::stat("/proc/self/exe", &self) != 0) return {};
  int fd = ::open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st;
  std::string text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == self.st_uid && (st.st_mode & 022) == 0) {
    char buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return parse_answers(text);
}

bool write_all(int fd, const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int proxy_main(int argc, char** argv) {
  const std::string real(report::kSymbolizerPath);
  std::vector<std::string> arguments(argv + 1, argv + argc);
  const char* requests_path = std::getenv(kRequestsVar);
  if (arguments != kSanitizerArguments || requests_path == nullptr) {
    // Not a sanitizer's request: the real symbolizer, as asked.
    argv[0] = const_cast<char*>(real.c_str());
    ::execv(real.c_str(), argv);
    std::perror(real.c_str());
    return 127;
  }
  const Answers known = trusted_record(std::getenv(kRecordVar));
  const std::string program = parent_program();
  // O_NONBLOCK: a FIFO the program planted under that name fails the open
  // instead of blocking the symbolizer (and the program's report).
  int requests = ::open(requests_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  SymbolizerProcess symbolizer(real, arguments, /*quiet=*/false);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string key = request_key(line, program);
    auto it = key.empty() ? known.end() : known.find(key);
    std::string answer;
    if (it != known.end()) {
      answer = it->second;
    } else {
      std::optional<std::string> asked = symbolizer.ask(line, 60000);
      if (!asked) return 1;
      answer = *std::move(asked);
      if (!key.empty() && requests >= 0) (void)write_all(requests, line + "\n");
    }
    if (!write_all(STDOUT_FILENO, answer)) return 1;
  }
  return 0;
}

}  // namespace racelings::symbols
