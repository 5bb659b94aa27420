// checker/replay/test_logs.h: step logs for the replay tests, written as
// primitives/schedule writes them (testonly).

#ifndef RACELINGS_CHECKER_REPLAY_TEST_LOGS_H_
#define RACELINGS_CHECKER_REPLAY_TEST_LOGS_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "checker/report/step_log.h"

namespace racelings::replay::testing_logs {

using report::StepLog;

// Writes a step log, one line at a time.
class LogWriter {
 public:
  explicit LogWriter(const std::string& schedule = "a00x0") {
    text_ = R"({"type":"header","format":"racelings-steps","version":1,"schedule":")" + schedule + "\"}\n";
  }
  LogWriter& thread(const std::string& id, const std::string& name) {
    text_ += R"({"type":"thread","thread":")" + id + R"(","name":")" + name + "\"}\n";
    return *this;
  }
  LogWriter& test(const std::string& name) {
    text_ += R"({"type":"test","step":)" + std::to_string(steps_) + R"(,"name":")" + name + "\"}\n";
    return *this;
  }
  // One step; `state` is the JSON of the state after it.
  LogWriter& step(const std::string& thread, const std::string& op, const std::string& object, const std::string& at,
                  const std::string& result = "ok", const std::string& state = R"({"threads":[],"objects":[]})") {
    ++steps_;
    ++decision_;
    text_ += R"({"type":"step","step":)" + std::to_string(steps_) + R"(,"decision":)" + std::to_string(decision_) +
             R"(,"thread":")" + thread + R"(","op":")" + op + "\"" +
             (object.empty() ? "" : R"(,"object":")" + object + "\"") + (at.empty() ? "" : R"(,"at":")" + at + "\"") +
             R"(,"result":")" + result + R"(","state":)" + state + "}\n";
    return *this;
  }
  LogWriter& skip_steps(int n) {
    steps_ += n;
    decision_ += static_cast<uint64_t>(n);
    return *this;
  }
  LogWriter& failure(const std::string& kind, const std::string& text, const std::string& thread,
                     const std::string& at = "") {
    text_ += R"({"type":"failure","step":)" + std::to_string(steps_) + R"(,"kind":")" + kind + R"(","text":")" + text +
             "\"" + (thread.empty() ? "" : R"(,"thread":")" + thread + "\"") +
             (at.empty() ? "" : R"(,"at":")" + at + "\"") + "}\n";
    return *this;
  }
  LogWriter& end(const std::string& ending) {
    text_ += R"({"type":"end","steps":)" + std::to_string(steps_) + R"(,"ending":")" + ending + "\"}\n";
    return *this;
  }
  int steps() const { return steps_; }
  uint64_t decision() const { return decision_; }
  StepLog parse() const {
    std::string error;
    auto log = report::parse_step_log(text_, &error);
    EXPECT_TRUE(log.has_value()) << error;
    return log.value_or(StepLog{});
  }

 private:
  std::string text_;
  int steps_ = 0;
  uint64_t decision_ = 0;
};

inline const char* const kEx = "exercises/08_check_then_act/exercise.cc";

// A tree in the test's temporary directory whose kEx has 30 lines, so that
// timelines and pages can quote it: `lines` by number, "// line N" elsewhere.
// Returns its root.
inline std::string exercise_tree(const std::map<int, std::string>& lines) {
  std::string root = ::testing::TempDir() + "/tree";
  std::filesystem::create_directories(root + "/exercises/08_check_then_act");
  std::ofstream out(root + "/" + kEx);
  for (int i = 1; i <= 30; ++i) {
    auto line = lines.find(i);
    out << (line != lines.end() ? line->second : "// line " + std::to_string(i)) << "\n";
  }
  return root;
}

inline std::string state_of(const std::string& threads, const std::string& objects = "") {
  return R"({"clock_us":0,"threads":[)" + threads + R"(],"objects":[)" + objects + "]}";
}

inline std::string th(const std::string& id, const std::string& status, const std::string& holds = "",
                      const std::string& waits = "") {
  return R"({"thread":")" + id + R"(","status":")" + status + "\"" +
         (holds.empty() ? "" : R"(,"holds":[")" + holds + "\"]") +
         (waits.empty() ? "" : R"(,"waits":")" + waits + "\"") + "}";
}

// Two users check then act; the schedule switches from T1 to T2 between
// T1's check and its insert, at the step its id names.
inline LogWriter check_then_act(int boring_rounds) {
  const std::string m = "Mutex M2 'names'";
  LogWriter w;
  w.thread("T0", "main").thread("T1", "user-0").thread("T2", "user-1").test("Suite.Passing");
  w.step("T0", "start", "", "", "started", state_of(th("T0", "running")));
  w.test("CheckThenAct.Race");
  w.step("T0", "spawn", "thread T1 'user-0'", "exercises/08_check_then_act/test.cc:35", "ok",
         state_of(th("T0", "running") + "," + th("T1", "ready")));
  for (int i = 0; i < boring_rounds; ++i) {
    std::string who = i % 2 == 0 ? "T1" : "T2";
    w.step(who, "lock", m, std::string(kEx) + ":22", "ok", state_of(th(who, "running", m)));
    w.step(who, "unlock", m, std::string(kEx) + ":22", "ok", state_of(th(who, "running")));
  }
  w.step("T1", "lock", m, std::string(kEx) + ":22", "ok", state_of(th("T1", "running", m) + "," + th("T2", "ready")));
  w.step("T1", "unlock", m, std::string(kEx) + ":22", "ok", state_of(th("T1", "running") + "," + th("T2", "ready")));
  // The switch: T1 could go on.
  w.step("T2", "lock", m, std::string(kEx) + ":22", "ok", state_of(th("T1", "ready") + "," + th("T2", "running", m)));
  w.step("T2", "unlock", m, std::string(kEx) + ":22", "ok", state_of(th("T1", "ready") + "," + th("T2", "running")));
  w.step("T2", "lock", m, std::string(kEx) + ":23", "ok", state_of(th("T1", "ready") + "," + th("T2", "running", m)));
  w.step("T2", "unlock", m, std::string(kEx) + ":23", "ok", state_of(th("T1", "ready") + "," + th("T2", "running")));
  w.step("T1", "lock", m, std::string(kEx) + ":23", "ok", state_of(th("T1", "running", m)));
  w.step("T1", "unlock", m, std::string(kEx) + ":23", "ok", state_of(th("T1", "running")));
  w.step("T0", "join", "thread T1 'user-0'", "exercises/08_check_then_act/test.cc:33", "ok",
         state_of(th("T0", "running")));
  w.failure("test failure", "ada was promised to 2 users", "T0", "exercises/08_check_then_act/test.cc:48");
  w.end("completed");
  return w;
}

// Two tellers take two accounts in opposite orders and block on each other.
inline LogWriter bank_deadlock() {
  const std::string a = "Mutex M1 'account A'", b = "Mutex M2 'account B'";
  LogWriter w;
  w.thread("T1", "teller-1").thread("T2", "teller-2").test("Bank.Transfer");
  w.step("T1", "lock", a, std::string(kEx) + ":27", "ok", state_of(th("T1", "running", a) + "," + th("T2", "ready")));
  w.step("T2", "lock", b, std::string(kEx) + ":27", "ok",
         state_of(th("T1", "ready", a) + "," + th("T2", "running", b)));
  w.step("T2", "lock", a, std::string(kEx) + ":28", "blocked",
         state_of(th("T1", "ready", a) + "," + th("T2", "blocked", b, "waits to lock " + a)));
  w.step("T1", "lock", b, std::string(kEx) + ":28", "blocked",
         state_of(th("T1", "blocked", a, "waits to lock " + b) + "," + th("T2", "blocked", b, "waits to lock " + a)));
  w.failure("deadlock", "every thread is blocked", "").end("deadlock");
  return w;
}

}  // namespace racelings::replay::testing_logs

#endif  // RACELINGS_CHECKER_REPLAY_TEST_LOGS_H_
