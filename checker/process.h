// checker/process.h
// -----------------------------------------------------------------------------
//
// Runs a program the checker does not trust (a student's test binary, a
// compiler) and always comes back with a result: a wall-clock timeout kills
// the program's whole process group; its memory is watched and capped; its
// output is captured up to a limit (keeping the start and the end, where
// sanitizer reports land) with a note of what was dropped; it runs in a
// fresh directory; core dumps and huge files are off.
//
// Nothing a program does here can hang, crash or flood the checker.

#ifndef RACELINGS_CHECKER_PROCESS_H_
#define RACELINGS_CHECKER_PROCESS_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace racelings::checker {

struct RunLimits {
  std::chrono::milliseconds timeout{60000};
  // Resident memory (all processes of the group): sanitizers reserve large
  // virtual ranges, so the cap is on what is really used.
  size_t max_rss_bytes = size_t{4} << 30;
  // Output kept: the first `head` and the last `tail` bytes.
  size_t output_head_bytes = size_t{2} << 20;
  size_t output_tail_bytes = size_t{1} << 20;
  // Largest file the program may write.
  size_t max_file_bytes = size_t{64} << 20;
  // Processes the program may have at once (enforced for non-root users).
  size_t max_processes = 512;
};

struct RunOptions {
  std::vector<std::string> argv;
  // When not 0 (and the checker runs as root): the user and group the
  // program runs as, so that it cannot write outside its own directory and
  // RLIMIT_NPROC holds against fork bombs. Its directory must be theirs.
  // Every process of that user counts towards max_rss_bytes and is ended
  // after the run: it must be this run's alone.
  unsigned run_as_uid = 0;
  // Its own network namespace (no network at all), where the platform allows.
  bool isolate_network = false;
  // Address-space layout randomisation off, as `setarch -R` does: some
  // sanitizer runtimes cannot start on kernels with many random mmap bits.
  bool disable_aslr = false;
  // Added to (or replacing entries of) the checker's own environment.
  std::map<std::string, std::string> env;
  // Removed from it: names, or prefixes ending in '*' ("TEST_*").
  std::vector<std::string> unset;
  // Working directory; empty means a fresh temporary directory, removed after.
  std::string cwd;
  RunLimits limits;
};

struct RunResult {
  bool started = false;      // false: could not be executed (see `error`)
  std::string error;         // why it did not start
  int exit_code = -1;        // when it exited normally
  int signal = 0;            // when a signal ended it
  bool timed_out = false;    // killed by the wall-clock limit
  bool out_of_memory = false;  // killed for using more than max_rss_bytes
  std::string output;        // stdout and stderr, interleaved as written
  size_t dropped_bytes = 0;  // output not kept (between head and tail)
  std::chrono::milliseconds elapsed{0};
  bool network_isolated = false;  // the program ran without network

  bool exited_ok() const { return started && !timed_out && !out_of_memory && signal == 0 && exit_code == 0; }
};

// run(): runs the program to the end (or to a limit) and returns what happened.
RunResult run(const RunOptions& options);

// A unique, private temporary directory, removed with everything in it when
// the object dies.
class TempDir {
 public:
  // In $TMPDIR (default /tmp), or in `parent` when given.
  explicit TempDir(const std::string& prefix = "racelings", const std::string& parent = "");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Removes a directory tree; errors are ignored.
void remove_tree(const std::string& path);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_PROCESS_H_
