#include "checker/html.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "checker/replay/escape.h"

namespace racelings::checker {

std::string html_escape(std::string_view text) { return replay::escape(text); }

namespace {

const char* kStyle = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em} .sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:1em 0;width:100%} th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left}
th{background:#f4f4f4;position:sticky;top:0} td.num{text-align:right;font-variant-numeric:tabular-nums}
.good{background:#d9f2d9} .bad{background:#f8d0d0} .mid{background:#fbe9c8}
.pill{display:inline-block;padding:0 .5em;border-radius:1em;background:#eee;margin:0 .2em .2em 0;font-size:.9em}
.summary{display:flex;gap:1em;flex-wrap:wrap} .card{border:1px solid #ddd;border-radius:.5em;padding:.6em 1em;min-width:10em}
.card b{font-size:1.4em;display:block}
)";

std::string rate_class(double rate) { return rate >= 1.0 ? "good" : rate <= 0.0 ? "bad" : "mid"; }

// The wrong fixes kept beside the exercises (checker/mutants.h), one row each.
void mutants_section(std::ostringstream& out, const nlohmann::json& audit) {
  out << "<h2>Wrong fixes</h2>\n<p class=\"sub\">Plausible wrong student fixes kept on purpose: each must be "
      << "rejected by the integrity scan, by the runs, or by schedule exploration (pending when the audit did not explore).</p>\n"
      << "<table id=\"mutants\"><tr><th>exercise</th><th>wrong fix</th><th>what the student got wrong</th>"
      << "<th>expected layer</th><th>verdict</th><th>rejected by</th><th>runs rejected</th><th>shows</th></tr>\n";
  for (const auto& e : audit.at("exercises")) {
    if (!e.contains("mutants")) continue;
    for (const auto& m : e["mutants"]) {
      const std::string status = m.value("status", "");
      const std::string cls = status == "rejected" ? "good" : status == "pending exploration" ? "mid" : "bad";
      std::string shows;
      for (const auto& k : m.value("kinds", nlohmann::json::array())) {
        shows += "<span class=\"pill\">" + html_escape(k.get<std::string>()) + "</span>";
      }
      const auto& by = m.contains("rejected_by") ? m["rejected_by"] : nlohmann::json();
      out << "<tr><td>" << html_escape(e.value("name", "")) << "</td><td>" << html_escape(m.value("name", ""))
          << "</td><td>" << html_escape(m.value("mistake", "")) << "</td><td>" << html_escape(m.value("expect", ""))
          << "</td><td class=\"" << cls << "\" title=\"" << html_escape(m.value("why", "")) << "\">"
          << html_escape(status) << "</td><td>" << (by.is_string() ? html_escape(by.get<std::string>()) : "&ndash;")
          << "</td><td class=\"num\">" << m.value("rejected_runs", 0) << "/" << m.value("runs", 0) << "</td><td>"
          << shows << "</td></tr>\n";
    }
  }
  out << "</table>\n";
}

// "2/2" or "1/2 +1 pending" for an exercise's row.
std::string mutants_cell(const nlohmann::json& e) {
  if (!e.contains("mutants") || e["mutants"].empty()) return "<td class=\"num\">&ndash;</td>";
  int total = 0, rejected = 0, pending = 0;
  for (const auto& m : e["mutants"]) {
    ++total;
    const std::string status = m.value("status", "");
    rejected += status == "rejected";
    pending += status == "pending exploration";
  }
  std::string cls = rejected + pending < total ? "bad" : pending > 0 ? "mid" : "good";
  std::string text = std::to_string(rejected) + "/" + std::to_string(total);
  if (pending > 0) text += " +" + std::to_string(pending) + " pending";
  return "<td class=\"num " + cls + "\">" + text + "</td>";
}

// The cards at the top: detected, clean, wrong fixes rejected.
void summary_cards(std::ostringstream& out, const nlohmann::json& summary) {
  out << "<div class=\"summary\">\n";
  out << "<div class=\"card\">every broken exercise detected<b class=\""
      << (summary.value("all_detected", false) ? "good" : "bad") << "\">"
      << (summary.value("all_detected", false) ? "yes" : "no") << "</b></div>\n";
  out << "<div class=\"card\">every solution clean<b class=\"" << (summary.value("all_clean", false) ? "good" : "bad")
      << "\">" << (summary.value("all_clean", false) ? "yes" : "no") << "</b></div>\n";
  if (summary.contains("mutants")) {
    const int failed = summary.value("mutants_failed", 0), pending = summary.value("mutants_pending_exploration", 0);
    out << "<div class=\"card\">wrong fixes rejected<b class=\""
        << (failed > 0    ? "bad"
            : pending > 0 ? "mid"
                          : "good")
        << "\">" << summary.value("mutants_rejected", 0) << " / " << summary.value("mutants", 0) << "</b>"
        << (pending > 0 ? std::to_string(pending) + " pending exploration" : "") << "</div>\n";
  }
  out << "</div>\n";
}

// DataRaceBench-style confusion counts per sanitizer: a broken run that
// shows its finding is a true positive, one that does not a false
// negative; a clean solution run is a true negative, a dirty one a false positive.
void per_sanitizer_table(std::ostringstream& out, const nlohmann::json& audit) {
  struct Counts {
    int tp = 0, fn = 0, tn = 0, fp = 0;
  };
  std::map<std::string, Counts> per;
  for (const auto& e : audit.at("exercises")) {
    Counts& c = per[e.value("sanitizer", "")];
    int runs = e["broken"].value("runs", 0), detected = e["broken"].value("detected", 0);
    int sruns = e["solution"].value("runs", 0), clean = e["solution"].value("clean", 0);
    c.tp += detected;
    c.fn += runs - detected;
    c.tn += clean;
    c.fp += sruns - clean;
  }
  out << "<h2>Per sanitizer</h2>\n<table id=\"per-sanitizer\"><tr><th>sanitizer</th><th>true positives</th>"
      << "<th>false negatives</th><th>true negatives</th><th>false positives</th><th>recall</th><th>precision</th></tr>\n";
  for (const auto& [san, c] : per) {
    double recall = c.tp + c.fn > 0 ? static_cast<double>(c.tp) / (c.tp + c.fn) : 1.0;
    double precision = c.tp + c.fp > 0 ? static_cast<double>(c.tp) / (c.tp + c.fp) : 1.0;
    char r[32], p[32];
    std::snprintf(r, sizeof(r), "%.2f", recall);
    std::snprintf(p, sizeof(p), "%.2f", precision);
    out << "<tr><td>" << html_escape(san) << "</td><td class=\"num\">" << c.tp << "</td><td class=\"num\">" << c.fn
        << "</td><td class=\"num\">" << c.tn << "</td><td class=\"num\">" << c.fp << "</td><td class=\"num "
        << rate_class(recall) << "\">" << r << "</td><td class=\"num " << rate_class(precision) << "\">" << p
        << "</td></tr>\n";
  }
  out << "</table>\n";
}

std::string kind_pills(const nlohmann::json& kinds) {
  std::string s;
  for (const auto& k : kinds) s += "<span class=\"pill\">" + html_escape(k.get<std::string>()) + "</span>";
  return s;
}

// One row of the per-exercise table.
void exercise_row(std::ostringstream& out, const nlohmann::json& e) {
  int runs = e["broken"].value("runs", 0), detected = e["broken"].value("detected", 0);
  int sruns = e["solution"].value("runs", 0), clean = e["solution"].value("clean", 0);
  out << "<tr><td>" << html_escape(e.value("name", "")) << "</td><td>" << html_escape(e.value("chapter", ""))
      << "</td><td>" << html_escape(e.value("sanitizer", "")) << "</td><td>" << html_escape(e.value("expect", ""))
      << "</td><td class=\"num " << rate_class(runs ? static_cast<double>(detected) / runs : 0) << "\">" << detected
      << "/" << runs << "</td><td class=\"num " << rate_class(sruns ? static_cast<double>(clean) / sruns : 0) << "\">"
      << clean << "/" << sruns << "</td><td>" << kind_pills(e["broken"]["kinds"]) << "</td><td>"
      << kind_pills(e["solution"]["kinds"]) << "</td><td class=\"num\">";
  if (e.contains("slowdown") && e["slowdown"].is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1fx", e["slowdown"].get<double>());
    out << buf;
  } else {
    out << "&ndash;";
  }
  out << "</td>" << mutants_cell(e) << "</tr>\n";
}

void per_exercise_table(std::ostringstream& out, const nlohmann::json& audit) {
  out << "<h2>Per exercise</h2>\n<table id=\"audit\"><tr><th>exercise</th><th>chapter</th><th>sanitizer</th>"
      << "<th>expected</th><th>broken: detected</th><th>solution: clean</th><th>broken version shows</th>"
      << "<th>solution shows</th><th>sanitizer cost</th><th>wrong fixes rejected</th></tr>\n";
  for (const auto& e : audit.at("exercises")) exercise_row(out, e);
  out << "</table>\n";
}

}  // namespace

std::string audit_html(const nlohmann::json& audit) {
  std::ostringstream out;
  const auto& summary = audit.at("summary");
  out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      << "<title>racelings audit</title><style>" << kStyle << "</style></head><body>\n";
  out << "<h1>racelings audit</h1>\n<p class=\"sub\">" << summary.value("exercises", 0) << " exercises, "
      << summary.value("runs", 0) << " run(s) of each broken version and each solution</p>\n";
  summary_cards(out, summary);
  per_sanitizer_table(out, audit);
  per_exercise_table(out, audit);
  mutants_section(out, audit);
  out << "</body></html>\n";
  return out.str();
}

}  // namespace racelings::checker
