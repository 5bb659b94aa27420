#include "checker/integrity/integrity.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "checker/integrity/elf_symbols.h"
#include "checker/integrity/instrumentation_scan.h"
#include "checker/integrity/llvm_ir.h"
#include "checker/integrity/object_scan.h"
#include "checker/integrity/preprocessed_scan.h"

namespace racelings::checker {
namespace {

// Whole files only, up to a size no honest compile output reaches.
bool read_whole(const std::string& path, std::string& out, std::string& error) {
  constexpr std::streamoff kMaxBytes = std::streamoff{512} << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return false;
  }
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0 || size > kMaxBytes) {
    error = path + " is too large to check";
    return false;
  }
  in.seekg(0);
  out.resize(static_cast<size_t>(size));
  in.read(out.data(), size);
  if (!in) {
    error = "cannot read " + path;
    return false;
  }
  return true;
}

std::string resolve(const std::string& root, const std::string& path) {
  if (path.empty() || path.front() == '/' || root.empty()) return path;
  return root + "/" + path;
}

}  // namespace

bool read_integrity_manifest(const std::string& path, IntegrityManifest& out, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path + " (the build writes it beside the test program)";
    return false;
  }
  out = IntegrityManifest{};
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    if (key == "sanitizer") out.sanitizer = value;
    if (key == "source") out.source = value;
    if (key == "reference") out.reference = value;
    if (key == "preprocessed") out.preprocessed = value;
    if (key == "ir") out.ir = value;
    if (key == "object") out.object = value;
    if (key == "runtime_symbols") out.runtime_symbols.push_back(value);
  }
  if (out.sanitizer.empty() || out.source.empty() || out.preprocessed.empty() || out.ir.empty() || out.object.empty()) {
    error = path + " names neither the sanitizer, the source, or its compiled forms";
    return false;
  }
  return true;
}

// The test's executable is `<program>.runner.sh` (tools/sanitizers.bzl), so its
// runfiles tree is named after that.
std::string runfiles_root(const std::string& program) { return program + ".runner.sh.runfiles/racelings"; }

std::vector<Violation> merge_violations(std::vector<Violation> violations) {
  std::map<std::string, IntegrityLayer> first_layer;
  for (const Violation& v : violations) {
    auto [it, inserted] = first_layer.emplace(v.rule, v.layer);
    if (!inserted && v.layer < it->second) it->second = v.layer;
  }
  // In order of line (none last), then of layer, then as found.
  std::vector<size_t> order;
  for (size_t i = 0; i < violations.size(); ++i) {
    if (first_layer[violations[i].rule] == violations[i].layer) order.push_back(i);
  }
  auto key = [&](size_t i) {
    const Violation& v = violations[i];
    return std::tuple(v.line == 0 ? 1 << 30 : v.line, static_cast<int>(v.layer), i);
  };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  std::vector<Violation> out;
  for (size_t i : order) out.push_back(std::move(violations[i]));
  return out;
}

IntegrityReport check_integrity(const IntegrityManifest& manifest, const std::string& root) {
  IntegrityReport report;
  report.source_file = manifest.source;
  std::string reference;
  std::string preprocessed;
  std::string ir_text;
  std::string object;
  std::string& error = report.error;
  if (!read_whole(resolve(root, manifest.source), report.source_text, error) ||
      (!manifest.reference.empty() && !read_whole(resolve(root, manifest.reference), reference, error)) ||
      !read_whole(resolve(root, manifest.preprocessed), preprocessed, error) ||
      !read_whole(resolve(root, manifest.ir), ir_text, error) ||
      !read_whole(resolve(root, manifest.object), object, error)) {
    return report;
  }
  RuntimeSymbols runtime;
  for (const std::string& list : manifest.runtime_symbols) {
    if (!runtime.load(resolve(root, list), error)) return report;
  }
  std::vector<ElfSymbol> symbols = read_elf_symbols(object, error);
  if (!error.empty()) {
    error = manifest.object + ": " + error;
    return report;
  }
  IrModule ir = IrModule::parse(ir_text);
  std::vector<Violation> all = scan_submission(report.source_text, reference);
  auto add = [&all](std::vector<Violation> more) { all.insert(all.end(), more.begin(), more.end()); };
  add(scan_preprocessed(preprocessed, manifest.source, reference));
  add(scan_instrumentation(ir, manifest.sanitizer, manifest.source));
  add(scan_object(symbols, ir, manifest.sanitizer, runtime, manifest.source));
  report.violations = merge_violations(std::move(all));
  return report;
}

IntegrityReport check_test_program(const std::string& program, const std::string& root) {
  IntegrityManifest manifest;
  IntegrityReport report;
  if (!read_integrity_manifest(program + ".integrity", manifest, report.error)) return report;
  return check_integrity(manifest, root.empty() ? runfiles_root(program) : root);
}

std::vector<Violation> refusals(const IntegrityReport& report) {
  if (report.error.empty()) return report.violations;
  return {Violation{0, "unverifiable", "could not be checked: " + report.error, IntegrityLayer::kObject}};
}

std::string render_violations(const std::vector<Violation>& violations, std::string_view source,
                              const std::string& source_file) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= source.size();) {
    size_t end = source.find('\n', start);
    if (end == std::string_view::npos) end = source.size();
    lines.push_back(source.substr(start, end - start));
    start = end + 1;
  }
  std::ostringstream out;
  for (const Violation& v : violations) {
    out << "integrity: " << v.reason << " [" << v.rule << ", " << integrity_layer_name(v.layer) << "]\n";
    if (v.line <= 0 || static_cast<size_t>(v.line) > lines.size()) continue;
    out << "  --> " << source_file << ":" << v.line << "\n";
    std::string_view code = lines[static_cast<size_t>(v.line - 1)];
    size_t first = code.find_first_not_of(" \t");
    code = first == std::string_view::npos ? std::string_view() : code.substr(first);
    if (code.size() > 160) code = code.substr(0, 160);
    char number[16];
    std::snprintf(number, sizeof(number), "%6d", v.line);
    out << "  " << number << " | " << code << "\n";
  }
  return out.str();
}

}  // namespace racelings::checker
