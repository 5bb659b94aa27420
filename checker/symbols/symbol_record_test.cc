#include "checker/symbols/symbol_record.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "checker/report/symbolizer.h"
#include "checker/symbols/symbolizer_process.h"

namespace racelings::symbols {
namespace {

namespace fs = std::filesystem;

// A function of this program, to be symbolized.
__attribute__((noinline)) int ThePlaceToName(int x) { return x * 3 + 1; }

std::string self_path() { return fs::read_symlink("/proc/self/exe").string(); }

// "CODE \"<this program>\" 0x<offset of ThePlaceToName>".
std::string request_for_this_program() {
  Dl_info info;
  dladdr(reinterpret_cast<void*>(&ThePlaceToName), &info);
  char buf[64];
  std::snprintf(
      buf, sizeof(buf), " 0x%zx",
      static_cast<size_t>(reinterpret_cast<const char*>(&ThePlaceToName) - static_cast<const char*>(info.dli_fbase)));
  return "CODE \"" + self_path() + "\"" + buf;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SymbolRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("symbol-record-test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
    run_.record = (dir_ / "record.txt").string();
    run_.shown = (dir_ / "shown.txt").string();
    run_.requests = (dir_ / "requests.txt").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // What the real symbolizer says to `request`.
  static std::string real_answer(const std::string& request) {
    SymbolizerProcess real(std::string(report::kSymbolizerPath), kSanitizerArguments, /*quiet=*/true);
    return real.ask(request, 20000).value_or("(no answer)");
  }

  // The checker's binary as llvm-symbolizer, started by this test (its
  // parent, so the program it symbolizes for is this test), asked `request`.
  std::string proxy_answer(const std::string& request, std::map<std::string, std::string> env) {
    fs::path link = dir_ / "bin" / "llvm-symbolizer";
    fs::create_directories(link.parent_path());
    if (!fs::exists(link)) fs::create_symlink(fs::absolute("checker/racelings"), link);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    SymbolizerProcess proxy(link.string(), kSanitizerArguments, /*quiet=*/true);
    std::string answer = proxy.ask(request, 20000).value_or("(no answer)");
    for (const auto& [k, v] : env) ::unsetenv(k.c_str());
    return answer;
  }

  fs::path dir_;
  RunRecord run_;
};

TEST_F(SymbolRecordTest, AnswersAreKeptAsTheySaidThem) {
  Answers answers = {{"CODE \"<program>\" 0x10", "f\n/a.cc:1:2\n\n"}, {"DATA \"/lib/x.so\" 0x8 @1:2.3", "g\n8 4\n\n"}};
  EXPECT_EQ(parse_answers(answers_text(answers)), answers);
  EXPECT_TRUE(parse_answers("CODE \"<program>\" 0x10\nf\n/a.cc:1:2\n").empty()) << "an answer cut short is no answer";
}

TEST_F(SymbolRecordTest, TheProgramStandsForItselfAndAnotherModuleIsKeptWithItsVersion) {
  EXPECT_EQ(request_key("CODE \"/p/test_bin\" 0x1f", "/p/test_bin"), "CODE \"<program>\" 0x1f");
  std::string libc_key = request_key("CODE \"/etc/hostname\" 0x1f", "/p/test_bin");
  EXPECT_EQ(libc_key.rfind("CODE \"/etc/hostname\" 0x1f @", 0), 0u) << libc_key;
  EXPECT_EQ(request_key("DATA \"[stack]\" 0x1f778", "/p/test_bin"), "DATA \"[stack]\"") << "any offset, one answer";
  for (const char* not_a_request :
       {"", "CODE", "CODE \"/p/test_bin\"", "CODE \"/p/test_bin\" 1f", "HELLO \"/x\" 0x1", "CODE \"stack\" 0x10",
        "CODE \"[../x]\" 0x10", "CODE \"/no/such/file\" 0x10", "CODE \"/p/test_bin\" 0xzz"}) {
    EXPECT_EQ(request_key(not_a_request, "/p/test_bin"), "") << not_a_request;
  }
}

TEST_F(SymbolRecordTest, OnlyTheRealSymbolizerInTheOptionsIsReplaced) {
  const std::string real = "external_symbolizer_path=" + std::string(report::kSymbolizerPath);
  std::map<std::string, std::string> env = {{"TSAN_OPTIONS", "halt_on_error=0:" + real + ":log_path=stderr"},
                                            {"OTHER", real}};
  std::ofstream(run_.record) << answers_text({{"CODE \"<program>\" 0x10", "f\n/a.cc:1:2\n\n"}});
  ASSERT_TRUE(prepare_run(run_, "/x/llvm-symbolizer", env));
  EXPECT_EQ(env["TSAN_OPTIONS"], "halt_on_error=0:external_symbolizer_path=/x/llvm-symbolizer:log_path=stderr");
  EXPECT_EQ(env["OTHER"], real);
  EXPECT_EQ(env[kRecordVar], run_.shown);
  EXPECT_EQ(env[kRequestsVar], run_.requests);
  EXPECT_EQ(slurp(run_.shown), slurp(run_.record));
  EXPECT_EQ(fs::status(run_.shown).permissions() & fs::perms::others_write, fs::perms::none);

  std::map<std::string, std::string> plain = {{"TSAN_OPTIONS", "halt_on_error=0"}};
  EXPECT_FALSE(prepare_run(run_, "/x/llvm-symbolizer", plain));
  EXPECT_EQ(plain.size(), 1u);
  ::setenv("RACELINGS_SYMBOL_RECORD", "0", 1);
  std::map<std::string, std::string> off = {{"TSAN_OPTIONS", real}};
  EXPECT_FALSE(prepare_run(run_, "/x/llvm-symbolizer", off));
  EXPECT_EQ(off["TSAN_OPTIONS"], real);
  ::unsetenv("RACELINGS_SYMBOL_RECORD");
}

TEST_F(SymbolRecordTest, TheProxyAsksTheRealSymbolizerWhatIsNotOnRecordAndListsIt) {
  const std::string request = request_for_this_program();
  const std::string real = real_answer(request);
  ASSERT_NE(real.find("ThePlaceToName"), std::string::npos) << real;
  EXPECT_EQ(proxy_answer(request, {{kRequestsVar, run_.requests}}), real);
  EXPECT_EQ(slurp(run_.requests), request + "\n");
}

TEST_F(SymbolRecordTest, TheProxyAnswersFromTheCheckersRecordAndListsNothing) {
  const std::string request = request_for_this_program();
  // An answer no symbolizer would give: it can only come from the record.
  std::string key = request_key(request, self_path());
  std::ofstream(run_.shown) << answers_text({{key, "from_the_record\n/r.cc:7:1\n\n"}});
  ::chmod(run_.shown.c_str(), 0644);
  EXPECT_EQ(proxy_answer(request, {{kRequestsVar, run_.requests}, {kRecordVar, run_.shown}}),
            "from_the_record\n/r.cc:7:1\n\n");
  EXPECT_EQ(slurp(run_.requests), "");
}

TEST_F(SymbolRecordTest, ARecordOthersCouldWriteIsNotBelieved) {
  const std::string request = request_for_this_program();
  std::ofstream(run_.shown) << answers_text({{request_key(request, self_path()), "forged\n/f.cc:1:1\n\n"}});
  ::chmod(run_.shown.c_str(), 0666);
  EXPECT_EQ(proxy_answer(request, {{kRequestsVar, run_.requests}, {kRecordVar, run_.shown}}), real_answer(request));
}

TEST_F(SymbolRecordTest, ARecordOfAnotherOwnerIsNotBelieved) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to give the record to another user (the run's own)";
  const std::string request = request_for_this_program();
  std::ofstream(run_.shown) << answers_text({{request_key(request, self_path()), "forged\n/f.cc:1:1\n\n"}});
  ::chmod(run_.shown.c_str(), 0644);
  ASSERT_EQ(::chown(run_.shown.c_str(), 65534, 65534), 0);
  EXPECT_EQ(proxy_answer(request, {{kRequestsVar, run_.requests}, {kRecordVar, run_.shown}}), real_answer(request));
}

TEST_F(SymbolRecordTest, WhatARunAskedIsAnsweredByTheCheckerNotByTheRun) {
  const std::string request = request_for_this_program();
  // A run lists requests; it may list anything. Only well-formed requests
  // about the program or a system library are answered, by the checker.
  std::ofstream(run_.requests) << request << "\n"
                               << "CODE \"/etc/passwd\" 0x10\n"
                               << "not a request\n"
                               << "DATA \"[stack]\" 0x1f778\n"
                               << request << "\n";
  std::ofstream(run_.shown) << "";
  learn_from_run(run_, self_path());
  Answers learned = parse_answers(slurp(run_.record));
  ASSERT_EQ(learned.size(), 2u) << slurp(run_.record);
  EXPECT_EQ(learned[request_key(request, self_path())], real_answer(request));
  // What llvm-symbolizer says of a module it cannot open.
  EXPECT_EQ(learned["DATA \"[stack]\""], "??\n0 0\n??:?\n\n");
  EXPECT_FALSE(fs::exists(run_.shown)) << "the run's copy of the record is removed";

  // And the next run of the program is answered from it.
  std::map<std::string, std::string> env = {
      {"TSAN_OPTIONS", "external_symbolizer_path=" + std::string(report::kSymbolizerPath)}};
  ASSERT_TRUE(prepare_run(run_, "/x/llvm-symbolizer", env));
  EXPECT_EQ(parse_answers(slurp(run_.shown)), learned);
}

TEST_F(SymbolRecordTest, AFloodOfRequestsIsAnsweredOnlyUpToALimit) {
  const std::string request = request_for_this_program();
  const std::string prefix = request.substr(0, request.rfind(' '));
  std::ofstream requests(run_.requests);
  for (int i = 0; i < 3000; ++i) requests << prefix << " 0x" << std::hex << (0x1000 + 16 * i) << "\n";
  requests.close();
  learn_from_run(run_, self_path());
  size_t learned = parse_answers(slurp(run_.record)).size();
  EXPECT_GT(learned, 0u);
  EXPECT_LE(learned, 1024u);
}

}  // namespace
}  // namespace racelings::symbols
