// The HTML reports, loaded in a real browser (headless Chromium): each page
// must load without a console error or a failed request, and show its tables.
#include "checker/html.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "checker/chromium_testing.h"
#include "checker/grade.h"

namespace racelings::checker {
namespace {

using browser::Loaded;

Loaded load_in_chromium(const std::string& html) {
  Loaded page = browser::load_in_chromium(browser::write_page(html, "page.html"));
  EXPECT_TRUE(page.ok) << "chromium failed (is the Debian package chromium installed?): " << page.log;
  return page;
}

void expect_no_errors(const Loaded& page) {
  EXPECT_FALSE(browser::has_page_errors(page)) << "the page logged an error or failed to load something:\n" << page.log;
}

TEST(Html, TheClassReportLoadsAndShowsTheMatrix) {
  nlohmann::json cls = {
      {"exercises", {"01_spawn_join", "02_move_borrow"}},
      {"students",
       {{{"student", "ada"},
         {"score", 2},
         {"results",
          {{"01_spawn_join", {{"score", 1}, {"reason", ""}, {"kinds", nlohmann::json::array()}}},
           {"02_move_borrow", {{"score", 1}, {"reason", ""}, {"kinds", nlohmann::json::array()}}}}}},
        {{"student", "<script>bob</script>"},
         {"score", 0},
         {"results",
          {{"01_spawn_join", {{"score", 0}, {"reason", "data race"}, {"kinds", {"data race"}}}},
           {"02_move_borrow", {{"score", 0}, {"reason", "not submitted"}, {"kinds", nlohmann::json::array()}}}}}}}}};
  Loaded page = load_in_chromium(class_report_html(cls));
  expect_no_errors(page);
  EXPECT_NE(page.dom.find("id=\"matrix\""), std::string::npos);
  EXPECT_NE(page.dom.find(">ada<"), std::string::npos);
  // A hostile student name is text, not markup.
  EXPECT_NE(page.dom.find("&lt;script&gt;bob&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.dom.find("class=\"pass\""), std::string::npos);
  EXPECT_NE(page.dom.find("class=\"fail\""), std::string::npos);
  EXPECT_NE(page.dom.find("id=\"pass-rates\""), std::string::npos);
  EXPECT_NE(page.dom.find("50%"), std::string::npos);
  EXPECT_NE(page.dom.find(">data race<"), std::string::npos);
}

TEST(Html, TheAuditPageLoadsAndCountsTruePositives) {
  nlohmann::json audit = {{"exercises",
                           {{{"name", "01_spawn_join"},
                             {"chapter", "threads"},
                             {"sanitizer", "tsan"},
                             {"expect", "data race"},
                             {"broken", {{"runs", 5}, {"detected", 5}, {"kinds", {"data race"}}}},
                             {"solution", {{"runs", 5}, {"clean", 4}, {"kinds", {"test failure"}}}}}}},
                          {"summary", {{"exercises", 1}, {"runs", 5}, {"all_detected", true}, {"all_clean", false}}}};
  Loaded page = load_in_chromium(audit_html(audit));
  expect_no_errors(page);
  EXPECT_NE(page.dom.find("id=\"audit\""), std::string::npos);
  EXPECT_NE(page.dom.find("id=\"per-sanitizer\""), std::string::npos);
  EXPECT_NE(page.dom.find("5/5"), std::string::npos);
  EXPECT_NE(page.dom.find("4/5"), std::string::npos);
  // tsan: 5 true positives, 0 false negatives, 4 true negatives, 1 false positive.
  EXPECT_NE(page.dom.find("<td>tsan</td><td class=\"num\">5</td><td class=\"num\">0</td><td class=\"num\">4</td>"
                          "<td class=\"num\">1</td>"),
            std::string::npos)
      << page.dom;
}

TEST(Html, TheAuditPageListsEveryWrongFixWithItsVerdict) {
  nlohmann::json audit = {{"exercises",
                           {{{"name", "23_lost_wakeup"},
                             {"chapter", "condvars"},
                             {"sanitizer", "tsan"},
                             {"expect", "deadlock"},
                             {"broken", {{"runs", 2}, {"detected", 2}, {"kinds", {"deadlock"}}}},
                             {"solution", {{"runs", 2}, {"clean", 2}, {"kinds", nlohmann::json::array()}}},
                             {"mutants",
                              {{{"name", "if_not_loop"},
                                {"mistake", "waits with <if> instead of a loop"},
                                {"expect", "explore"},
                                {"status", "pending exploration"},
                                {"rejected_by", nullptr},
                                {"runs", 2},
                                {"rejected_runs", 0},
                                {"kinds", nlohmann::json::array()},
                                {"why", "only exploration"}},
                               {{"name", "notify_before_post"},
                                {"mistake", "notifies before it posts"},
                                {"expect", "runs"},
                                {"status", "rejected"},
                                {"rejected_by", "runs"},
                                {"runs", 2},
                                {"rejected_runs", 2},
                                {"kinds", {"deadlock"}},
                                {"why", "every run rejects it"}}}}}}},
                          {"summary",
                           {{"exercises", 1},
                            {"runs", 2},
                            {"all_detected", true},
                            {"all_clean", true},
                            {"mutants", 2},
                            {"mutants_rejected", 1},
                            {"mutants_pending_exploration", 1},
                            {"mutants_failed", 0}}}};
  Loaded page = load_in_chromium(audit_html(audit));
  expect_no_errors(page);
  EXPECT_NE(page.dom.find("id=\"mutants\""), std::string::npos);
  EXPECT_NE(page.dom.find("1/2 +1 pending"), std::string::npos) << page.dom;
  EXPECT_NE(page.dom.find("waits with &lt;if&gt; instead of a loop"), std::string::npos);
  EXPECT_NE(page.dom.find(">pending exploration<"), std::string::npos);
  EXPECT_NE(page.dom.find(">notify_before_post<"), std::string::npos);
}

}  // namespace
}  // namespace racelings::checker
