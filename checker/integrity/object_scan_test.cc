#include "checker/integrity/object_scan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "checker/integrity/elf_symbols.h"

namespace racelings::checker {
namespace {

ElfSymbol defined(std::string name) { return ElfSymbol{std::move(name), true, false, false, true}; }
ElfSymbol defined_weak(std::string name) { return ElfSymbol{std::move(name), true, false, true, true}; }
ElfSymbol referenced(std::string name) { return ElfSymbol{std::move(name), false, false, false, false}; }

std::vector<std::string> rules(const std::vector<ElfSymbol>& symbols, std::string_view sanitizer,
                               const RuntimeSymbols& runtime = RuntimeSymbols()) {
  std::vector<std::string> out;
  for (const auto& v : scan_object(symbols, IrModule::parse(""), sanitizer, runtime, "x.cc")) out.push_back(v.rule);
  return out;
}

TEST(ObjectScan, SanitizerNamesOfEveryFamilyAreRecognised) {
  for (const char* name : {"__tsan_default_options", "__asan_default_options", "__lsan_is_turned_off",
                           "__ubsan_default_options", "__msan_default_options", "__sanitizer_set_report_path",
                           "___interceptor_pthread_mutex_lock", "AnnotateHappensBefore", "WTFAnnotateBenignRaceSized",
                           "_ZN6__tsan8OnReportEPKNS_10ReportDescEb", "_ZNK11__sanitizer10StackTrace5PrintEv"}) {
    EXPECT_TRUE(is_sanitizer_symbol(name)) << name;
  }
  for (const char* name : {"main", "_ZN8exercise3runEv", "pthread_mutex_lock", "annotate", "_ZN9racelings5spawnEv"}) {
    EXPECT_FALSE(is_sanitizer_symbol(name)) << name;
  }
}

TEST(ObjectScan, WhatTheInstrumentationCallsIsAllowedAndNothingElse) {
  EXPECT_TRUE(rules({referenced("__tsan_read4"), referenced("__tsan_func_entry"), referenced("__tsan_init"),
                     referenced("__tsan_atomic64_fetch_add"), referenced("__tsan_vptr_update")},
                    "tsan")
                  .empty());
  EXPECT_TRUE(rules({referenced("__asan_report_load8"), referenced("__asan_stack_malloc_2"),
                     referenced("__asan_option_detect_stack_use_after_return"), referenced("__asan_set_shadow_f8"),
                     defined("___asan_globals_registered")},
                    "asan")
                  .empty());
  EXPECT_EQ(rules({referenced("__tsan_acquire")}, "tsan"), std::vector<std::string>{"sanitizer-interface"});
  EXPECT_EQ(rules({referenced("AnnotateIgnoreWritesBegin")}, "tsan"), std::vector<std::string>{"sanitizer-interface"});
  // One sanitizer's instrumentation is another's interface.
  EXPECT_EQ(rules({referenced("__asan_report_load8")}, "tsan"), std::vector<std::string>{"sanitizer-interface"});
}

TEST(ObjectScan, DefiningAHookOrARuntimeSymbolIsFlagged) {
  EXPECT_EQ(rules({defined("__tsan_default_suppressions")}, "tsan"), std::vector<std::string>{"sanitizer-hook"});
  EXPECT_EQ(rules({defined("__asan_default_options")}, "tsan"), std::vector<std::string>{"sanitizer-hook"})
      << "every sanitizer's hooks, not only the one in use";
  RuntimeSymbols runtime;
  runtime.add("free");
  runtime.add("_ZdlPv");
  runtime.add("__tsan_atomic*");
  EXPECT_EQ(rules({defined("free")}, "asan", runtime), std::vector<std::string>{"runtime-override"});
  EXPECT_EQ(rules({defined("_ZdlPv")}, "asan", runtime), std::vector<std::string>{"runtime-override"});
  EXPECT_TRUE(runtime.contains("__tsan_atomic32_load"));
  EXPECT_TRUE(rules({referenced("free"), defined("_ZN8exercise3runEv")}, "asan", runtime).empty())
      << "calling free is fine; defining it is not";
  // A file-local symbol is nobody else's.
  EXPECT_TRUE(rules({ElfSymbol{"__tsan_default_options", true, true, false, true}}, "tsan").empty());
}

TEST(ObjectScan, TheTestFrameworkIsOffLimits) {
  EXPECT_EQ(rules({referenced("_ZN7testing8internal12UnitTestImpl12RunAllTestsEv")}, "tsan"),
            std::vector<std::string>{"test-framework"});
  EXPECT_TRUE(rules({referenced("_ZN9racelings7testing13count_threadsEv")}, "tsan").empty());
}

TEST(ObjectScan, ThePrimitivesMayBeInstantiatedButNotReplaced) {
  // An inline function or template of the primitives' headers: weak.
  EXPECT_TRUE(rules({defined_weak("_ZN9racelings10JoinHandleIlE4joinEv")}, "tsan").empty());
  EXPECT_TRUE(rules({referenced("_ZN9racelings8detector14reports_so_farEv")}, "tsan").empty());
  EXPECT_EQ(rules({defined("_ZN9racelings8detector14reports_so_farEv")}, "tsan"),
            std::vector<std::string>{"primitives-internals"});
  EXPECT_TRUE(rules({defined("_ZN8exercise3runEv")}, "tsan").empty());
}

TEST(RuntimeSymbols, TheListsThatComeWithTheRuntimeAreRead) {
  std::string path = ::testing::TempDir() + "/runtime.syms";
  std::ofstream(path) << "{\n  __tsan_read*;\n  free;\n};\n";
  RuntimeSymbols runtime;
  std::string error;
  ASSERT_TRUE(runtime.load(path, error)) << error;
  EXPECT_TRUE(runtime.contains("free"));
  EXPECT_TRUE(runtime.contains("__tsan_read8"));
  EXPECT_FALSE(runtime.contains("malloc"));
  EXPECT_FALSE(runtime.load(::testing::TempDir() + "/missing.syms", error));
  EXPECT_NE(error.find("libclang-rt-19-dev"), std::string::npos);
}

// A function of this program's own object (the test links its libraries,
// main included, as shared objects).
extern "C" int racelings_object_scan_test_marker() { return 7; }

TEST(ElfSymbols, ThisProgramsOwnSymbolsAreRead) {
  EXPECT_EQ(racelings_object_scan_test_marker(), 7);
  std::ifstream in("/proc/self/exe", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string error;
  auto symbols = read_elf_symbols(bytes.str(), error);
  EXPECT_TRUE(error.empty()) << error;
  bool marker = false;
  bool main_referenced = false;
  for (const auto& s : symbols) {
    marker = marker || (s.name == "racelings_object_scan_test_marker" && s.defined && s.function && !s.local);
    main_referenced = main_referenced || (s.name == "main" && !s.defined);
  }
  EXPECT_TRUE(marker);
  EXPECT_TRUE(main_referenced);
}

TEST(ElfSymbols, AnythingElseIsAnErrorNotACrash) {
  std::string error;
  EXPECT_TRUE(read_elf_symbols("", error).empty());
  EXPECT_FALSE(error.empty());
  std::ifstream in("/proc/self/exe", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string whole = bytes.str();
  // Cut anywhere, the file is refused or read up to where it ends; never overread.
  for (size_t cut : {size_t{16}, size_t{64}, whole.size() / 2, whole.size() - 1}) {
    error.clear();
    read_elf_symbols(std::string_view(whole).substr(0, cut), error);
    EXPECT_FALSE(error.empty()) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace racelings::checker
