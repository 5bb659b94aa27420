#include "checker/grade_pages.h"

#include "checker/replay_view.h"
#include "checker/runner.h"

namespace racelings::checker {

std::map<std::string, SchedulePage> schedule_pages(const std::vector<FailedExercise>& failed, const ExplorePlan& plan,
                                                   int jobs, const std::string& tree, const std::string& student_dir) {
  ExplorePlan unshrunk = plan;
  unshrunk.shrink = false;
  std::vector<std::pair<const Exercise*, TestRun>> to_explore;
  for (const auto& f : failed) {
    if (f.exploration == nullptr && !f.timed_out)
      to_explore.push_back({f.exercise, explore_test_run(f.binary, unshrunk)});
  }
  auto explored = run_many(to_explore, 1, jobs);
  std::map<std::string, SchedulePage> pages;
  size_t next = 0;
  for (const auto& f : failed) {
    if (f.exploration == nullptr && f.timed_out) continue;
    const RunVerdict& v = f.exploration != nullptr ? *f.exploration : explored[next++][0];
    if (v.clean || v.step_log.empty()) continue;
    SchedulePage page;
    page.page = "replay/" + f.exercise->name + ".html";
    if (!write_replay_page(v, *f.exercise, tree, student_dir + "/" + page.page)) continue;
    page.timeline = timeline_text(v, *f.exercise, tree, /*colour=*/false, /*width=*/110);
    pages[f.exercise->name] = page;
  }
  return pages;
}

}  // namespace racelings::checker
