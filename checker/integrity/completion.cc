#include "checker/integrity/completion.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <random>

namespace racelings::checker {
namespace {

constexpr std::string_view kPrefix = "racelings-completion ";

// The integer after " <key>=" in `line`, if there is one.
std::optional<int> field(std::string_view line, std::string_view key) {
  std::string needle = " " + std::string(key) + "=";
  size_t at = line.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = line.data() + at + needle.size();
  int value = 0;
  auto [end, ec] = std::from_chars(begin, line.data() + line.size(), value);
  if (ec != std::errc() || end == begin) return std::nullopt;
  return value;
}

}  // namespace

std::optional<CompletionRecord> parse_completion(std::string_view text, std::string_view nonce) {
  if (nonce.empty()) return std::nullopt;
  std::string wanted = std::string(kPrefix) + "nonce=" + std::string(nonce) + " ";
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    if (line.substr(0, wanted.size()) != wanted) continue;
    auto result = field(line, "result");
    auto ran = field(line, "ran");
    auto total = field(line, "total");
    auto failed = field(line, "failed");
    if (!result || !ran || !total || !failed) continue;
    return CompletionRecord{*result, *ran, *total, *failed};
  }
  return std::nullopt;
}

std::optional<std::string> read_completion_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  std::string text(512, '\0');
  size_t got = 0;
  for (ssize_t n; got < text.size() && (n = ::read(fd, text.data() + got, text.size() - got)) > 0;) {
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(got);
  return text;
}

std::string completion_problem(const std::optional<CompletionRecord>& record, int exit_code) {
  if (!record) {
    return "the program exited with code " + std::to_string(exit_code) +
           " before its tests finished (something called exit(), _exit() or quick_exit(), or main never ran the "
           "tests)";
  }
  if (record->result != 0 || record->failed > 0) return "the tests failed";
  if (record->ran < record->total) {
    return "only " + std::to_string(record->ran) + " of the " + std::to_string(record->total) +
           " tests ran: every test must run";
  }
  return "";
}

std::string make_completion_nonce() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 24; ++i) s += kHex[gen() % 16];
  return s;
}

}  // namespace racelings::checker
