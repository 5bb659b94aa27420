#include "checker/integrity/instrumentation_scan.h"

#include "checker/integrity/object_scan.h"

namespace racelings::checker {
namespace {

// Functions clang writes with no source behind them and no sanitizer
// attribute: they call std::terminate or return a thread_local's address.
bool compiler_helper(const IrSymbol& f) {
  if (f.location) return false;
  return f.name == "__clang_call_terminate" || f.name.rfind("_ZTW", 0) == 0 || f.name.rfind("_ZTH", 0) == 0;
}

// Why `f` escapes the sanitizer, or "" when it does not.
std::string uninstrumented_because(const IrSymbol& f, const std::string& attribute) {
  if (f.attributes.count("disable_sanitizer_instrumentation") != 0) return "disable_sanitizer_instrumentation";
  if (f.attributes.count("naked") != 0) return "a naked function";
  if (f.attributes.count("\"sanitize_thread_no_checking_at_run_time\"") != 0) return "no checking at run time";
  if (f.attributes.count(attribute) == 0) return "no_sanitize";
  return "";
}

}  // namespace

std::vector<Violation> scan_instrumentation(const IrModule& ir, std::string_view sanitizer,
                                            const std::string& source_file) {
  std::string attribute;
  std::string title;
  if (sanitizer == "tsan") {
    attribute = "sanitize_thread";
    title = "ThreadSanitizer";
  } else if (sanitizer == "asan") {
    attribute = "sanitize_address";
    title = "AddressSanitizer";
  } else {
    return {};
  }
  std::vector<Violation> out;
  int uninstrumented = 0;
  for (const IrSymbol& s : ir.symbols()) {
    std::string where;
    int line = line_in_source(s.location, source_file, where);
    std::string shown = "`" + readable_symbol(s.name) + "`" + where;
    if (s.function && s.defined && !compiler_helper(s)) {
      std::string because = uninstrumented_because(s, attribute);
      // One violation per function would flood: the first three say enough.
      if (!because.empty() && ++uninstrumented <= 3) {
        out.push_back(Violation{line, "uninstrumented",
                                "compiles " + shown + " without " + title + "'s instrumentation (" + because +
                                    "): the sanitizer would not see what it does",
                                IntegrityLayer::kObject});
      }
    } else if (!s.function && s.defined && sanitizer == "asan" &&
               (s.attributes.count("no_sanitize_address") != 0 || s.attributes.count("no_sanitize_hwaddress") != 0)) {
      out.push_back(Violation{line, "uninstrumented",
                              "leaves the variable " + shown + " out of AddressSanitizer's checks (no_sanitize)",
                              IntegrityLayer::kObject});
    }
    // What only the instrumentation may use (`__asan_option_detect_stack_use_after_return`,
    // `__tsan_read4`) the object scan lets through; the front end never
    // mentions it, so here any mention comes from the source.
    if (emitted_by_instrumentation(s.name, sanitizer) && !(s.function && s.defined)) {
      std::string use_where;
      int use_line = line_in_source(ir.first_use(s.name), source_file, use_where);
      out.push_back(Violation{use_line, "sanitizer-interface",
                              "uses `" + readable_symbol(s.name) + "`" + use_where +
                                  ", which only the sanitizer's own instrumentation may use",
                              IntegrityLayer::kObject});
    }
  }
  if (uninstrumented > 3) {
    out.push_back(Violation{
        0, "uninstrumented",
        "and " + std::to_string(uninstrumented - 3) + " more functions without " + title + "'s instrumentation",
        IntegrityLayer::kObject});
  }
  return out;
}

}  // namespace racelings::checker
