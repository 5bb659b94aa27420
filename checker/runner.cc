#include "checker/runner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "checker/explore_cache.h"
#include "checker/integrity/completion.h"
#include "checker/report/step_log.h"
#include "checker/symbols/symbol_record.h"
#include "checker/workspace.h"
#include "primitives/thread.h"

namespace racelings::checker {

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> env;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

namespace {

// The sanitizer runtime could not start (seen on kernels with more random
// mmap bits than older TSan runtimes expect).
bool runtime_failed_to_start(const std::string& output) {
  return output.find("unexpected memory mapping") != std::string::npos ||
         output.find("FATAL: ThreadSanitizer: failed to") != std::string::npos ||
         output.find("ERROR: AddressSanitizer failed to allocate") != std::string::npos ||
         output.find("Shadow memory range interleaves with an existing memory mapping") != std::string::npos;
}

// A user id of its own for each run, held while the run lasts, so that one
// run's fork bomb (RLIMIT_NPROC is per user) cannot starve another's threads,
// and ending every process of that user after the run (process.cc) ends this
// run's only. Unique on the machine, across checker processes too: the lease
// is a lock on the uid's byte of a shared file, released when it is closed.
class UidLease {
 public:
  UidLease() {
    // Relaxed: only a starting point for the search.
    static std::atomic<unsigned> counter{0};
    unsigned start = static_cast<unsigned>(::getpid()) * 7 + counter.fetch_add(1, std::memory_order_relaxed);
    fd_ = ::open("/tmp/.racelings-run-uids.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    for (unsigned i = 0; fd_ >= 0 && i < kUids; ++i) {
      struct flock lock = {};
      lock.l_type = F_WRLCK;
      lock.l_whence = SEEK_SET;
      lock.l_start = (start + i) % kUids;
      lock.l_len = 1;
      if (::fcntl(fd_, F_OFD_SETLK, &lock) == 0) {
        uid_ = kFirstUid + static_cast<unsigned>(lock.l_start);
        return;
      }
    }
    uid_ = kFirstUid + start % kUids;  // No lock file: distinct within this process at least.
  }
  ~UidLease() {
    if (fd_ >= 0) ::close(fd_);
  }
  UidLease(const UidLease&) = delete;
  UidLease& operator=(const UidLease&) = delete;
  unsigned uid() const { return uid_; }

 private:
  static constexpr unsigned kFirstUid = 61000;
  static constexpr unsigned kUids = 4000;
  int fd_ = -1;
  unsigned uid_ = 0;
};

void append_option(std::map<std::string, std::string>& env, const std::string& var, const std::string& option) {
  auto it = env.find(var);
  env[var] = (it == env.end() || it->second.empty()) ? option : it->second + ":" + option;
}

// Appends what the program's sanitizer and detector wrote to files (they
// still reach us when the program closes its stdout and stderr).
void collect_logs(const std::string& dir, RunResult& result) {
  std::error_code ec;
  constexpr size_t kMaxLogBytes = size_t{4} << 20;
  // In all: a program may write any number of files with these names.
  constexpr size_t kMaxTotalLogBytes = size_t{16} << 20;
  size_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("sanitizer-log", 0) != 0 && name.rfind("racelings-report", 0) != 0) continue;
    if (total >= kMaxTotalLogBytes) break;
    // Only the program's own regular files: not a link to a file it could not
    // read itself, nor a FIFO, whose open would block forever.
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
      ::close(fd);
      continue;
    }
    std::string text(std::min(kMaxLogBytes, kMaxTotalLogBytes - total), '\0');
    size_t got = 0;
    for (ssize_t n; got < text.size() && (n = ::read(fd, text.data() + got, text.size() - got)) > 0;) {
      got += static_cast<size_t>(n);
    }
    ::close(fd);
    text.resize(got);
    total += got;
    result.output += "\n" + text;
  }
}

// A regular file the program wrote, up to `cap` bytes (empty if none).
std::string read_capped(const std::string& path, size_t cap) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st;
  std::string text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    text.resize(std::min(cap, static_cast<size_t>(st.st_size)));
    size_t got = 0;
    for (ssize_t n; got < text.size() && (n = ::read(fd, text.data() + got, text.size() - got)) > 0;) {
      got += static_cast<size_t>(n);
    }
    text.resize(got);
  }
  ::close(fd);
  return text;
}

// Copies a program with every descriptor close-on-exec: a descriptor open
// for writing that leaked into another run's child would make this copy's
// execve fail with "text file busy".
bool copy_executable(const std::string& from, const std::string& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (out < 0) {
    ::close(in);
    return false;
  }
  char buf[1 << 16];
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0 || ::write(out, buf, static_cast<size_t>(n)) != n) {
      ok = false;
      break;
    }
  }
  ::close(in);
  return ::close(out) == 0 && ok;
}

// The test program where a run's own user can execute it: a root-owned,
// read-only copy made once per program (and per checker process) instead of
// once per run, in a directory others may enter but not list. Empty when the
// copy cannot be made.
// The folder of the copies below: the checker's, which a run's user may
// enter but not list nor write; removed at exit.
std::string shared_folder() {
  static const std::string path = [] {
    static TempDir dir("racelings-programs", "/tmp");
    ::chmod(dir.path().c_str(), 0711);
    return dir.path();
  }();
  return path;
}

// `name`: the copy's file name (the binary's own by default; reports name
// the program).
std::string shared_executable(const std::string& binary, const std::string& name = "") {
  static std::mutex mu;
  static std::map<std::string, std::string> copies;  // Guarded by mu: "path size mtime" -> copy.
  std::string key = file_version(binary);
  if (key.empty()) return "";
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = copies.find(key + "|" + name); it != copies.end()) return it->second;
  // One folder per copy.
  std::string folder = shared_folder() + "/" + std::to_string(copies.size());
  std::string copy = folder + "/" + (name.empty() ? std::filesystem::path(binary).filename().string() : name);
  if (::mkdir(folder.c_str(), 0711) != 0 || !copy_executable(binary, copy) || ::chmod(copy.c_str(), 0555) != 0) {
    return "";
  }
  copies[key + "|" + name] = copy;
  return copy;
}

std::mutex proxy_mu;
std::string proxy_binary;  // Guarded by proxy_mu: use_symbolizer_proxy()'s.

// The symbolizer proxy (checker/symbols), as llvm-symbolizer, where a run's
// user can execute it; "" when there is none.
std::string shared_symbolizer() {
  std::string binary;
  {
    std::lock_guard<std::mutex> lock(proxy_mu);
    binary = proxy_binary;
  }
  return binary.empty() ? "" : shared_executable(binary, "llvm-symbolizer");
}

// The files of a run's symbol record: the program's record (by its bytes),
// its copy for the run in the checker's folder, the run's requests.
symbols::RunRecord symbol_files(const std::string& binary, const std::string& dir) {
  symbols::RunRecord r;
  std::string hash = file_hash(binary);
  if (hash.empty()) return r;
  r.record = cache_home() + "/racelings/symbols/" + hash + ".txt";
  r.shown = shared_folder() + "/symbols-" + std::filesystem::path(dir).filename().string();
  r.requests = dir + "/racelings-symbol-requests";
  // Used again: the last to go when the records are pruned.
  std::error_code ec;
  std::filesystem::last_write_time(r.record, std::filesystem::file_time_type::clock::now(), ec);
  return r;
}

// What the run's proxy had to ask goes on record; the records are kept
// under a size, checked once per checker.
void learn_symbols(const symbols::RunRecord& r, const std::string& program) {
  symbols::learn_from_run(r, program);
  static std::once_flag pruned;
  std::call_once(pruned, [] { prune_least_recently_used(cache_home() + "/racelings/symbols", uintmax_t{128} << 20); });
}

// The files of one run, in its own directory.
struct RunFiles {
  explicit RunFiles(const std::string& dir)
      : completion(dir + "/racelings-completion"),
        step_log(dir + "/racelings-steps.jsonl"),
        premature_exit(dir + "/premature_exit") {}
  std::string completion;      // the program writes the run's nonce here at the very end
  std::string step_log;        // the controlled scheduler's step log, when asked for
  std::string premature_exit;  // GoogleTest's marker of a program that left early
};

// The environment of one run: its binary's (<binary>.env), the test's own,
// and where this run's reports, nonce and files go.
void set_run_environment(const Exercise& exercise, const TestRun& test, const std::string& dir, const RunFiles& files,
                         const std::string& nonce, RunOptions& options) {
  options.env = read_env_file(test.binary + ".env");
  for (const auto& [k, v] : test.env) options.env[k] = v;
  // The program proves that every test ran by writing this run's nonce to
  // this file at the very end (checker/integrity/completion.h).
  options.env[kCompletionNonceVar] = nonce;
  options.env[kCompletionFileVar] = files.completion;
  options.env["GTEST_COLOR"] = "no";
  if (options.env.count("RACELINGS_TEST_TIMEOUT_S") == 0) {
    options.env["RACELINGS_TEST_TIMEOUT_S"] = std::to_string(exercise.timeout_s);
  }
  // Reports also go to files in the run's directory.
  for (const char* var : {"TSAN_OPTIONS", "ASAN_OPTIONS", "UBSAN_OPTIONS"}) {
    append_option(options.env, var, "log_path=" + dir + "/sanitizer-log");
  }
  options.env["RACELINGS_REPORT_PATH"] = dir + "/racelings-report";
  // The controlled scheduler's step log (not a report: read apart below).
  if (test.step_log) options.env["RACELINGS_STEP_LOG"] = files.step_log;
  // GoogleTest creates this file when the tests start and removes it when
  // they end: if it is still there, the program left early.
  options.env["TEST_PREMATURE_EXIT_FILE"] = files.premature_exit;
  options.env["HOME"] = dir;
  options.env["TMPDIR"] = dir;
  // What Bazel gives a test (the checker may itself run inside one) is not
  // for the program: GoogleTest would write its XML report where Bazel says,
  // and an unprivileged run cannot, so it would abort.
  options.unset = {"XML_OUTPUT_FILE", "TEST_*", "GTEST_*", "RUNFILES_*", "JAVA_RUNFILES", "PYTHON_RUNFILES", "BUILD_*"};
}

// Runs the program as an unprivileged user of its own, who can write only
// in `dir`; as root when that cannot be set up. Returns the binary to run.
std::string run_as_own_user(const std::string& binary, const std::string& dir, RunOptions& options,
                            std::unique_ptr<UidLease>& lease) {
  lease = std::make_unique<UidLease>();
  options.run_as_uid = lease->uid();
  std::string shared = shared_executable(binary);
  if (shared.empty() || ::chown(dir.c_str(), options.run_as_uid, options.run_as_uid) != 0) {
    options.run_as_uid = 0;
    return binary;
  }
  return shared;
}

// The step log, then its tail files (a long run's last steps; the parser orders them).
std::string read_step_log(const std::string& path) {
  std::string log = read_capped(path, report::kMaxStepLogBytes);
  for (const char* tail : {".1", ".2"}) {
    if (log.size() >= report::kMaxStepLogBytes) break;
    std::string more = read_capped(path + tail, report::kMaxStepLogBytes - log.size());
    if (!more.empty() && !log.empty() && log.back() != '\n') log += '\n';
    log += more;
  }
  return log;
}

RunVerdict run_once(const Exercise& exercise, const TestRun& test, bool disable_aslr) {
  const char* no_isolation = std::getenv("RACELINGS_NO_ISOLATION");
  bool isolate = ::geteuid() == 0 && (no_isolation == nullptr || *no_isolation == '\0');
  // An isolated run's user must reach its directory: /tmp, whatever TMPDIR
  // says (under `bazel test`, TMPDIR lies below root's private home).
  TempDir dir("racelings-run", isolate ? "/tmp" : "");
  const RunFiles files(dir.path());
  const std::string nonce = make_completion_nonce();
  RunOptions options;
  set_run_environment(exercise, test, dir.path(), files, nonce, options);
  options.cwd = dir.path();
  options.isolate_network = true;
  options.disable_aslr = disable_aslr;
  std::unique_ptr<UidLease> lease;  // Held until the run is over.
  options.argv = {isolate ? run_as_own_user(test.binary, dir.path(), options, lease) : test.binary};
  const symbols::RunRecord symbols_run = symbol_files(test.binary, dir.path());
  const bool proxied = !symbols_run.record.empty() &&
                       symbols::prepare_run(symbols_run, shared_symbolizer(), options.env);
  // The watchdog ends a hung test after timeout_s; the hard limit is the net
  // below it for hangs the watchdog cannot see (before main, after the tests).
  options.limits.timeout = std::chrono::seconds(test.timeout_s > 0 ? test.timeout_s
                                                                   : std::max(60, 3 * exercise.timeout_s));
  RunResult result = run(options);
  if (proxied) learn_symbols(symbols_run, options.argv[0]);
  collect_logs(dir.path(), result);
  std::optional<CompletionRecord> completion;
  if (auto text = read_completion_file(files.completion)) completion = parse_completion(*text, nonce);
  RunVerdict verdict = judge(std::move(result), completion);
  if (test.step_log) verdict.step_log = read_step_log(files.step_log);
  if (std::filesystem::exists(files.premature_exit) && verdict.findings.empty()) {
    report::Finding f;
    f.kind = report::Kind::kTestFailure;
    f.tool = "gtest";
    f.title = "the program exited while its tests were still running (GoogleTest's premature-exit check)";
    verdict.findings.push_back(f);
    verdict.clean = false;
  }
  return verdict;
}

// One run, retried once without address-space randomisation when the
// sanitizer runtime could not start.
RunVerdict run_program(const Exercise& exercise, const TestRun& test) {
  RunVerdict verdict = run_once(exercise, test, false);
  if (!runtime_failed_to_start(verdict.run.output)) return verdict;
  // Retry as `setarch -R` would, then explain if that did not help either.
  RunVerdict retry = run_once(exercise, test, true);
  if (!runtime_failed_to_start(retry.run.output)) return retry;
  report::Finding f;
  f.kind = report::Kind::kCrash;
  f.tool = "racelings";
  f.title =
      "the sanitizer runtime could not start on this machine, even with address-space randomisation off. "
      "This is not your code: the kernel places memory where this sanitizer cannot work (try "
      "`sysctl vm.mmap_rnd_bits=28` as root, or a newer clang).";
  retry.findings = {f};
  retry.clean = false;
  return retry;
}

}  // namespace

void use_symbolizer_proxy(const std::string& binary) {
  std::lock_guard<std::mutex> lock(proxy_mu);
  proxy_binary = binary;
}

RunVerdict run_test(const Exercise& exercise, const TestRun& test) {
  if (std::optional<RunVerdict> kept = run_on_record(exercise, test)) return *std::move(kept);
  RunVerdict verdict = run_program(exercise, test);
  record_run(exercise, test, verdict);
  return verdict;
}

std::vector<std::vector<RunVerdict>> run_many(const std::vector<std::pair<const Exercise*, TestRun>>& tests, int runs,
                                              int jobs) {
  std::vector<std::vector<RunVerdict>> results(tests.size(), std::vector<RunVerdict>(static_cast<size_t>(runs)));
  size_t total = tests.size() * static_cast<size_t>(runs);
  if (jobs <= 0) jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Relaxed: the counter only hands out distinct indices; results are
  // published to the caller when scope() joins the workers.
  std::atomic<size_t> next{0};
  racelings::scope([&](racelings::Scope& s) {
    for (int j = 0; j < jobs; ++j) {
      s.spawn([&] {
        for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < total;
             i = next.fetch_add(1, std::memory_order_relaxed)) {
          size_t t = i / static_cast<size_t>(runs);
          size_t r = i % static_cast<size_t>(runs);
          results[t][r] = run_test(*tests[t].first, tests[t].second);
        }
      });
    }
  });
  return results;
}

}  // namespace racelings::checker
