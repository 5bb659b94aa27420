// checker/report/symbolizer.h
// -----------------------------------------------------------------------------
//
// Whether a sanitizer could turn the addresses of its reports into files and
// lines. Without its symbolizer (llvm-symbolizer, Debian package llvm-19) a
// report still names the bug, but every frame prints as `<null>` and the
// checker can quote none of the student's lines: that must be said plainly,
// never shown as if nothing were wrong.

#ifndef RACELINGS_CHECKER_REPORT_SYMBOLIZER_H_
#define RACELINGS_CHECKER_REPORT_SYMBOLIZER_H_

#include <string>
#include <string_view>

namespace racelings::report {

// The symbolizer every sanitized build names (tools/sanitizers.bzl), and the
// Debian package that has it.
inline constexpr std::string_view kSymbolizerPath = "/usr/lib/llvm-19/bin/llvm-symbolizer";
inline constexpr std::string_view kSymbolizerPackage = "llvm-19";

// symbolizer_warning(): a paragraph saying what is lost and how to fix it
// when `output` shows that the sanitizer's symbolizer was missing or failed;
// empty otherwise.
std::string symbolizer_warning(std::string_view output);

// symbolizer_preflight(): the same paragraph when the symbolizer is not on
// this machine at all (checked before anything runs); empty when it is.
std::string symbolizer_preflight();

// is_sanitizer_runtime_line(): a line the sanitizer runtime or its
// symbolizer printed about itself ("==123==WARNING: ...",
// "/usr/bin/llvm-symbolizer-19: error: ..."): never a compiler's message.
bool is_sanitizer_runtime_line(std::string_view line);

}  // namespace racelings::report

#endif  // RACELINGS_CHECKER_REPORT_SYMBOLIZER_H_
