#include "checker/symbols/symbol_record.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>

#include "checker/report/symbolizer.h"
#include "checker/symbols/symbolizer_process.h"

namespace racelings::symbols {
namespace {

// What a run may ask to put on record (a report asks tens of frames; a
// program that floods the list only slows its own runs, and not beyond
// these), how many answers a program's record keeps, and how long the
// checker's own symbolizer may take per answer.
constexpr size_t kMaxRequestBytes = size_t{256} << 10;
constexpr size_t kMaxRequests = 1024;
constexpr size_t kMaxAnswers = 16384;
constexpr auto kMaxLearning = std::chrono::seconds(5);
constexpr int kAnswerTimeoutMs = 20000;

bool record_enabled() {
  const char* env = std::getenv("RACELINGS_SYMBOL_RECORD");
  return env == nullptr || std::string_view(env) != "0";
}

// A regular file's first `cap` bytes; never follows a link nor blocks on a FIFO.
std::string read_regular(const std::string& path, size_t cap) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return text;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    char buf[65536];
    for (ssize_t n; text.size() < cap && (n = ::read(fd, buf, sizeof(buf))) > 0;) text.append(buf, n);
  }
  ::close(fd);
  if (text.size() > cap) text.resize(cap);
  return text;
}

bool write_whole(const std::string& path, const std::string& text, mode_t mode) {
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok && ::fchmodat(AT_FDCWD, tmp.c_str(), mode, 0) == 0;
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return true;
  ::unlink(tmp.c_str());
  return false;
}

// "[stack]", "[heap]": a mapping that is no file, which a sanitizer still
// asks about (where a stack variable lives). The symbolizer cannot open it
// and gives the same answer for any offset.
bool pseudo_module(const std::string& module) {
  return module.size() > 2 && module.front() == '[' && module.back() == ']' && module.find('/') == std::string::npos;
}

// A module the checker may open to answer a run's request: the program, or
// a shared library of the system.
bool may_answer_for(const std::string& module, const std::string& program) {
  if (module == program || pseudo_module(module)) return true;
  std::error_code ec;
  std::string real = std::filesystem::canonical(module, ec).string();
  if (ec) return false;
  return (real.rfind("/usr/lib/", 0) == 0 || real.rfind("/lib/", 0) == 0) && std::filesystem::is_regular_file(real, ec);
}

// The module of a request line ("CODE \"<module>\" 0x<hex>"); empty when the
// line is not one.
std::string module_of(std::string_view line) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return "";
  std::string_view command = line.substr(0, space);
  if (command != "CODE" && command != "DATA" && command != "FRAME") return "";
  std::string_view rest = line.substr(space + 1);
  size_t close = rest.rfind('"');
  if (rest.size() < 2 || rest[0] != '"' || close == 0 || close == std::string_view::npos) return "";
  std::string_view offset = rest.substr(close + 1);
  if (offset.size() < 4 || offset.substr(0, 3) != " 0x") return "";
  for (char c : offset.substr(3)) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
  }
  return std::string(rest.substr(1, close - 1));
}

std::mutex learn_mu;

// The checker's own symbolizer, shared by every run (guarded by learn_mu).
// It keeps the programs it has read, up to a size (an audit reads hundreds);
// the answers do not depend on it.
SymbolizerProcess& checker_symbolizer() {
  static auto* process = [] {
    std::vector<std::string> arguments = kSanitizerArguments;
    arguments.push_back("--cache-size=" + std::to_string(size_t{512} << 20));
    return new SymbolizerProcess(std::string(report::kSymbolizerPath), arguments, /*quiet=*/true);
  }();
  return *process;
}

}  // namespace

Answers parse_answers(std::string_view text) {
  Answers answers;
  size_t at = 0;
  while (at < text.size()) {
    size_t key_end = text.find('\n', at);
    if (key_end == std::string_view::npos) break;
    size_t answer_end = text.find("\n\n", key_end + 1);
    if (answer_end == std::string_view::npos) break;
    answers.emplace(std::string(text.substr(at, key_end - at)),
                    std::string(text.substr(key_end + 1, answer_end + 2 - (key_end + 1))));
    at = answer_end + 2;
  }
  return answers;
}

std::string answers_text(const Answers& answers) {
  std::string text;
  for (const auto& [key, answer] : answers) text += key + "\n" + answer;
  return text;
}

std::string request_key(std::string_view line, const std::string& program) {
  std::string module = module_of(line);
  std::string_view command = line.substr(0, line.find(' '));
  if (pseudo_module(module)) return std::string(command) + " \"" + module + "\"";
  if (module.empty() || module[0] != '/') return "";
  std::string_view offset = line.substr(line.rfind('"') + 1);
  if (module == program) return std::string(command) + " \"<program>\"" + std::string(offset);
  struct stat st;
  if (::stat(module.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  return std::string(line) + " @" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

bool prepare_run(const RunRecord& run, const std::string& proxy, std::map<std::string, std::string>& env) {
  if (!record_enabled() || proxy.empty()) return false;
  const std::string real = "external_symbolizer_path=" + std::string(report::kSymbolizerPath);
  std::map<std::string, std::string> changed;
  for (const char* var : {"TSAN_OPTIONS", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    auto it = env.find(var);
    if (it == env.end()) continue;
    std::string options = ":" + it->second + ":";
    size_t at = options.find(":" + real + ":");
    if (at == std::string::npos) continue;
    options.replace(at + 1, real.size(), "external_symbolizer_path=" + proxy);
    changed[var] = options.substr(1, options.size() - 2);
  }
  if (changed.empty()) return false;
  std::string known = read_regular(run.record, size_t{64} << 20);
  if (!write_whole(run.shown, known, 0644)) return false;
  for (auto& [var, options] : changed) env[var] = std::move(options);
  env[kRecordVar] = run.shown;
  env[kRequestsVar] = run.requests;
  return true;
}

void learn_from_run(const RunRecord& run, const std::string& program) {
  ::unlink(run.shown.c_str());
  std::string requests = read_regular(run.requests, kMaxRequestBytes);
  if (requests.empty()) return;
  std::lock_guard<std::mutex> lock(learn_mu);
  Answers answers = parse_answers(read_regular(run.record, size_t{64} << 20));
  size_t learned = 0, seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + kMaxLearning;
  for (size_t at = 0; at < requests.size() && seen < kMaxRequests && answers.size() < kMaxAnswers &&
                      std::chrono::steady_clock::now() < deadline;
       ++seen) {
    size_t end = requests.find('\n', at);
    if (end == std::string::npos) break;
    std::string line = requests.substr(at, end - at);
    at = end + 1;
    std::string key = request_key(line, program);
    if (key.empty() || answers.count(key) != 0 || !may_answer_for(module_of(line), program)) continue;
    std::optional<std::string> answer = checker_symbolizer().ask(line, kAnswerTimeoutMs);
    if (!answer) break;
    answers.emplace(std::move(key), std::move(*answer));
    ++learned;
  }
  if (learned == 0) return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(run.record).parent_path(), ec);
  (void)write_whole(run.record, answers_text(answers), 0644);
}

}  // namespace racelings::symbols
