// checker/integrity/object_scan.h
// -----------------------------------------------------------------------------
//
// The third layer of the integrity check: the object file compiled from the
// student's file, the one linked into the test, whatever its text said. Its
// symbol table cannot be disguised by macros or spelling:
//
// - it defines no symbol of any sanitizer runtime's namespace (the hooks
//   `__tsan_default_options`, `__tsan_default_suppressions`,
//   `__tsan_on_finalize`, `__lsan_is_turned_off`, `__tsan::OnReport`, ... for
//   every sanitizer), and none of the symbols its own sanitizer's runtime
//   exports (a `free`, `operator delete` or `pthread_mutex_lock` of its own
//   would replace the runtime's, which checks it);
// - it refers to no sanitizer runtime symbol except those the sanitizer's
//   instrumentation itself calls (`__tsan_read4`, `__asan_report_load8`, ...):
//   no interface or annotation call (`__tsan_acquire`, `AnnotateBenignRace`);
// - it refers to nothing of the test framework (`testing::`), which belongs
//   to test.cc;
// - it defines no function of the project's primitives (namespace
//   `racelings`) outright: those come from the primitives' own objects (an
//   inline function or template of their headers, defined weak, is fine).
//
// Reasons name the line from the file's debug information (llvm_ir.h).

#ifndef RACELINGS_CHECKER_INTEGRITY_OBJECT_SCAN_H_
#define RACELINGS_CHECKER_INTEGRITY_OBJECT_SCAN_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checker/integrity/elf_symbols.h"
#include "checker/integrity/llvm_ir.h"
#include "checker/integrity/source_scan.h"

namespace racelings::checker {

// The symbols a sanitizer runtime exports, from the `.syms` lists that
// come with it (one `name;` or `prefix*;` a line).
class RuntimeSymbols {
 public:
  // Adds one list; false with `error` set when it cannot be read.
  bool load(const std::string& path, std::string& error);
  void add(const std::string& name_or_glob);
  bool contains(std::string_view name) const;
  bool empty() const { return names_.empty() && prefixes_.empty(); }

 private:
  std::set<std::string, std::less<>> names_;
  std::vector<std::string> prefixes_;
};

// A name of a sanitizer runtime's own: `__tsan_*`, `__asan_*`, `__lsan_*`,
// `__sanitizer_*`, interceptors, the annotations, the runtimes' C++
// namespaces (`__tsan::`), for every sanitizer.
bool is_sanitizer_symbol(std::string_view name);

// A runtime symbol that `sanitizer`'s instrumentation itself defines or
// calls in an object it compiles.
bool emitted_by_instrumentation(std::string_view name, std::string_view sanitizer);

// A symbol of GoogleTest (namespace `testing`).
bool is_test_framework_symbol(std::string_view name);

// A symbol of the project's primitives (namespace `racelings`).
bool is_primitives_symbol(std::string_view name);

// The demangled name, or the name itself.
std::string readable_symbol(const std::string& name);

// Where a violation about `location` should point: its line when it is in
// `source_file`, else 0; `where` gets " (file:line)" for other files.
int line_in_source(const std::optional<IrLocation>& location, const std::string& source_file, std::string& where);

// scan_object(): the violations in an object's symbols. `ir` is the same
// file's IR, for the lines; `source_file` the student's file as compiled.
std::vector<Violation> scan_object(const std::vector<ElfSymbol>& symbols, const IrModule& ir,
                                   std::string_view sanitizer, const RuntimeSymbols& runtime,
                                   const std::string& source_file);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_OBJECT_SCAN_H_
