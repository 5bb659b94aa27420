#include "checker/integrity.h"

#include <algorithm>
#include <regex>
#include <set>

namespace racelings::checker {

std::string strip_comments_and_strings(std::string_view src) {
  std::string out(src);
  enum { kCode, kLine, kBlock, kString, kChar, kRaw } state = kCode;
  std::string raw_end;  // )delim" for raw strings
  for (size_t i = 0; i < src.size(); ++i) {
    char c = src[i];
    char next = i + 1 < src.size() ? src[i + 1] : '\0';
    auto blank = [&](size_t at) {
      if (out[at] != '\n') out[at] = ' ';
    };
    switch (state) {
      case kCode:
        if (c == '#' && (i == 0 || src.find_last_not_of(" \t", i - 1) == std::string_view::npos ||
                         src[src.find_last_not_of(" \t", i - 1)] == '\n')) {
          // A preprocessor line: keep #include "path" readable; skip to its end.
          size_t end = src.find('\n', i);
          size_t comment = src.find("//", i);
          if (comment != std::string_view::npos && (end == std::string_view::npos || comment < end)) {
            for (size_t k = comment; k < (end == std::string_view::npos ? src.size() : end); ++k) blank(k);
          }
          i = (end == std::string_view::npos ? src.size() : end) - 1;
        } else if (c == '/' && next == '/') {
          state = kLine;
          blank(i);
        } else if (c == '/' && next == '*') {
          state = kBlock;
          blank(i);
          blank(++i);
        } else if (c == 'R' && next == '"' && (i == 0 || !std::isalnum(static_cast<unsigned char>(src[i - 1])))) {
          size_t open = src.find('(', i + 2);
          if (open == std::string_view::npos) break;
          raw_end = ")" + std::string(src.substr(i + 2, open - i - 2)) + "\"";
          state = kRaw;
          for (size_t k = i + 1; k <= open; ++k) blank(k);
          i = open;
        } else if (c == '"') {
          state = kString;
        } else if (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(src[i - 1])))) {
          // Not a digit separator (1'000'000).
          state = kChar;
        }
        break;
      case kLine:
        if (c == '\n') {
          state = kCode;
        } else {
          blank(i);
        }
        break;
      case kBlock:
        if (c == '*' && next == '/') {
          blank(i);
          blank(++i);
          state = kCode;
        } else {
          blank(i);
        }
        break;
      case kString:
      case kChar:
        if (c == '\\') {
          blank(i);
          if (i + 1 < src.size()) blank(++i);
        } else if ((state == kString && c == '"') || (state == kChar && c == '\'') || c == '\n') {
          state = kCode;
        } else {
          blank(i);
        }
        break;
      case kRaw:
        if (src.compare(i, raw_end.size(), raw_end) == 0) {
          for (size_t k = 0; k + 1 < raw_end.size(); ++k) blank(i + k);
          i += raw_end.size() - 1;
          state = kCode;
        } else {
          blank(i);
        }
        break;
    }
  }
  return out;
}

namespace {

struct Rule {
  const char* id;
  const char* pattern;  // ECMAScript regex over stripped code
  const char* reason;
};

// Every rule is about defeating the grader, not about style.
const Rule kRules[] = {
    {"sanitizer-options", R"(\b__(tsan|asan|lsan|ubsan|msan)_default_(options|suppressions)\b)",
     "defines a sanitizer options hook, which would change or silence the sanitizer's reports"},
    {"sanitizer-interface", R"(\b__(tsan|asan|lsan|msan|ubsan|sanitizer)_\w+)",
     "calls the sanitizer's runtime interface directly"},
    {"sanitizer-annotation", R"(\bAnnotate(Ignore|HappensBefore|HappensAfter|Benign|RWLock|Condvar|Mutex|NewMemory)\w*)",
     "uses ThreadSanitizer annotations, which can hide a data race"},
    {"no-sanitize", R"(\b(no_sanitize\w*|disable_sanitizer_instrumentation|no_sanitize_thread|no_sanitize_address)\b)",
     "turns sanitizer instrumentation off for some code"},
    {"early-exit", R"(\b(exit|_exit|_Exit|quick_exit|at_quick_exit|atexit|abort|terminate)\b)",
     "ends the program directly, which can skip the tests and their checks"},
    {"detector-internals", R"(\bdetector\s*::)",
     "reaches into the deadlock detector's internals (racelings::detector)"},
    {"test-framework", R"((\btesting\s*::|\bGTEST_\w+|\bRUN_ALL_TESTS\b|\bTEST(_F|_P)?\s*\())",
     "touches the test framework, which belongs to test.cc"},
    {"environment", R"(\b(setenv|unsetenv|putenv|clearenv|getenv|secure_getenv)\s*\()",
     "reads or changes environment variables, where the checker's settings live"},
    {"process-control", R"(\b(fork|vfork|execv\w*|execl\w*|system|popen|posix_spawn\w*|kill|raise|signal|sigaction|ptrace|prctl|setrlimit|dlopen|dlsym)\s*\()",
     "starts or controls processes, signals or libraries, which an exercise never needs"},
    {"raw-exit", R"(\b(syscall|pthread_exit|pthread_kill|pthread_cancel|exit_group|SYS_exit\w*|longjmp|siglongjmp)\b)",
     "leaves threads or the program by a back door, which can skip the tests"},
    // Paths such as /proc/self/environ sit in string literals, which the scan
    // blanks; the run's sandbox, not this rule, keeps those harmless.
    {"environ", R"(\b(environ|__environ|_environ)\b)",
     "reads the process's environment, where the checker's settings live"},
    {"file-access", R"(\b(unlink|unlinkat|rmdir|rename|renameat|fopen|freopen|creat|openat|truncate|ftruncate)\s*\(|\bstd\s*::\s*(filesystem|ofstream|ifstream|fstream)\b|#\s*include\s*<(filesystem|fstream)>)",
     "works with files, which an exercise never needs (and which could tamper with the test's bookkeeping)"},
    {"constructor", R"(__attribute__\s*\(\(\s*(constructor|destructor)\b)",
     "runs code before main or after it, outside the tests"},
    {"inline-asm", R"(\b(asm|__asm__|__asm)\b)", "uses inline assembly"},
    {"main", R"(\bint\s+main\s*\()", "defines main(), which belongs to the test harness"},
    {"include-test", R"(#\s*include\s*[<"][^>"]*(test\.cc|gtest|gmock|primitives/detector\.h|sanitizer/))",
     "includes the test, the test framework, the detector or sanitizer headers"},
    {"pragma", R"(#\s*pragma\s+(clang|GCC)\s+(diagnostic|attribute))",
     "changes compiler diagnostics or attributes with a pragma"},
};

// Calls that start threads or tasks: if the exercise had some, a solution
// must keep some. (The tests check the threads at run time too.)
const std::regex& concurrency_pattern() {
  static const std::regex re(
      R"(\b(spawn|spawn_scoped|scope|Builder|JoinHandle|std\s*::\s*thread|std\s*::\s*jthread|std\s*::\s*async|ThreadPool|execute|par_\w+|par_iter|into_par_iter|join_all|when_all|Runtime|block_on)\b)");
  return re;
}

int line_of(const std::string& text, size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

}  // namespace

std::vector<Violation> scan_submission(std::string_view submitted, std::string_view pristine) {
  std::string code = strip_comments_and_strings(submitted);
  std::string original = strip_comments_and_strings(pristine);
  std::vector<Violation> out;
  for (const Rule& rule : kRules) {
    std::regex re(rule.pattern);
    // What the handed-out exercise already does is allowed.
    std::set<std::string> allowed;
    for (auto it = std::sregex_iterator(original.begin(), original.end(), re); it != std::sregex_iterator(); ++it) {
      allowed.insert(it->str());
    }
    for (auto it = std::sregex_iterator(code.begin(), code.end(), re); it != std::sregex_iterator(); ++it) {
      if (allowed.count(it->str()) != 0) continue;
      out.push_back(Violation{line_of(code, static_cast<size_t>(it->position())), rule.id,
                              std::string(rule.reason) + " (`" + it->str() + "`)"});
      break;  // One violation per rule is enough to explain it.
    }
  }
  bool had_threads = std::regex_search(original, concurrency_pattern());
  bool has_threads = std::regex_search(code, concurrency_pattern());
  if (had_threads && !has_threads) {
    out.push_back(Violation{0, "removed-concurrency",
                            "starts no thread or task any more: the exercise is about making the concurrent "
                            "version correct, not about removing the concurrency"});
  }
  std::sort(out.begin(), out.end(), [](const Violation& a, const Violation& b) { return a.line < b.line; });
  return out;
}

}  // namespace racelings::checker
