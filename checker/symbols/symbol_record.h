// checker/symbols/symbol_record.h
// -----------------------------------------------------------------------------
//
// Sanitizer reports, symbolized once per program. A sanitizer turns each
// address of a report into a function, file and line by starting
// llvm-symbolizer: about 0.2 s of a failing run, most of what a broken
// exercise's or a wrong fix's run costs, paid again by every run of the same
// program. So the checker runs each program with a stand-in (the proxy, this
// binary under the name llvm-symbolizer) that answers what is on record and
// asks the real symbolizer only the rest, and lists what it had to ask.
// After the run the checker answers those requests with a symbolizer of its
// own and puts them on record.
//
// - The answers are llvm-symbolizer's own bytes for the same request and
//   arguments, so a report reads exactly as without the record.
// - The record of a program is keyed by its bytes; another module's answers
//   (libc) by its path, size and time.
// - What a run lists is only a request: the answer on record is always the
//   checker's, so a program cannot put words in another run's report.
// - A record lives in $XDG_CACHE_HOME/racelings/symbols/ (one file per
//   program, pruned with the exploration record's rule).
//   RACELINGS_SYMBOL_RECORD=0 turns it off.

#ifndef RACELINGS_CHECKER_SYMBOLS_SYMBOL_RECORD_H_
#define RACELINGS_CHECKER_SYMBOLS_SYMBOL_RECORD_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace racelings::symbols {

// The arguments the sanitizer runtimes start llvm-symbolizer with. The proxy
// answers from the record only when started with exactly these.
inline const std::vector<std::string> kSanitizerArguments = {"--demangle", "--inlines", "--default-arch=x86_64"};

// Between the runner and the proxy (environment variables of the run). A
// program can change its own environment before a report, so the proxy
// trusts neither: it takes the program from its parent process, stands in for
// report::kSymbolizerPath only, and reads a record only when the record's
// owner is its own binary's owner and no one else may write it (a run's own
// user cannot forge one).
inline constexpr char kRecordVar[] = "RACELINGS_SYMBOLS";            // the answers known (a file)
inline constexpr char kRequestsVar[] = "RACELINGS_SYMBOL_REQUESTS";  // where the proxy lists what it asked

// Request key -> answer (its lines, and the blank line that ends it).
using Answers = std::map<std::string, std::string>;

// A record's text: each key line, then its answer.
Answers parse_answers(std::string_view text);
std::string answers_text(const Answers& answers);

// request_key(): what a request line ("CODE \"<module>\" 0x<offset>", DATA
// or FRAME) is on record as: the program's own path stands as "<program>",
// another module's path is followed by its size and modification time.
// Empty for anything else: not a request, a module that is not an absolute
// path to a file.
std::string request_key(std::string_view line, const std::string& program);

// The proxy: main() of the checker's binary when it runs as llvm-symbolizer.
int proxy_main(int argc, char** argv);

// The checker's side.
//
// What one run needs: the program's record (a file of the checker's, kept
// by its bytes), its copy for the run (`shown`, in a folder only the
// checker can write, readable by the run's user), and where the run lists
// its requests (in the run's own folder).
struct RunRecord {
  std::string record;
  std::string shown;
  std::string requests;
};

// prepare_run(): the variables above in `env`, and each sanitizer's
// external_symbolizer_path (report::kSymbolizerPath) pointing at `proxy`;
// `run.shown` written from `run.record`. Leaves `env` as it was, and returns
// false, when the record is off or the program names no such symbolizer.
bool prepare_run(const RunRecord& run, const std::string& proxy, std::map<std::string, std::string>& env);

// learn_from_run(): answers what the proxy of a run of `program` (the path
// it ran as) had to ask, with the checker's own symbolizer, and adds it to
// `run.record`. Removes `run.shown`.
void learn_from_run(const RunRecord& run, const std::string& program);

}  // namespace racelings::symbols

#endif  // RACELINGS_CHECKER_SYMBOLS_SYMBOL_RECORD_H_
