// checker/symbols/symbolizer_process.h
// -----------------------------------------------------------------------------
//
// A running llvm-symbolizer, asked one request at a time over its standard
// input and output, as the sanitizer runtimes ask it.

#ifndef RACELINGS_CHECKER_SYMBOLS_SYMBOLIZER_PROCESS_H_
#define RACELINGS_CHECKER_SYMBOLS_SYMBOLIZER_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace racelings::symbols {

class SymbolizerProcess {
 public:
  // Started on the first ask(). `quiet` (the checker's own): its error
  // messages go to /dev/null instead of this process's standard error, and
  // it runs in /.
  SymbolizerProcess(std::string path, std::vector<std::string> arguments, bool quiet);
  ~SymbolizerProcess();
  SymbolizerProcess(const SymbolizerProcess&) = delete;
  SymbolizerProcess& operator=(const SymbolizerProcess&) = delete;

  // ask(): the answer to one request line (without its newline): its lines
  // and the blank line that ends it. nullopt when the symbolizer cannot be
  // started, ends, or takes longer than `timeout_ms` (it is then stopped,
  // and every later ask() fails).
  std::optional<std::string> ask(std::string_view request, int timeout_ms);

 private:
  bool start();
  void stop();

  std::string path_;
  std::vector<std::string> arguments_;
  bool quiet_;
  bool failed_ = false;
  pid_t pid_ = -1;
  int to_ = -1;    // its standard input
  int from_ = -1;  // its standard output
  std::string pending_;
};

}  // namespace racelings::symbols

#endif  // RACELINGS_CHECKER_SYMBOLS_SYMBOLIZER_PROCESS_H_
