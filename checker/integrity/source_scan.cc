#include "checker/integrity/source_scan.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

namespace racelings::checker {

std::string_view integrity_layer_name(IntegrityLayer layer) {
  switch (layer) {
    case IntegrityLayer::kSource:
      return "source";
    case IntegrityLayer::kPreprocessed:
      return "preprocessed source";
    case IntegrityLayer::kObject:
      return "object file";
    case IntegrityLayer::kRun:
      return "run";
  }
  return "?";
}

namespace {

// Blanks the comments and literals of a copy of C++ source, keeping its
// newlines (and so every line number): one method per kind of text it is in.
class CommentAndStringStripper {
 public:
  explicit CommentAndStringStripper(std::string_view src) : src_(src), out_(src) {}

  std::string run() {
    for (i_ = 0; i_ < src_.size(); ++i_) {
      switch (state_) {
        case kCode:
          code();
          break;
        case kLine:
          line_comment();
          break;
        case kBlock:
          block_comment();
          break;
        case kString:
        case kChar:
          quoted();
          break;
        case kRaw:
          raw_string();
          break;
      }
    }
    return std::move(out_);
  }

 private:
  enum State { kCode, kLine, kBlock, kString, kChar, kRaw };

  char next() const { return i_ + 1 < src_.size() ? src_[i_ + 1] : '\0'; }
  void blank(size_t at) {
    if (out_[at] != '\n') out_[at] = ' ';
  }
  bool at_line_start() const {
    if (i_ == 0) return true;
    size_t before = src_.find_last_not_of(" \t", i_ - 1);
    return before == std::string_view::npos || src_[before] == '\n';
  }

  void code() {
    char c = src_[i_];
    if (c == '#' && at_line_start()) {
      preprocessor_line();
    } else if (c == '/' && next() == '/') {
      state_ = kLine;
      blank(i_);
    } else if (c == '/' && next() == '*') {
      state_ = kBlock;
      blank(i_);
      blank(++i_);
    } else if (c == 'R' && next() == '"' && (i_ == 0 || !std::isalnum(static_cast<unsigned char>(src_[i_ - 1])))) {
      raw_string_start();
    } else if (c == '"') {
      state_ = kString;
    } else if (c == '\'' && !(i_ > 0 && std::isxdigit(static_cast<unsigned char>(src_[i_ - 1])))) {
      // Not a digit separator (1'000'000).
      state_ = kChar;
    }
  }

  // Keeps #include "path" readable (only a trailing comment goes); skips to the line's end.
  void preprocessor_line() {
    size_t end = src_.find('\n', i_);
    if (end == std::string_view::npos) end = src_.size();
    size_t comment = src_.find("//", i_);
    if (comment != std::string_view::npos && comment < end) {
      for (size_t k = comment; k < end; ++k) blank(k);
    }
    i_ = end - 1;
  }

  // R"delim( ... )delim": blanks the opening, then looks for the closing.
  void raw_string_start() {
    size_t open = src_.find('(', i_ + 2);
    if (open == std::string_view::npos) return;
    raw_end_ = ")" + std::string(src_.substr(i_ + 2, open - i_ - 2)) + "\"";
    state_ = kRaw;
    for (size_t k = i_ + 1; k <= open; ++k) blank(k);
    i_ = open;
  }

  void line_comment() {
    if (src_[i_] == '\n') {
      state_ = kCode;
    } else {
      blank(i_);
    }
  }

  void block_comment() {
    blank(i_);
    if (src_[i_] == '*' && next() == '/') {
      blank(++i_);
      state_ = kCode;
    }
  }

  // Inside "..." or '...': an escape blanks two characters; a newline ends it too.
  void quoted() {
    char c = src_[i_];
    if (c == '\\') {
      blank(i_);
      if (i_ + 1 < src_.size()) blank(++i_);
    } else if ((state_ == kString && c == '"') || (state_ == kChar && c == '\'') || c == '\n') {
      state_ = kCode;
    } else {
      blank(i_);
    }
  }

  void raw_string() {
    if (src_.compare(i_, raw_end_.size(), raw_end_) == 0) {
      for (size_t k = 0; k + 1 < raw_end_.size(); ++k) blank(i_ + k);
      i_ += raw_end_.size() - 1;
      state_ = kCode;
    } else {
      blank(i_);
    }
  }

  std::string_view src_;
  std::string out_;
  State state_ = kCode;
  std::string raw_end_;  // )delim" for raw strings
  size_t i_ = 0;
};

}  // namespace

std::string strip_comments_and_strings(std::string_view src) { return CommentAndStringStripper(src).run(); }

namespace {

struct Rule {
  const char* id;
  const char* pattern;  // ECMAScript regex over stripped code
  const char* reason;
};

// Every rule is about defeating the grader, not about style. The sanitizer
// families: ThreadSanitizer, AddressSanitizer, LeakSanitizer, UBSan,
// MemorySanitizer, HWASan, DataFlowSanitizer, the common runtime, coverage,
// and the interceptors every runtime shares.
const Rule kRules[] = {
    {"sanitizer-options",
     R"(\b__(tsan|asan|lsan|ubsan|msan|hwasan)_(default_options|default_suppressions|on_initialize|on_finalize|on_report|on_error|is_turned_off)\b)",
     "defines a sanitizer runtime hook, which would change or silence the sanitizer's reports"},
    {"sanitizer-interface",
     R"(\b_{2,3}(tsan|asan|lsan|msan|ubsan|hwasan|dfsan|sanitizer|sancov|interceptor|interception)_\w+|\b__(tsan|asan|lsan|msan|ubsan|hwasan|sanitizer|interception)\s*::)"
     R"(|\bnamespace\s+__(tsan|asan|lsan|msan|ubsan|hwasan|sanitizer|interception)\b)",
     "calls the sanitizer's runtime interface directly"},
    {"sanitizer-annotation", R"(\b(WTF)?Annotate[A-Z]\w*|\bRunningOnValgrind\b|\bValgrindSlowdown\b)",
     "uses ThreadSanitizer annotations, which can hide a data race"},
    {"no-sanitize", R"(\b_*(no_sanitize|disable_sanitizer_instrumentation|no_address_safety_analysis)\w*)",
     "turns sanitizer instrumentation off for some code"},
    // A function without debug information could pass for one the compiler
    // wrote itself (instrumentation_scan.h).
    {"no-debug-info", R"(\b_*nodebug_*\b)", "hides code from the debug information"},
    {"early-exit", R"(\b(exit|_exit|_Exit|quick_exit|at_quick_exit|atexit|abort|terminate)\b)",
     "ends the program directly, which can skip the tests and their checks"},
    {"detector-internals", R"(\bdetector\s*::)",
     "reaches into the deadlock detector's internals (racelings::detector)"},
    {"test-framework", R"((\btesting\s*::|\bGTEST_\w+|\bRUN_ALL_TESTS\b|\bTEST(_F|_P)?\s*\())",
     "touches the test framework, which belongs to test.cc"},
    {"environment", R"(\b(setenv|unsetenv|putenv|clearenv|getenv|secure_getenv)\s*\()",
     "reads or changes environment variables, where the checker's settings live"},
    {"process-control",
     R"(\b(fork|vfork|clone|clone3|execv\w*|execl\w*|system|popen|posix_spawn\w*|kill|raise|signal|sigaction|ptrace|prctl|setrlimit|dlopen|dlsym|dlvsym)\s*\()",
     "starts or controls processes, signals or libraries, which an exercise never needs"},
    {"raw-exit", R"(\b(syscall|pthread_exit|pthread_kill|pthread_cancel|exit_group|SYS_exit\w*|longjmp|siglongjmp)\b)",
     "leaves threads or the program by a back door, which can skip the tests"},
    // Paths such as /proc/self/environ sit in string literals, which the scan
    // blanks; the run's sandbox, not this rule, keeps those harmless.
    {"environ", R"(\b(environ|__environ|_environ)\b)",
     "reads the process's environment, where the checker's settings live"},
    {"file-access",
     R"(\b(unlink|unlinkat|rmdir|rename|renameat|fopen|freopen|creat|openat|truncate|ftruncate)\s*\(|\bstd\s*::\s*(filesystem|ofstream|ifstream|fstream)\b|#\s*include\s*<(filesystem|fstream)>)",
     "works with files, which an exercise never needs (and which could tamper with the test's bookkeeping)"},
    // Two mappings of one page give one variable two addresses, and the
    // sanitizer sees two variables.
    {"memory-mapping", R"(\b(mmap|mmap64|mremap|memfd_create|shm_open|shmat|process_vm_writev|process_vm_readv)\s*\()",
     "maps memory by hand, which an exercise never needs (and which can hide accesses from the sanitizer)"},
    // Anywhere in an attribute list, in either spelling.
    {"constructor", R"((__attribute__\s*\(\(|\[\[)[^;{}\]]*?\b_*(constructor|destructor)_*\b)",
     "runs code before main or after it, outside the tests"},
    {"inline-asm", R"(\b(asm|__asm__|__asm)\b)", "uses inline assembly"},
    {"main", R"(\bint\s+main\s*\()", "defines main(), which belongs to the test harness"},
    {"include-test", R"(#\s*include\s*[<"][^>"]*(test\.cc|gtest|gmock|primitives/detector\.h|sanitizer/))",
     "includes the test, the test framework, the detector or sanitizer headers"},
    {"include-other",
     R"(#\s*(include\s*("(?!primitives/)|<\s*[/.]|[A-Za-z_])|include_next\b|import\b|embed\b)|\b__has_embed\b)",
     "includes a file other than the project's headers (primitives/...) and the standard library's"},
    {"pragma", R"(#\s*pragma\b|\b_Pragma\s*\(|\b__pragma\b)", "changes compiler settings with a pragma"},
    // The line markers of the preprocessed text, and the debug information
    // the object checks use to quote lines, would lie.
    {"line-directive", R"(#\s*(line\b|[0-9]))", "renames or renumbers its lines with a #line directive"},
};

const std::vector<std::regex>& compiled_rules() {
  static const std::vector<std::regex> compiled = [] {
    std::vector<std::regex> out;
    for (const Rule& rule : kRules) out.emplace_back(rule.pattern);
    return out;
  }();
  return compiled;
}

// Calls that start threads or tasks: if the reference has some, a submission
// must keep some. (The tests check the threads at run time too.)
const std::regex& concurrency_pattern() {
  static const std::regex re(
      R"(\b(spawn|spawn_scoped|scope|Builder|JoinHandle|std\s*::\s*thread|std\s*::\s*jthread|std\s*::\s*async|ThreadPool|execute|par_\w+|par_iter|into_par_iter|join_all|when_all|Runtime|block_on)\b)");
  return re;
}

int line_of(const std::string& text, size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

// A #define or #undef before an #include can rewrite the included header
// (`#define inline __attribute__((no_sanitize("thread"))) inline`), where no
// rule on the student's own lines would see it.
std::optional<Violation> macro_before_include(const std::string& code) {
  static const std::regex define(R"(^[ \t]*#[ \t]*(define|undef)\b)");
  static const std::regex include(R"(^[ \t]*#[ \t]*include)");
  int line = 0;
  int first_define = 0;
  std::istringstream lines(code);
  for (std::string text; std::getline(lines, text);) {
    ++line;
    if (first_define == 0 && std::regex_search(text, define)) first_define = line;
    if (first_define != 0 && std::regex_search(text, include)) {
      return Violation{first_define, "macro-before-include",
                       "defines a macro before an #include (line " + std::to_string(line) +
                           "), where it could change the code of the included header: put #define after the "
                           "#include lines"};
    }
  }
  return std::nullopt;
}

}  // namespace

AllowedWords allowed_words(std::string_view reference) {
  std::string code = strip_comments_and_strings(reference);
  AllowedWords allowed(std::size(kRules));
  for (size_t i = 0; i < std::size(kRules); ++i) {
    const std::regex& re = compiled_rules()[i];
    for (auto it = std::sregex_iterator(code.begin(), code.end(), re); it != std::sregex_iterator(); ++it) {
      allowed[i].insert(it->str());
    }
  }
  return allowed;
}

std::vector<Violation> scan_code(const std::string& code, const AllowedWords& allowed) {
  std::vector<Violation> out;
  for (size_t i = 0; i < std::size(kRules); ++i) {
    const std::regex& re = compiled_rules()[i];
    for (auto it = std::sregex_iterator(code.begin(), code.end(), re); it != std::sregex_iterator(); ++it) {
      if (i < allowed.size() && allowed[i].count(it->str()) != 0) continue;
      std::string word = it->str();
      std::replace(word.begin(), word.end(), '\n', ' ');
      out.push_back(Violation{line_of(code, static_cast<size_t>(it->position())), kRules[i].id,
                              std::string(kRules[i].reason) + " (`" + word + "`)"});
      break;  // One violation per rule is enough to explain it.
    }
  }
  return out;
}

std::vector<Violation> scan_submission(std::string_view submitted, std::string_view reference) {
  std::string code = strip_comments_and_strings(submitted);
  std::vector<Violation> out = scan_code(code, allowed_words(reference));
  if (auto v = macro_before_include(code)) out.push_back(*v);
  std::string original = strip_comments_and_strings(reference);
  bool had_threads = std::regex_search(original, concurrency_pattern());
  bool has_threads = std::regex_search(code, concurrency_pattern());
  if (had_threads && !has_threads) {
    out.push_back(Violation{0, "removed-concurrency",
                            "starts no thread or task any more: the exercise is about making the concurrent "
                            "version correct, not about removing the concurrency"});
  }
  // Stable by hand: libstdc++ 12's std::stable_sort uses a function clang 19 calls deprecated.
  std::vector<size_t> order(out.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return out[a].line != out[b].line ? out[a].line < out[b].line : a < b; });
  std::vector<Violation> sorted;
  for (size_t i : order) sorted.push_back(std::move(out[i]));
  return sorted;
}

}  // namespace racelings::checker
