// checker/replay/timeline.cc: a step log cut down to the story of its failure.

#include "checker/replay/timeline.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>

#include "checker/report/finding.h"
#include "primitives/schedule/schedule_id.h"

namespace racelings::replay {

using report::Step;
using report::StepLog;
using report::StepState;

// ---- Sources ---------------------------------------------------------------------------

const std::vector<std::string>& Sources::lines(const std::string& file) {
  auto it = files_.find(file);
  if (it != files_.end()) return it->second;
  std::vector<std::string> lines;
  // Only files of the tree: a step log names what the program says.
  if (!file.empty() && file[0] != '/' && file.find("..") == std::string::npos) {
    std::string path = file.rfind("./", 0) == 0 ? file.substr(2) : file;
    std::ifstream in(root_ + "/" + path);
    constexpr size_t kMaxLines = 20000;
    for (std::string line; lines.size() < kMaxLines && std::getline(in, line);) lines.push_back(line);
  }
  return files_.emplace(file, std::move(lines)).first->second;
}

std::string Sources::line_text(const std::string& file, int line) {
  const auto& all = lines(file);
  if (line <= 0 || static_cast<size_t>(line) > all.size()) return {};
  const std::string& text = all[static_cast<size_t>(line) - 1];
  size_t start = text.find_first_not_of(" \t");
  return start == std::string::npos ? std::string() : text.substr(start);
}

Location parse_location(const std::string& at) {
  // "file:line" or "file:line:column".
  static const std::regex re(R"(^(.*?):(\d+)(?::\d+)?$)");
  std::smatch m;
  if (!std::regex_match(at, m, re)) return {at, 0};
  std::string file = report::normalize_path(m[1].str());
  if (file.rfind("./", 0) == 0) file = file.substr(2);
  return {file, std::stoi(m[2].str().substr(0, 9))};
}

std::string short_location(const Location& at) {
  if (at.file.empty()) return {};
  std::string file = at.file.substr(at.file.rfind('/') + 1);
  return at.line > 0 ? file + ":" + std::to_string(at.line) : file;
}

// ---- The failure -------------------------------------------------------------------------

Failure parse_sanitizer_summary(const std::string& summary) {
  Failure f;
  f.text = summary;
  size_t colon = summary.find(": ");
  if (colon == std::string::npos) {
    f.kind = summary;
    return f;
  }
  f.tool = summary.substr(0, colon);
  std::string rest = summary.substr(colon + 2);
  // The location is the first word that ends in :line or :line:column.
  static const std::regex where(R"((\S+:\d+(?::\d+)?)(?:\s|$))");
  std::smatch m;
  std::string kind = rest;
  if (std::regex_search(rest, m, where)) {
    kind = rest.substr(0, static_cast<size_t>(m.position(0)));
    f.at = parse_location(m[1].str());
  }
  while (!kind.empty() && kind.back() == ' ') kind.pop_back();
  // TSan's words for the vocabulary's (checker/report/finding.h).
  if (kind.rfind("lock-order-inversion", 0) == 0) kind = "lock-order inversion";
  if (kind.rfind("signal-unsafe call", 0) == 0) kind = "signal-unsafe call";
  f.kind = kind;
  return f;
}

namespace {

Failure failure_of(const report::StepMark& mark) {
  if (mark.kind == "sanitizer report") {
    Failure f = parse_sanitizer_summary(mark.text);
    f.thread = mark.thread;
    return f;
  }
  return Failure{mark.kind, "", mark.text, mark.thread, parse_location(mark.at)};
}

// The step index of step number `number` or the last one before it.
std::optional<size_t> index_at_or_before(const StepLog& log, int number) {
  auto it = std::upper_bound(log.steps.begin(), log.steps.end(), number,
                             [](int n, const Step& s) { return n < s.step; });
  if (it == log.steps.begin()) return std::nullopt;
  return static_cast<size_t>(it - log.steps.begin()) - 1;
}

const report::StepThreadState* thread_state(const StepState& state, const std::string& thread) {
  for (const auto& t : state.threads) {
    if (t.thread == thread) return &t;
  }
  return nullptr;
}

// Why steps[i] runs rather than the thread before it.
Switch switch_before(const StepLog& log, size_t i, std::string* from) {
  const Step& s = log.steps[i];
  if (s.result == "spurious wakeup") return Switch::kSpurious;
  if (s.result == "timed out") return Switch::kTimedOut;
  if (i == 0) return Switch::kNone;
  const Step& prev = log.steps[i - 1];
  if (prev.thread == s.thread || prev.op == "yield" || prev.op == "exit" || prev.result == "blocked") {
    return Switch::kNone;
  }
  const report::StepThreadState* was = thread_state(s.state, prev.thread);
  if (was == nullptr || was->status != "ready") return Switch::kNone;
  *from = prev.thread;
  return Switch::kPreempted;
}

int thread_number(const std::string& id) { return id.size() > 1 && id[0] == 'T' ? std::atoi(id.c_str() + 1) : 1 << 30; }

// "Mutex M2 'x'" -> "M2"; "std::atomic #3" -> "atomic#3"; others numbered by kind.
void name_objects(Timeline& t, const std::vector<std::string>& objects) {
  static const std::regex with_id(R"(^\S+ ([A-Z]\d+)\b.*)");
  static const std::regex numbered(R"(^(?:std::)?(\w+) #(\d+)$)");
  std::map<std::string, int> per_kind;
  for (const std::string& o : objects) {
    if (o.empty() || t.short_names.count(o) != 0) continue;
    std::smatch m;
    std::string name;
    if (std::regex_match(o, m, with_id)) {
      name = m[1].str();
    } else if (std::regex_match(o, m, numbered)) {
      std::string kind = m[1].str() == "condition_variable" ? "cv" : m[1].str();
      name = kind + "#" + m[2].str();
    } else if (o.rfind("Barrier(", 0) == 0 && o.find(' ') == std::string::npos) {
      name = o;
    } else {
      std::string kind = o.substr(0, o.find_first_of(" ("));
      std::string prefix = kind == "Condvar" ? "CV" : kind.find("channel") != std::string::npos ? "CH" : kind;
      name = prefix + std::to_string(++per_kind[prefix]);
    }
    t.short_names[o] = name;
    // A thread's short name is its label's own start ("T1").
    if (name != o && o.rfind("thread ", 0) != 0) t.legend.emplace_back(name, o);
  }
}

// One line for steps[first..last]: who ran, where, doing what.
std::string fold_summary(const Timeline& t, const StepLog& log, size_t first, size_t last, uint64_t missing,
                         size_t switches) {
  size_t kept = last >= first ? last - first + 1 : 0;
  std::string out = thousands(kept + missing) + (kept + missing == 1 ? " step" : " steps");
  if (kept == 0) return out + " the log did not keep (it keeps the beginning and the end of a long run)";
  std::set<int> threads;
  std::map<std::string, size_t> lines;
  std::set<std::string> ops;
  for (size_t i = first; i <= last; ++i) {
    const Step& s = log.steps[i];
    threads.insert(thread_number(s.thread));
    Location at = parse_location(s.at);
    if (!at.file.empty()) ++lines[short_location(at)];
    ops.insert(s.op);
  }
  std::vector<std::string> who;
  for (int n : threads) {
    if (who.size() == 4) {
      who.push_back("+" + std::to_string(threads.size() - 4) + " more");
      break;
    }
    who.push_back(column_label(t, "T" + std::to_string(n)));
  }
  std::vector<std::pair<size_t, std::string>> by_count;
  for (const auto& [line, n] : lines) by_count.emplace_back(n, line);
  std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  out += ": ";
  for (size_t i = 0; i < who.size(); ++i) out += (i ? ", " : "") + who[i];
  if (!by_count.empty()) {
    out += " at ";
    for (size_t i = 0; i < by_count.size() && i < 3; ++i) out += (i ? ", " : "") + by_count[i].second;
    if (by_count.size() > 3) out += "...";
  }
  out += " (";
  size_t n = 0;
  for (const std::string& op : ops) {
    if (n++ == 5) {
      out += ", ...";
      break;
    }
    out += (n > 1 ? ", " : "") + op;
  }
  out += ")";
  if (switches > 0) out += "; " + std::to_string(switches) + (switches == 1 ? " switch" : " switches") + " among them";
  if (missing > 0) out += "; " + thousands(missing) + " of them not kept in the log";
  return out;
}

// Atomic operations that say nothing to the student: those of the
// libraries and the test (outside the exercise), and those inside a
// primitive called on the line of the step that follows them (a spawn's
// reference counts).
std::vector<bool> quiet_steps(const StepLog& log, size_t begin, size_t end, const std::string& focus_file) {
  std::vector<bool> quiet(end - begin + 1, false);
  if (focus_file.empty()) return quiet;
  auto atomic = [&](size_t i) { return log.steps[i].op.rfind("atomic_", 0) == 0; };
  for (size_t i = begin; i <= end; ++i) {
    if (!atomic(i)) continue;
    const Step& s = log.steps[i];
    if (parse_location(s.at).file != focus_file) {
      quiet[i - begin] = true;
      continue;
    }
    size_t run = i;
    while (run + 1 <= end && atomic(run + 1) && log.steps[run + 1].thread == s.thread &&
           log.steps[run + 1].at == s.at) {
      ++run;
    }
    bool inside = run + 1 < log.steps.size() && log.steps[run + 1].thread == s.thread && log.steps[run + 1].at == s.at;
    for (size_t j = i; j <= run; ++j) quiet[j - begin] = inside;
    i = run;
  }
  return quiet;
}

// Which steps to show, as spans of step indices. Quiet steps (atomic
// operations of the libraries and the test, outside the exercise) do not
// count towards a span's length.
class Spans {
 public:
  Spans(const StepLog& log, size_t begin, size_t end, const std::string& focus_file) : begin_(begin), end_(end) {
    std::vector<bool> quiet = quiet_steps(log, begin, end, focus_file);
    for (size_t i = begin; i <= end; ++i) {
      if (!quiet[i - begin]) visible_.push_back(i);
    }
    if (visible_.empty()) visible_.push_back(end);
  }
  // `before` visible steps before `from`, up to `after` visible steps after `to`.
  void add(size_t from, size_t to, size_t before, size_t after) {
    size_t p = position(from), q = position(to);
    size_t lo = p >= before ? visible_[p - before] : begin_;
    size_t hi = std::min(visible_.size() - 1, q + after);
    spans_.emplace_back(std::min(lo, from), std::max(visible_[hi], to));
  }
  // Merged, in order; a gap of one or two steps is shown rather than folded.
  std::vector<std::pair<size_t, size_t>> merged() {
    std::sort(spans_.begin(), spans_.end());
    std::vector<std::pair<size_t, size_t>> out;
    for (auto [lo, hi] : spans_) {
      lo = std::max(lo, begin_);
      hi = std::min(hi, end_);
      if (!out.empty() && lo <= out.back().second + 3) {
        out.back().second = std::max(out.back().second, hi);
      } else {
        out.emplace_back(lo, hi);
      }
    }
    return out;
  }
  bool quiet(size_t i) const { return !std::binary_search(visible_.begin(), visible_.end(), i); }

 private:
  size_t position(size_t i) const {
    auto it = std::lower_bound(visible_.begin(), visible_.end(), i);
    return it == visible_.end() ? visible_.size() - 1 : static_cast<size_t>(it - visible_.begin());
  }
  size_t begin_, end_;
  std::vector<size_t> visible_;
  std::vector<std::pair<size_t, size_t>> spans_;
};

// The switches worth a span of their own: every choice of the schedule (up
// to `max`), and of the scheduler's own time slices, which repeat one
// pattern, the first and the last two before the failure.
std::vector<size_t> switches_shown(const std::vector<size_t>& switches, const std::vector<Row>& rows, size_t begin,
                                   size_t max) {
  std::vector<size_t> chosen, slices;
  for (size_t i : switches) (rows[i - begin].chosen ? chosen : slices).push_back(i);
  auto first_and_last = [](const std::vector<size_t>& all, size_t keep) {
    if (all.size() <= keep || keep == 0) return keep == 0 ? std::vector<size_t>{} : all;
    std::vector<size_t> kept{all.front()};
    kept.insert(kept.end(), all.end() - static_cast<long>(keep - 1), all.end());
    return kept;
  };
  std::vector<size_t> kept = first_and_last(chosen, max);
  for (size_t i : first_and_last(slices, std::min<size_t>(max, 3))) kept.push_back(i);
  std::sort(kept.begin(), kept.end());
  return kept;
}

// After a switch away from a thread that could have gone on, the story goes
// on until that thread runs again: what the others did meanwhile.
size_t until_resumed(const StepLog& log, const Row& row, size_t end, size_t limit) {
  if (row.why != Switch::kPreempted) return row.step;
  for (size_t i = row.step + 1; i <= end && i <= row.step + limit; ++i) {
    if (log.steps[i].thread == row.switched_from) return i;
  }
  return row.step;
}

}  // namespace

std::string thousands(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// ---- Building ----------------------------------------------------------------------------

namespace {

// Thread labels and the failure the timeline leads to; returns the log's
// earliest failure mark, if it has one.
const report::StepMark* label_and_find_failure(Timeline& t, const StepLog& log, const TimelineOptions& options) {
  for (const auto& th : log.threads) {
    t.labels[th.thread] = th.name.empty() ? th.thread : th.thread + " '" + th.name + "'";
  }
  const report::StepMark* mark = nullptr;
  for (const auto& f : log.failures) {
    if (mark == nullptr || f.after_step < mark->after_step) mark = &f;
  }
  if (mark != nullptr) {
    t.failure = failure_of(*mark);
  } else if (log.ending == "deadlock" || log.ending == "livelock") {
    t.failure = Failure{log.ending, "", "", "", {}};
  } else if (options.otherwise) {
    t.failure = options.otherwise;
  }
  return mark;
}

// The steps of the test that failed, up to the failure: indices into
// log.steps, first and last; nullopt when there are none.
std::optional<std::pair<size_t, size_t>> failing_test_steps(Timeline& t, const StepLog& log,
                                                            const report::StepMark* mark) {
  int until = mark != nullptr ? mark->after_step : log.steps.back().step;
  const report::StepMark* test = nullptr;
  int next_test = INT32_MAX;
  for (const auto& m : log.tests) {
    if (m.after_step < std::max(until, 1)) {
      test = &m;
    } else {
      next_test = std::min(next_test, m.after_step);
    }
  }
  if (mark == nullptr && next_test != INT32_MAX) until = std::min(until, next_test);
  if (test != nullptr) t.test = test->kind;
  int from = test != nullptr ? test->after_step : 0;
  auto first_in_test = std::upper_bound(log.steps.begin(), log.steps.end(), from,
                                        [](int n, const Step& s) { return n < s.step; });
  std::optional<size_t> last = index_at_or_before(log, until);
  if (first_in_test == log.steps.end() || !last) return std::nullopt;
  size_t begin = static_cast<size_t>(first_in_test - log.steps.begin());
  size_t end = std::max(begin, *last);
  t.steps_before_test = static_cast<size_t>(std::max(0, log.steps[begin].step - 1));
  t.steps_in_test = static_cast<size_t>(log.steps[end].step - log.steps[begin].step + 1);
  return std::make_pair(begin, end);
}

// A row per step from begin to end, marked with the scheduler's choices (the
// schedule's own deviations, and every switch); `switches` gets the indices
// of the steps that switched or were chosen.
std::vector<Row> step_rows_with_switches(Timeline& t, const StepLog& log, size_t begin, size_t end,
                                         std::vector<size_t>& switches) {
  std::set<uint64_t> deviation_steps;
  std::string error;
  if (auto deviations = schedule::decode_schedule(log.schedule, &error)) {
    for (const auto& d : *deviations) deviation_steps.insert(d.step);
  }
  std::vector<Row> step_rows(end - begin + 1);
  std::set<uint64_t> chosen_seen;
  for (size_t i = begin; i <= end; ++i) {
    Row& r = step_rows[i - begin];
    r.step = i;
    r.why = switch_before(log, i, &r.switched_from);
    uint64_t decision = log.steps[i].decision;
    if (deviation_steps.count(decision) != 0 && chosen_seen.insert(decision).second) r.chosen = true;
    if (r.why == Switch::kPreempted) ++t.preemptions;
    if (r.why != Switch::kNone || r.chosen) switches.push_back(i);
  }
  step_rows.back().failure = t.failure.has_value();
  return step_rows;
}

// The steps worth showing: the scene, each switch shown with what comes
// around it and where the thread switched from runs again, and the failure.
void choose_spans(Spans& spans, const Timeline& t, const StepLog& log, std::vector<Row>& step_rows, size_t begin,
                  size_t end, const std::vector<size_t>& switches, const TimelineOptions& options) {
  spans.add(begin, begin, 0, options.scene_steps > 0 ? options.scene_steps - 1 : 0);
  for (size_t i : switches_shown(switches, step_rows, begin, options.max_switches)) {
    const Row& r = step_rows[i - begin];
    spans.add(i, i, options.around_switch, options.around_switch);
    // And where the thread switched from runs again: what it does then
    // with what it saw before (a store of a value loaded before the switch).
    size_t resumed = until_resumed(log, r, end, options.max_after_switch);
    if (resumed != i && log.steps[resumed].thread == r.switched_from) {
      spans.add(resumed, resumed, 1, 2);
      Row& back = step_rows[resumed - begin];
      if (back.resumes_after == 0) back.resumes_after = log.steps[i - 1].step;
    }
  }
  // A failed assertion comes after the threads' work: few steps lead to it.
  bool assertion = t.failure && t.failure->kind == "test failure";
  spans.add(end, end, !t.failure ? 2 : assertion ? 3 : options.before_failure, 0);
}

// A step row that can fold into a run of quiet ones.
bool foldable(const Spans& spans, const Row& r, size_t i) {
  return spans.quiet(i) && r.why == Switch::kNone && !r.chosen && !r.failure;
}

// The rows: the chosen spans' steps, with folds for what lies between them
// and for quiet runs inside them, up to options.max_rows.
void fold_into_rows(Timeline& t, const StepLog& log, Spans& spans, const std::vector<Row>& step_rows, size_t begin,
                    const TimelineOptions& options) {
  auto fold = [&](size_t first, size_t last, uint64_t missing) {
    Row f;
    f.kind = Row::Kind::kFold;
    f.first = first;
    f.last = last;
    f.missing = missing;
    t.rows.push_back(f);
  };
  std::optional<size_t> shown_before;
  for (const auto& [lo, hi] : spans.merged()) {
    if (shown_before && lo > *shown_before + 1) {
      fold(*shown_before + 1, lo - 1,
           static_cast<uint64_t>(log.steps[lo].step - log.steps[*shown_before].step - 1) - (lo - 1 - *shown_before));
    }
    for (size_t i = lo; i <= hi; ++i) {
      if (i > lo && log.steps[i].step > log.steps[i - 1].step + 1) {
        fold(i, i - 1, static_cast<uint64_t>(log.steps[i].step - log.steps[i - 1].step - 1));  // none kept
      }
      const Row& r = step_rows[i - begin];
      size_t run = i;
      while (run + 1 <= hi && foldable(spans, step_rows[run - begin], run) &&
             foldable(spans, step_rows[run + 1 - begin], run + 1)) {
        ++run;
      }
      if (run > i) {
        fold(i, run, 0);
        i = run;
      } else {
        t.rows.push_back(r);
      }
    }
    shown_before = hi;
    if (t.rows.size() >= options.max_rows) break;
  }
  if (t.rows.size() > options.max_rows) t.rows.resize(options.max_rows);
}

// Names: columns for the threads the shown steps belong to, short names for
// what they act on and hold, and each fold's summary.
void name_columns_and_folds(Timeline& t, const StepLog& log, const std::vector<size_t>& switches) {
  std::set<int> shown_threads;
  std::vector<std::string> objects;
  for (const Row& r : t.rows) {
    if (r.kind != Row::Kind::kStep) continue;
    const Step& s = log.steps[r.step];
    shown_threads.insert(thread_number(s.thread));
    objects.push_back(s.object);
    for (const auto& th : s.state.threads) objects.insert(objects.end(), th.holds.begin(), th.holds.end());
    for (const auto& [object, state] : s.state.objects) objects.push_back(object);
  }
  name_objects(t, objects);
  std::vector<ThreadColumn> columns;
  for (int n : shown_threads) {
    std::string id = "T" + std::to_string(n);
    columns.push_back({id, column_label(t, id)});
  }
  t.columns = columns;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    Row& row = t.rows[r];
    if (row.kind == Row::Kind::kFold) {
      size_t inside = 0;
      for (size_t s : switches) inside += s >= row.first && s <= row.last ? 1 : 0;
      row.summary = fold_summary(t, log, row.first, row.last, row.missing, inside);
    } else if (row.failure) {
      t.failure_row = r;
    }
  }
}

}  // namespace

Timeline build_timeline(const StepLog& log, const TimelineOptions& options) {
  Timeline t;
  t.schedule = log.schedule;
  t.ending = log.ending;
  const report::StepMark* mark = label_and_find_failure(t, log, options);
  if (log.steps.empty()) return t;
  auto range = failing_test_steps(t, log, mark);
  if (!range) return t;
  const auto [begin, end] = *range;
  std::vector<size_t> switches;
  std::vector<Row> step_rows = step_rows_with_switches(t, log, begin, end, switches);
  Spans spans(log, begin, end, options.focus_file);
  choose_spans(spans, t, log, step_rows, begin, end, switches, options);
  fold_into_rows(t, log, spans, step_rows, begin, options);
  name_columns_and_folds(t, log, switches);
  return t;
}

// ---- Words -------------------------------------------------------------------------------

std::string column_label(const Timeline& t, const std::string& thread) {
  auto it = t.labels.find(thread);
  return it == t.labels.end() ? thread : it->second;
}

std::string short_name(const Timeline& t, const std::string& object) {
  auto it = t.short_names.find(object);
  if (it != t.short_names.end()) return it->second;
  // "thread T1 'x'" -> "T1"
  if (object.rfind("thread T", 0) == 0) return object.substr(7, object.find(' ', 7) - 7);
  return object;
}

std::string step_cell(const Timeline& t, const Step& step) {
  std::string op = step.op;
  if (op == "start") return "starts";
  if (op == "exit") return "ends";
  // The object says it is an atomic: "load atomic#3".
  if (op.rfind("atomic_", 0) == 0) op = op.substr(7);
  std::replace(op.begin(), op.end(), '_', ' ');
  if (op == "barrier wait") op = "wait";
  std::string out = op;
  if (!step.object.empty()) out += " " + short_name(t, step.object);
  if (step.result == "blocked") out += " (blocks)";
  if (step.result == "woken") out += " (woken)";
  if (step.result == "timed out") out += " (timed out)";
  if (step.result == "spurious wakeup") out += " (spurious)";
  return out;
}

namespace {

// Replaces each object's full name in `text` by its short name.
std::string shorten(const Timeline& t, std::string text) {
  for (const auto& [full, brief] : t.short_names) {
    if (full == brief) continue;
    for (size_t at = text.find(full); at != std::string::npos; at = text.find(full, at + brief.size())) {
      text.replace(at, full.size(), brief);
    }
  }
  return text;
}

std::vector<std::string> all_state_lines(const Timeline& t, const StepState& state) {
  std::vector<std::string> out;
  // Threads that wait for the same thing are one line: "T2, T3 wait at a Barrier".
  std::vector<std::pair<std::string, std::vector<std::string>>> waits;
  for (const auto& th : state.threads) {
    std::string who = column_label(t, th.thread);
    if (!th.holds.empty()) {
      std::string holds;
      for (const auto& h : th.holds) holds += (holds.empty() ? "" : ", ") + short_name(t, h);
      out.push_back(who + " holds " + holds);
    }
    if (th.waits.empty()) continue;
    std::string what = shorten(t, th.waits);
    auto same = std::find_if(waits.begin(), waits.end(), [&](const auto& w) { return w.first == what; });
    if (same == waits.end()) {
      waits.push_back({what, {who}});
    } else {
      same->second.push_back(who);
    }
  }
  for (const auto& [what, who] : waits) {
    std::string line;
    for (size_t i = 0; i < who.size(); ++i) line += (i == 0 ? "" : i + 1 == who.size() ? " and " : ", ") + who[i];
    // "waits ..." for one thread, "wait ..." for several.
    std::string verb_phrase = who.size() > 1 && what.rfind("waits", 0) == 0 ? "wait" + what.substr(5) : what;
    out.push_back(line + " " + verb_phrase);
  }
  for (const auto& [object, what] : state.objects) out.push_back(short_name(t, object) + ": " + what);
  return out;
}

}  // namespace

std::vector<std::string> state_lines(const Timeline& t, const StepState& state, const StepState* previous) {
  std::vector<std::string> now = all_state_lines(t, state);
  if (previous == nullptr) return now;
  std::vector<std::string> before = all_state_lines(t, *previous);
  std::vector<std::string> changed;
  for (const auto& line : now) {
    if (std::find(before.begin(), before.end(), line) == before.end()) changed.push_back(line);
  }
  return changed;
}

std::map<std::string, Location> thread_positions(const StepLog& log, size_t index) {
  std::map<std::string, Location> at;
  for (size_t i = 0; i <= index && i < log.steps.size(); ++i) {
    const Step& s = log.steps[i];
    if (s.op == "exit") {
      at.erase(s.thread);
    } else if (!s.at.empty()) {
      at[s.thread] = parse_location(s.at);
    }
  }
  return at;
}

std::string switch_note(const Timeline& t, const Row& row, const Step& step) {
  std::string who = column_label(t, step.thread);
  std::string out;
  switch (row.why) {
    case Switch::kPreempted:
      out = "switch: " + column_label(t, row.switched_from) + " could go on, but " + who + " runs now";
      // Not the schedule's choice: the scheduler's default, which keeps a
      // thread running until it has had its time slice.
      if (!row.chosen) out += " (" + column_label(t, row.switched_from) + " has used up its time slice)";
      break;
    case Switch::kSpurious:
      out = who + "'s wait ends without a notification (a spurious wakeup)";
      break;
    case Switch::kTimedOut:
      out = who + "'s wait ends by its timeout";
      break;
    case Switch::kNone:
      out = who + " runs now";
      break;
  }
  if (row.chosen) out += " (the schedule's choice)";
  return out;
}

std::string resume_note(const Timeline& t, const Row& row, const Step& step) {
  if (row.resumes_after == 0) return {};
  int others = step.step - row.resumes_after - 1;
  return column_label(t, step.thread) + " runs again: it was switched out after step " +
         std::to_string(row.resumes_after) + ", and " + std::to_string(others) + (others == 1 ? " step" : " steps") +
         " of other threads ran meanwhile";
}

std::string failure_note(const Timeline& t, Sources* sources) {
  if (!t.failure) return t.ending == "completed" ? "the schedule ran to its end without a failure" : "";
  const Failure& f = *t.failure;
  std::string out = f.kind.empty() ? "failure" : f.kind;
  if (!f.at.file.empty()) out += " at " + short_location(f.at);
  if (!f.tool.empty()) out += " (" + f.tool + ")";
  if (!f.thread.empty()) out += ", in " + column_label(t, f.thread);
  if (sources != nullptr && f.at.line > 0) {
    std::string text = sources->line_text(f.at.file, f.at.line);
    if (!text.empty()) out += "\n    " + std::to_string(f.at.line) + " | " + text;
  }
  if (!f.text.empty() && f.tool.empty()) {
    // An assertion's message: its lines, up to a few.
    size_t start = 0;
    for (int n = 0; n < 8 && start < f.text.size(); ++n) {
      size_t nl = f.text.find('\n', start);
      out += "\n    " + f.text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  return out;
}

}  // namespace racelings::replay
