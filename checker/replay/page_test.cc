// The replay page in a real browser (headless Chromium): it loads without an
// error, its script moves to the row the address names, marks each thread's
// line in the source, draws a deadlock's cycle, and a hostile program's
// names stay text. Screenshots are kept as test artifacts.
#include "checker/replay/page.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "checker/chromium_testing.h"
#include "checker/replay/test_logs.h"
#include "checker/replay/timeline.h"

namespace racelings::replay {
namespace {

using checker::browser::Loaded;
using namespace testing_logs;

// A tree with the exercise's source, so that the page can quote it.
std::string tree() {
  return exercise_tree({{22, "  if (accounts.lock()->contains(name)) return false;"},
                        {23, "  (*accounts.lock())[name] = user;"},
                        {27, "  auto source = from.balance.lock();"},
                        {28, "  auto target = to.balance.lock();"}});
}

std::string page_of(const report::StepLog& log) {
  Timeline t = build_timeline(log);
  Sources sources(tree());
  return render_page(t, log, sources, {"08_check_then_act", kEx, "./racelings replay 08"});
}

Loaded load(const std::string& html, const std::string& name, const std::string& fragment) {
  std::string url = checker::browser::write_page(html, name) + fragment;
  Loaded page = checker::browser::load_in_chromium(url);
  EXPECT_TRUE(page.ok) << "chromium failed (is the Debian package chromium installed?): " << page.log;
  EXPECT_FALSE(checker::browser::has_page_errors(page)) << page.log;
  return page;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ReplayPage, TheFailureRowIsShownWithEachThreadsLine) {
  report::StepLog log = check_then_act(50).parse();
  std::string html = page_of(log);
  Loaded page = load(html, "check-then-act.html", "#failure");
  // The script went to the failure: the position, the row, the note.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page.dom, m, std::regex(R"(id="position">row (\d+) of (\d+))"))) << page.dom;
  EXPECT_EQ(m[1].str(), m[2].str()) << "the failure is the last row";
  EXPECT_TRUE(has(page.dom, "class=\"step failure current\"")) << page.dom;
  EXPECT_TRUE(has(page.dom, "it goes wrong here")) << page.dom;
  // Each thread's line, marked in the source with its name.
  EXPECT_TRUE(std::regex_search(page.dom, std::regex(R"(class="line here[^"]*" id="L0-23">)"))) << page.dom;
  EXPECT_TRUE(has(page.dom, "T1 'user-0'</span>")) << page.dom;
  EXPECT_TRUE(has(page.dom, "» switch: T1 'user-0' could go on, but T2 'user-1' runs now")) << page.dom;
  EXPECT_FALSE(checker::browser::screenshot(checker::browser::write_page(html, "shot.html") + "#failure",
                                            "replay-check-then-act.png")
                   .empty());
}

TEST(ReplayPage, TheAddressNamesTheRowToStartAt) {
  std::string html = page_of(check_then_act(0).parse());
  Loaded page = load(html, "row.html", "#row=3");
  EXPECT_TRUE(has(page.dom, "id=\"position\">row 3 of")) << page.dom;
  EXPECT_TRUE(has(page.dom, "<li>")) << "the state after the step is listed:\n" << page.dom;
}

TEST(ReplayPage, ADeadlockIsDrawnAsItsWaitForCycle) {
  std::string html = page_of(bank_deadlock().parse());
  Loaded page = load(html, "deadlock.html", "#failure");
  EXPECT_TRUE(has(page.dom, "id=\"graph\"")) << page.dom;
  EXPECT_TRUE(has(page.dom, "<svg")) << page.dom;
  EXPECT_TRUE(has(page.dom, "class=\"edge cycle\"")) << page.dom;
  EXPECT_TRUE(has(page.dom, "waits for M2, held by T2 'teller-2', which waits for M1")) << page.dom;
  EXPECT_FALSE(checker::browser::screenshot(checker::browser::write_page(html, "deadlock-shot.html") + "#failure",
                                            "replay-deadlock.png")
                   .empty());
}

TEST(ReplayPage, AHostileProgramsNamesStayText) {
  LogWriter w;
  std::string evil = "</script><script>document.title='pwned'</script><img src=x onerror=alert(1)>";
  w.thread("T0", evil).test("T.t");
  w.step("T0", "lock", "Mutex M1 '" + evil + "'", std::string(kEx) + ":22", "ok",
         state_of(th("T0", "running", "Mutex M1 '" + evil + "'")));
  w.failure("test failure", evil, "T0", std::string(kEx) + ":22").end("completed");
  std::string html = page_of(w.parse());
  Loaded page = load(html, "hostile.html", "#failure");
  EXPECT_FALSE(has(page.dom, "<title>pwned")) << page.dom;
  EXPECT_FALSE(has(page.dom, "<img src=\"x\"")) << page.dom;
  EXPECT_TRUE(has(page.dom, "&lt;/script&gt;&lt;script&gt;document.title")) << page.dom;
  EXPECT_TRUE(has(page.dom, "id=\"position\">row 1 of 1")) << "the script still ran:\n" << page.dom;
}

}  // namespace
}  // namespace racelings::replay
