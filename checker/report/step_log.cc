// checker/report/step_log.cc: reading the controlled scheduler's step log.

#include "checker/report/step_log.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace racelings::report {
namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  std::string s = it->get<std::string>();
  constexpr std::size_t kMaxField = 4096;
  if (s.size() > kMaxField) s.resize(kMaxField);
  return s;
}

int64_t num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

StepState read_state(const json& j) {
  StepState s;
  if (!j.is_object()) return s;
  s.clock_us = num(j, "clock_us");
  if (auto t = j.find("threads"); t != j.end() && t->is_array()) {
    for (const json& e : *t) {
      if (!e.is_object()) continue;
      StepThreadState ts{str(e, "thread"), str(e, "status"), str(e, "waits"), {}};
      if (auto h = e.find("holds"); h != e.end() && h->is_array()) {
        for (const json& l : *h) {
          if (l.is_string()) ts.holds.push_back(l.get<std::string>());
        }
      }
      s.threads.push_back(std::move(ts));
    }
  }
  if (auto o = j.find("objects"); o != j.end() && o->is_array()) {
    for (const json& e : *o) {
      if (e.is_object()) s.objects.emplace_back(str(e, "object"), str(e, "state"));
    }
  }
  return s;
}

// A step written without its state (an atomic operation, a yield: no lock,
// wait or object changes): the state before, with `thread` running.
StepState carried_state(const StepState& before, const std::string& thread) {
  StepState s = before;
  for (auto& t : s.threads) {
    if (t.thread == thread) {
      t.status = "running";
    } else if (t.status == "running") {
      t.status = t.waits.empty() ? "ready" : "blocked";
    }
  }
  return s;
}

}  // namespace

std::optional<StepLog> parse_step_log(std::string_view text, std::string* error) {
  if (text.size() > kMaxStepLogBytes) text = text.substr(0, kMaxStepLogBytes);
  StepLog log;
  bool header = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) {
      ++log.skipped_lines;
      continue;
    }
    std::string type = str(j, "type");
    if (!header) {
      if (type != "header" || str(j, "format") != "racelings-steps" || num(j, "version") != 1) {
        if (error != nullptr) *error = "not a racelings step log (version 1): its first line is not the header";
        return std::nullopt;
      }
      header = true;
      log.schedule = str(j, "schedule");
      continue;
    }
    if (type == "thread") {
      log.threads.push_back({str(j, "thread"), str(j, "name"), str(j, "parent")});
    } else if (type == "step") {
      if (log.steps.size() >= kMaxLoggedSteps) continue;
      Step s;
      s.step = static_cast<int>(num(j, "step"));
      s.decision = static_cast<uint64_t>(num(j, "decision"));
      s.thread = str(j, "thread");
      s.name = str(j, "name");
      s.op = str(j, "op");
      s.object = str(j, "object");
      s.at = str(j, "at");
      s.function = str(j, "function");
      s.result = str(j, "result");
      if (auto st = j.find("state"); st != j.end()) {
        s.state = read_state(*st);
      } else if (!log.steps.empty()) {
        s.state = carried_state(log.steps.back().state, s.thread);
      }
      log.steps.push_back(std::move(s));
    } else if (type == "failure") {
      log.failures.push_back(
          {static_cast<int>(num(j, "step")), str(j, "kind"), str(j, "text"), str(j, "thread"), str(j, "at")});
    } else if (type == "test") {
      log.tests.push_back({static_cast<int>(num(j, "step")), str(j, "name"), {}, {}, {}});
    } else if (type == "end") {
      log.ending = str(j, "ending");
    } else {
      ++log.skipped_lines;
    }
  }
  if (!header) {
    if (error != nullptr) *error = "the step log is empty";
    return std::nullopt;
  }
  // A long run's last steps come from the tail files, in either order.
  auto by_number = [](const Step& a, const Step& b) { return a.step < b.step; };
  if (!std::is_sorted(log.steps.begin(), log.steps.end(), by_number))
    std::sort(log.steps.begin(), log.steps.end(), by_number);
  return log;
}

std::string thread_label(const Step& step) {
  return step.name.empty() ? step.thread : step.thread + " '" + step.name + "'";
}

std::string render_steps(const StepLog& log, std::size_t count) {
  // Up to the first failure, or to the end.
  int last = log.steps.empty() ? 0 : log.steps.back().step;
  const StepMark* failure = log.failures.empty() ? nullptr : &log.failures.front();
  if (failure != nullptr) last = failure->after_step;
  std::vector<const Step*> shown;
  for (const Step& s : log.steps) {
    if (s.step <= last) shown.push_back(&s);
  }
  std::string out;
  if (shown.size() > count) {
    out += "  ... " + std::to_string(shown.size() - count) + " earlier steps\n";
    shown.erase(shown.begin(), shown.end() - static_cast<long>(count));
  }
  std::size_t width = 6;
  for (const Step* s : shown) width = std::max(width, thread_label(*s).size());
  for (const Step* s : shown) {
    char head[32];
    std::snprintf(head, sizeof(head), "%6d  ", s->step);
    std::string who = thread_label(*s);
    std::string what = s->op + (s->object.empty() ? "" : " " + s->object);
    if (s->result != "ok") what += " (" + s->result + ")";
    out += head + who + std::string(width - who.size() + 2, ' ') + what;
    if (!s->at.empty()) out += "  " + s->at;
    out += "\n";
  }
  if (failure != nullptr) {
    out += "  ✗ " + failure->kind + (failure->at.empty() ? "" : " at " + failure->at) +
           (failure->text.empty() ? "" : ": " + failure->text.substr(0, failure->text.find('\n'))) + "\n";
  } else if (!log.ending.empty()) {
    out += "  (" + log.ending + ")\n";
  }
  return out;
}

}  // namespace racelings::report
