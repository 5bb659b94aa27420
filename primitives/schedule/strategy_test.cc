// The strategies and the depth-first search, on decisions made up by hand.
#include "primitives/schedule/strategy.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "primitives/schedule/explorer_internal.h"

namespace racelings {
namespace schedule {
namespace {

Decision pick(uint64_t step, int current, bool may_continue, std::vector<int> runnable, std::vector<int> timed = {}) {
  Decision d;
  d.step = step;
  d.kind = DecisionKind::kPick;
  d.current = current;
  d.current_may_continue = may_continue;
  d.runnable = std::move(runnable);
  d.timed = std::move(timed);
  return d;
}

TEST(DefaultChoice, TheRunningThreadGoesOnWhileItMay) {
  EXPECT_EQ(default_choice(pick(1, 1, true, {0, 1, 2})), run_value(1));
}

TEST(DefaultChoice, OtherwiseTheNextThreadAfterItRunsRoundAndRound) {
  EXPECT_EQ(default_choice(pick(1, 1, false, {0, 2})), run_value(2));
  EXPECT_EQ(default_choice(pick(1, 2, false, {0, 1})), run_value(0));
}

TEST(DefaultChoice, NoSpuriousWakeupAndNoEarlyTimeout) {
  Decision d;
  d.kind = DecisionKind::kSpurious;
  EXPECT_EQ(default_choice(d), 0u);
  EXPECT_FALSE(value_is_timeout(default_choice(pick(1, 0, true, {0}, {1}))));
}

TEST(ValidChoice, OnlyTheDecisionsOptions) {
  Decision d = pick(1, 0, true, {0, 2}, {1});
  EXPECT_TRUE(valid_choice(d, run_value(2)));
  EXPECT_FALSE(valid_choice(d, run_value(1)));
  EXPECT_TRUE(valid_choice(d, timeout_value(1)));
  EXPECT_FALSE(valid_choice(d, timeout_value(0)));
}

TEST(Preemption, TakingTheTurnFromAThreadThatCouldGoOn) {
  EXPECT_TRUE(is_preemption(pick(1, 0, true, {0, 1}), run_value(1)));
  EXPECT_FALSE(is_preemption(pick(1, 0, true, {0, 1}), run_value(0)));
  EXPECT_FALSE(is_preemption(pick(1, 0, false, {1}), run_value(1)));
  Decision yielded = pick(1, 0, false, {1});
  yielded.yielded = true;
  EXPECT_FALSE(is_preemption(yielded, run_value(1)));
}

TEST(Replay, ForcedChoicesWhereTheyFitTheDefaultElsewhere) {
  auto s = make_replay_strategy({{2, run_value(1)}, {3, run_value(7)}});
  Decision d1 = pick(1, 0, true, {0, 1});
  EXPECT_EQ(s->choose(d1, default_choice(d1)), run_value(0));
  Decision d2 = pick(2, 0, true, {0, 1});
  EXPECT_EQ(s->choose(d2, default_choice(d2)), run_value(1));
  Decision d3 = pick(3, 1, true, {0, 1});
  EXPECT_EQ(s->choose(d3, default_choice(d3)), run_value(1));  // T7 does not exist here
  EXPECT_EQ(s->divergences(), 1u);
}

// Runs `steps` decisions among three always-runnable threads.
std::vector<uint32_t> run(Strategy& s, int steps) {
  std::vector<uint32_t> out;
  int current = 0;
  for (int i = 1; i <= steps; ++i) {
    Decision d = pick(static_cast<uint64_t>(i), current, true, {0, 1, 2});
    uint32_t v = s.choose(d, default_choice(d));
    out.push_back(v);
    current = value_thread(v);
  }
  return out;
}

TEST(Random, TheSameSeedMakesTheSameChoices) {
  auto a = make_random_strategy(42);
  auto b = make_random_strategy(42);
  auto c = make_random_strategy(43);
  EXPECT_EQ(run(*a, 200), run(*b, 200));
  EXPECT_NE(run(*a, 200), run(*c, 200));
}

TEST(Random, EveryRunnableThreadGetsChosen) {
  auto s = make_random_strategy(7);
  std::set<uint32_t> seen;
  for (uint32_t v : run(*s, 100)) seen.insert(v);
  EXPECT_EQ(seen.size(), 3u);
}

TEST(Pct, TheSameSeedMakesTheSameChoices) {
  auto a = make_pct_strategy(5, 3, 100);
  auto b = make_pct_strategy(5, 3, 100);
  for (int t = 0; t < 3; ++t) {
    a->on_thread(t);
    b->on_thread(t);
  }
  EXPECT_EQ(run(*a, 100), run(*b, 100));
}

TEST(Pct, DepthOneRunsOneThreadUntilItCannotGoOn) {
  auto s = make_pct_strategy(9, 1, 100);
  for (int t = 0; t < 3; ++t) s->on_thread(t);
  std::vector<uint32_t> choices = run(*s, 50);
  // No change points: the highest-priority thread keeps the turn.
  EXPECT_EQ(std::set<uint32_t>(choices.begin(), choices.end()).size(), 1u);
}

TEST(Pct, DepthThreeSwitchesAtMostTwiceAmongAlwaysRunnableThreads) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    auto s = make_pct_strategy(seed, 3, 60);
    for (int t = 0; t < 3; ++t) s->on_thread(t);
    std::vector<uint32_t> choices = run(*s, 60);
    int switches = 0;
    for (size_t i = 1; i < choices.size(); ++i) switches += choices[i] != choices[i - 1] ? 1 : 0;
    EXPECT_LE(switches, 2) << "seed " << seed;
  }
}

TEST(Pct, AYieldingThreadGivesWay) {
  auto s = make_pct_strategy(3, 1, 100);
  s->on_thread(0);
  s->on_thread(1);
  Decision d = pick(1, 0, true, {0, 1});
  int first = value_thread(s->choose(d, default_choice(d)));
  Decision y = pick(2, first, false, {1 - first});
  y.yielded = true;
  EXPECT_EQ(value_thread(s->choose(y, default_choice(y))), 1 - first);
  // Afterwards the other thread has the higher priority.
  Decision after = pick(3, 1 - first, true, {0, 1});
  EXPECT_EQ(value_thread(s->choose(after, default_choice(after))), 1 - first);
}

// ---- The depth-first search -----------------------------------------------------

TraceEntry entry(uint64_t step, int current, bool may_continue, uint64_t runnable, uint32_t chosen) {
  TraceEntry e;
  e.step = step;
  e.current = static_cast<int16_t>(current);
  e.flags = may_continue ? TraceEntry::kMayContinue : 0;
  e.runnable_mask = runnable;
  e.chosen = chosen;
  e.fallback = chosen;
  return e;
}

TEST(DfsSearch, TheFirstExecutionIsTheDefault) {
  DfsSearch dfs(1);
  auto first = dfs.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->empty());
}

TEST(DfsSearch, BoundZeroBranchesOnlyWhereTheTurnIsFree) {
  DfsSearch dfs(0);
  ASSERT_TRUE(dfs.next());
  // Step 1: T0 may go on (a preemption to T1 would cost 1). Step 2: T0
  // blocked, T1 and T2 runnable: a free choice.
  dfs.record({entry(1, 0, true, 0b011, run_value(0)), entry(2, 0, false, 0b110, run_value(1))});
  auto second = dfs.next();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, (std::vector<Deviation>{{2, run_value(2)}}));
  dfs.record({entry(3, 2, true, 0b110, run_value(2))});
  EXPECT_FALSE(dfs.next().has_value());
}

TEST(DfsSearch, BoundOneAddsEveryOnePreemptionSchedule) {
  DfsSearch dfs(1);
  std::set<std::vector<Deviation>> seen;
  // A program with two steps where T0 may go on, T1 runnable throughout.
  auto trace_for = [](const std::vector<Deviation>& forced) {
    std::map<uint64_t, uint32_t> f;
    for (auto& d : forced) f[d.step] = d.value;
    std::vector<TraceEntry> t;
    int current = 0;
    for (uint64_t step = 1; step <= 2; ++step) {
      TraceEntry e = entry(step, current, true, 0b11, run_value(current));
      e.fallback = run_value(current);
      if (f.count(step)) e.chosen = f[step];
      current = value_thread(e.chosen);
      t.push_back(e);
    }
    return t;
  };
  for (int i = 0; i < 20; ++i) {
    auto forced = dfs.next();
    if (!forced) break;
    seen.insert(*forced);
    dfs.record(trace_for(*forced));
  }
  // Bound 0: the default; bound 1: it again, and a switch at step 1 or step 2.
  EXPECT_TRUE(seen.count({}));
  EXPECT_TRUE(seen.count({{1, run_value(1)}}));
  EXPECT_TRUE(seen.count({{2, run_value(1)}}));
  EXPECT_FALSE(seen.count({{1, run_value(1)}, {2, run_value(0)}}));  // Two preemptions.
}

}  // namespace
}  // namespace schedule
}  // namespace racelings
