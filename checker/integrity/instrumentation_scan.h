// checker/integrity/instrumentation_scan.h
// -----------------------------------------------------------------------------
//
// The integrity check on the student's file as LLVM IR, straight from the
// front end: is every function in it instrumented by its sanitizer, and does
// the source call into the sanitizer runtime?
//
// Clang marks each function it compiles under -fsanitize=thread with the
// `sanitize_thread` attribute (`sanitize_address` under -fsanitize=address)
// unless the source turned it off: `no_sanitize(...)`, `no_sanitize_thread`,
// `no_sanitize_address`, `no_address_safety_analysis`,
// `disable_sanitizer_instrumentation` (which also adds that attribute), a
// `#pragma clang attribute` doing the same, however the spelling was
// assembled. The sanitizer pass then skips that function's memory accesses.
// `naked` functions are skipped too. So here every function defined in the
// file must carry the attribute: the student's, and every inline function or
// template the file instantiates from the project's and the library's
// headers (a macro defined before an #include could have changed those).
// The scope is this one object: the primitives' own objects (detector.cc,
// which hides its bookkeeping from ThreadSanitizer on purpose) are not
// submissions and are not checked. Project headers must not define
// uninstrumented inline functions (such code belongs in a .cc file).
//
// A few functions the compiler writes itself, with no source behind them,
// never get the attribute: `__clang_call_terminate` and the thread_local
// wrappers (`_ZTW...`, `_ZTH...`); they are recognised by name and by
// having no debug information.
//
// Under AddressSanitizer a global may also be left out of the checks
// (`no_sanitize("address")` on a variable): the IR says `no_sanitize_address`.

#ifndef RACELINGS_CHECKER_INTEGRITY_INSTRUMENTATION_SCAN_H_
#define RACELINGS_CHECKER_INTEGRITY_INSTRUMENTATION_SCAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "checker/integrity/llvm_ir.h"
#include "checker/integrity/source_scan.h"

namespace racelings::checker {

// scan_instrumentation(): `ir` is the front end's output for `source_file`
// compiled under `sanitizer` ("tsan" or "asan"; others are not checked).
std::vector<Violation> scan_instrumentation(const IrModule& ir, std::string_view sanitizer,
                                            const std::string& source_file);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_INSTRUMENTATION_SCAN_H_
