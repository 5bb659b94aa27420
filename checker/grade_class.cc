#include "checker/grade_class.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "checker/grade.h"
#include "checker/html.h"
#include "checker/workspace.h"

namespace racelings::checker {
namespace {

using nlohmann::json;

// A student's row of class.json, from their notes and exercise results;
// nullopt when none of their results is readable.
std::optional<json> student_row(const std::string& out, const std::string& student, const Catalog& catalog) {
  std::string student_dir = out + "/" + student;
  json row{{"student", student}, {"score", 0}, {"results", json::object()}, {"notes", json::array()}};
  if (auto notes = read_file(student_dir + "/notes.json")) {
    auto parsed = json::parse(*notes, nullptr, false);
    if (parsed.is_array()) row["notes"] = parsed;
  }
  int score = 0;
  bool any = false;
  for (const auto& ex : catalog.exercises()) {
    auto text = read_file(student_dir + "/exercises/" + ex.name + ".json");
    json r = text ? json::parse(*text, nullptr, false) : json();
    if (!r.is_object()) continue;
    any = true;
    score += r.value("score", 0);
    row["results"][ex.name] = {
        {"score", r.value("score", 0)}, {"reason", r.value("reason", "")}, {"kinds", r.value("kinds", json::array())}};
    if (r.contains("replay_page")) row["results"][ex.name]["page"] = student + "/" + r.value("replay_page", "");
  }
  if (!any) return std::nullopt;
  row["score"] = score;
  return row;
}

std::string class_csv(const json& cls, const Catalog& catalog) {
  std::ostringstream csv;
  csv << "student";
  for (const auto& ex : catalog.exercises()) csv << "," << ex.name;
  csv << ",total\n";
  for (const auto& row : cls["students"]) {
    csv << row["student"].get<std::string>();
    for (const auto& ex : catalog.exercises()) csv << "," << row["results"][ex.name].value("score", 0);
    csv << "," << row["score"].get<int>() << "\n";
  }
  return csv.str();
}

}  // namespace

bool write_class_outputs(const std::string& out, const std::vector<std::string>& students, const Catalog& catalog) {
  json cls;
  cls["exercises"] = json::array();
  for (const auto& ex : catalog.exercises()) cls["exercises"].push_back(ex.name);
  cls["students"] = json::array();
  for (const std::string& student : students) {
    if (auto row = student_row(out, student, catalog)) cls["students"].push_back(std::move(*row));
  }
  return write_file_atomically(out + "/class.csv", class_csv(cls, catalog)) &&
         write_file_atomically(out + "/class.json", cls.dump(2) + "\n") &&
         write_file_atomically(out + "/report.html", class_report_html(cls));
}

std::string class_report_html(const json& cls) {
  std::ostringstream out;
  const auto& exercises = cls.at("exercises");
  const auto& students = cls.at("students");
  out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>racelings class report</title>"
      << "<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
      << "table{border-collapse:collapse} th,td{border:1px solid #ddd;padding:.25em .45em;text-align:center}"
      << "th.ex{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;white-space:nowrap}"
      << "td.pass{background:#4caf50;color:#fff} td.fail{background:#e57373;color:#fff} td.none{background:#eee;color:#888}"
      << "td.fail a{color:#fff;text-decoration:none} td.name{text-align:left} .bar{background:#4caf50;height:.8em;display:inline-block}"
      << ".bars td{text-align:left}</style></head><body>\n";
  out << "<h1>racelings class report</h1>\n<p>" << students.size() << " students, " << exercises.size()
      << " exercises. Green: passes; red: fails (hover for the reason).</p>\n";
  out << "<h2>Class matrix</h2>\n<table id=\"matrix\"><tr><th>student</th>";
  for (const auto& e : exercises) out << "<th class=\"ex\">" << html_escape(e.get<std::string>()) << "</th>";
  out << "<th>total</th></tr>\n";
  std::map<std::string, int> passes;
  std::map<std::string, int> finding_counts;
  for (const auto& s : students) {
    out << "<tr><td class=\"name\">" << html_escape(s.value("student", "")) << "</td>";
    for (const auto& e : exercises) {
      std::string name = e.get<std::string>();
      const auto& r = s["results"].contains(name) ? s["results"][name] : json::object();
      int score = r.value("score", 0);
      std::string reason = r.value("reason", "");
      passes[name] += score;
      for (const auto& k : r.value("kinds", json::array())) finding_counts[k.get<std::string>()]++;
      std::string cls_name = score > 0 ? "pass" : (reason == "not submitted" ? "none" : "fail");
      std::string mark = score > 0 ? "&#10003;" : (reason == "not submitted" ? "&middot;" : "&#10007;");
      // A failure the scheduler can show links to its timeline.
      std::string page = r.value("page", "");
      if (!page.empty()) mark = "<a href=\"" + html_escape(page) + "\">" + mark + "</a>";
      out << "<td class=\"" << cls_name << "\" title=\"" << html_escape(name + ": " + (score > 0 ? "passes" : reason))
          << "\">" << mark << "</td>";
    }
    out << "<td>" << s.value("score", 0) << "</td></tr>\n";
  }
  out << "</table>\n<h2>Pass rate per exercise</h2>\n<table class=\"bars\" id=\"pass-rates\">";
  for (const auto& e : exercises) {
    std::string name = e.get<std::string>();
    double rate = students.empty() ? 0.0 : static_cast<double>(passes[name]) / static_cast<double>(students.size());
    char pct[16];
    std::snprintf(pct, sizeof(pct), "%.0f%%", rate * 100);
    out << "<tr><td>" << html_escape(name)
        << "</td><td><span class=\"bar\" style=\"width:" << static_cast<int>(rate * 200) << "px\"></span> " << pct
        << "</td></tr>\n";
  }
  out << "</table>\n<h2>Most common findings</h2>\n<table id=\"findings\"><tr><th>finding</th><th>exercises failed with it</th></tr>\n";
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& [k, n] : finding_counts) sorted.push_back({n, k});
  std::sort(sorted.rbegin(), sorted.rend());
  for (const auto& [n, k] : sorted) out << "<tr><td>" << html_escape(k) << "</td><td>" << n << "</td></tr>\n";
  out << "</table>\n</body></html>\n";
  return out.str();
}

}  // namespace racelings::checker
