#include "checker/integrity/object_scan.h"

#include <cxxabi.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>

namespace racelings::checker {
namespace {

bool matches(std::string_view name, const std::regex& re) { return std::regex_match(name.begin(), name.end(), re); }

std::string sanitizer_title(std::string_view sanitizer) {
  if (sanitizer == "tsan") return "ThreadSanitizer";
  if (sanitizer == "asan") return "AddressSanitizer";
  return std::string(sanitizer);
}

}  // namespace

bool RuntimeSymbols::load(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path +
            ", the list of symbols of the sanitizer runtime (Debian package libclang-rt-19-dev)";
    return false;
  }
  size_t before = names_.size() + prefixes_.size();
  for (std::string line; std::getline(in, line);) {
    size_t begin = line.find_first_not_of(" \t");
    size_t end = line.find(';');
    if (begin == std::string::npos || end == std::string::npos || end <= begin) continue;
    add(line.substr(begin, end - begin));
  }
  if (names_.size() + prefixes_.size() == before) {
    error = path + " lists no symbols";
    return false;
  }
  return true;
}

void RuntimeSymbols::add(const std::string& name_or_glob) {
  if (!name_or_glob.empty() && name_or_glob.back() == '*') {
    prefixes_.push_back(name_or_glob.substr(0, name_or_glob.size() - 1));
  } else if (!name_or_glob.empty()) {
    names_.insert(name_or_glob);
  }
}

bool RuntimeSymbols::contains(std::string_view name) const {
  if (names_.find(name) != names_.end()) return true;
  for (const auto& prefix : prefixes_) {
    if (name.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

bool is_sanitizer_symbol(std::string_view name) {
  // Most names cannot be one: skip the regex for them.
  bool candidate = (name.substr(0, 2) == "__") || (name.substr(0, 2) == "_Z" && name.find("__") != name.npos) ||
                   name.find("Annotate") != name.npos || name.find("Valgrind") != name.npos;
  if (!candidate) return false;
  static const std::regex re(
      R"(_{2,3}(tsan|asan|lsan|msan|ubsan|hwasan|dfsan|sanitizer|sancov|interceptor|interception|scudo|memprof|nsan|rtsan)_.*)"
      R"(|_Z[A-Z]*N[KVRO]*\d+__(tsan|asan|lsan|msan|ubsan|hwasan|dfsan|sanitizer|interception|scudo|memprof)\d.*)"
      R"(|(WTF)?Annotate[A-Z].*|RunningOnValgrind|ValgrindSlowdown)");
  return matches(name, re);
}

bool emitted_by_instrumentation(std::string_view name, std::string_view sanitizer) {
  // What LLVM 19's ThreadSanitizer and AddressSanitizer passes insert
  // (llvm/lib/Transforms/Instrumentation/{ThreadSanitizer,AddressSanitizer}.cpp).
  static const std::regex tsan(
      R"(__tsan_(init|func_entry|func_exit|read_range|write_range|vptr_read|vptr_update|memcpy|memmove|memset)"
      R"(|atomic_thread_fence|atomic_signal_fence|(unaligned_)?(volatile_)?(read|write|read_write)(1|2|4|8|16))"
      R"(|atomic(8|16|32|64|128)_[a-z_]+))");
  static const std::regex asan(
      R"(___?asan_(init|version_mismatch_check_v\d+|handle_no_return|memcpy|memmove|memset)"
      R"(|option_detect_stack_use_after_return|shadow_memory_dynamic_address|globals_registered)"
      R"(|(un)?register_(elf_|image_)?globals|before_dynamic_init|after_dynamic_init|alloca_poison|allocas_unpoison)"
      R"(|(un)?poison_stack_memory|ptr_cmp|ptr_sub|(exp_)?(load|store)N)"
      R"(|(report_)?(exp_)?(load|store)(1|2|4|8|16|_n)(_noabort)?|stack_(malloc|free)(_always)?_\d+)"
      R"(|set_shadow_[0-9a-f]{2}|gen_.*))");
  if (sanitizer == "tsan") return matches(name, tsan);
  if (sanitizer == "asan") return matches(name, asan);
  return false;
}

bool is_test_framework_symbol(std::string_view name) {
  static const std::regex re(R"(_Z[A-Z]*N[KVRO]*7testing\d.*)");
  return matches(name, re);
}

bool is_primitives_symbol(std::string_view name) {
  static const std::regex re(R"(_Z[A-Z]*N[KVRO]*9racelings\d.*)");
  return matches(name, re);
}

std::string readable_symbol(const std::string& name) {
  // Only a mangled name is demangled ("g" alone would read as a type).
  if (name.rfind("_Z", 0) != 0) return name;
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status),
                                                   std::free);
  return status == 0 && demangled ? std::string(demangled.get()) : name;
}

int line_in_source(const std::optional<IrLocation>& location, const std::string& source_file, std::string& where) {
  where.clear();
  if (!location || location->line <= 0) return 0;
  if (location->file == source_file) return location->line;
  where = " (" + location->file + ":" + std::to_string(location->line) + ")";
  return 0;
}

std::vector<Violation> scan_object(const std::vector<ElfSymbol>& symbols, const IrModule& ir,
                                   std::string_view sanitizer, const RuntimeSymbols& runtime,
                                   const std::string& source_file) {
  std::map<std::string, const IrSymbol*> in_ir;
  for (const IrSymbol& s : ir.symbols()) in_ir.emplace(s.name, &s);
  std::vector<Violation> out;
  std::set<std::string> reported;
  auto add = [&](const ElfSymbol& symbol, const std::string& rule, const std::string& text) {
    if (!reported.insert(rule + "|" + symbol.name).second) return;
    std::optional<IrLocation> location;
    if (symbol.defined) {
      if (auto it = in_ir.find(symbol.name); it != in_ir.end()) location = it->second->location;
    } else {
      location = ir.first_use(symbol.name);
    }
    std::string where;
    int line = line_in_source(location, source_file, where);
    out.push_back(Violation{line, rule, text + where, IntegrityLayer::kObject});
  };
  for (const ElfSymbol& symbol : symbols) {
    // File-local symbols are invisible to the linker and to the runtime.
    if (symbol.local) continue;
    std::string shown = "`" + readable_symbol(symbol.name) + "`";
    if (symbol.defined && is_sanitizer_symbol(symbol.name) && !emitted_by_instrumentation(symbol.name, sanitizer)) {
      add(symbol, "sanitizer-hook",
          "defines " + shown +
              ", which belongs to a sanitizer runtime: a definition of its own can change or "
              "silence what the sanitizer reports");
    } else if (symbol.defined && runtime.contains(symbol.name)) {
      add(symbol, "runtime-override",
          "defines " + shown + ", which the " + sanitizer_title(sanitizer) +
              " runtime provides itself to watch the program: a definition of its own would replace it");
    } else if (!symbol.defined && is_sanitizer_symbol(symbol.name) &&
               !emitted_by_instrumentation(symbol.name, sanitizer)) {
      add(symbol, "sanitizer-interface",
          "calls " + shown + " from the sanitizer runtime's interface, which can hide bugs from the sanitizer");
    }
    if (is_test_framework_symbol(symbol.name)) {
      add(symbol, "test-framework", "uses " + shown + " from the test framework, which belongs to test.cc");
    }
    if (symbol.defined && !symbol.weak && is_primitives_symbol(symbol.name)) {
      add(symbol, "primitives-internals",
          "defines " + shown +
              ", which belongs to the project's primitives: an exercise may use them, not "
              "replace them");
    }
  }
  return out;
}

}  // namespace racelings::checker
