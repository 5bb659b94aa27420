#include "primitives/schedule/strategy.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace racelings {
namespace schedule {

uint32_t default_choice(const Decision& d) {
  if (d.kind == DecisionKind::kSpurious) return 0;
  if (d.current_may_continue) return run_value(d.current);
  // The next runnable thread after the current one, in index order, round
  // and round: a yielding thread lets every other one have a turn.
  for (int t : d.runnable) {
    if (t > d.current) return run_value(t);
  }
  return d.runnable.empty() ? run_value(d.current) : run_value(d.runnable.front());
}

bool valid_choice(const Decision& d, uint32_t value) {
  if (d.kind == DecisionKind::kSpurious) return value <= 1;
  const std::vector<int>& pool = value_is_timeout(value) ? d.timed : d.runnable;
  return std::find(pool.begin(), pool.end(), value_thread(value)) != pool.end();
}

bool is_preemption(const Decision& d, uint32_t value) {
  return d.kind == DecisionKind::kPick && d.current_may_continue && !d.yielded && value != run_value(d.current);
}

namespace {

class DefaultStrategy final : public Strategy {
 public:
  uint32_t choose(const Decision&, uint32_t fallback) override { return fallback; }
};

class ReplayStrategy final : public Strategy {
 public:
  explicit ReplayStrategy(std::vector<Deviation> forced) {
    for (const Deviation& d : forced) forced_[d.step] = d.value;
  }
  uint32_t choose(const Decision& d, uint32_t fallback) override {
    auto it = forced_.find(d.step);
    if (it == forced_.end()) return fallback;
    if (!valid_choice(d, it->second)) {
      ++divergences_;
      return fallback;
    }
    return it->second;
  }
  uint64_t divergences() const override { return divergences_; }

 private:
  std::map<uint64_t, uint32_t> forced_;
  uint64_t divergences_ = 0;
};

// Odds of the choices that are not about who runs: a spurious wakeup at one
// condition wait in kSpuriousOdds (random) or kPctSpuriousOdds (PCT), an
// early timeout at one decision in kTimeoutOdds (when some wait has a
// deadline). Random wakes a wait spuriously one time in two: an `if` where a
// loop belongs fails only when a thread that really had to wait wakes without
// its condition, and at one in eight that took some 50 schedules of the mix
// to happen (23's if_instead_of_loop); at one in two, a handful. A wait in a
// loop only costs another turn. PCT keeps the rarer wakeups, so that its
// schedules stay close to the ones the operating system would run.
constexpr uint64_t kSpuriousOdds = 2;
constexpr uint64_t kPctSpuriousOdds = 8;
constexpr uint64_t kTimeoutOdds = 32;

class RandomStrategy final : public Strategy {
 public:
  explicit RandomStrategy(uint64_t seed) : rng_(seed) {}
  uint32_t choose(const Decision& d, uint32_t) override {
    if (d.kind == DecisionKind::kSpurious) return rng_.below(kSpuriousOdds) == 0 ? 1 : 0;
    if (!d.timed.empty() && rng_.below(kTimeoutOdds) == 0) {
      return timeout_value(d.timed[rng_.below(d.timed.size())]);
    }
    return run_value(d.runnable[rng_.below(d.runnable.size())]);
  }

 private:
  Rng rng_;
};

class PctStrategy final : public Strategy {
 public:
  PctStrategy(uint64_t seed, int depth, uint64_t expected_steps) : rng_(seed) {
    depth_ = std::max(1, depth);
    uint64_t k = std::max<uint64_t>(expected_steps, 1);
    // depth - 1 distinct change points in [1, k].
    while (static_cast<int>(change_points_.size()) < depth_ - 1 && change_points_.size() < k) {
      change_points_.insert(1 + rng_.below(k));
    }
  }

  void on_thread(int index) override {
    // Initial priorities lie above every priority a change point or a yield
    // gives; ties cannot happen in practice and fall to the lower index.
    priority_[index] = kInitialBase + static_cast<int64_t>(rng_.below(uint64_t{1} << 40));
  }

  uint32_t choose(const Decision& d, uint32_t) override {
    if (d.kind == DecisionKind::kSpurious) return rng_.below(kPctSpuriousOdds) == 0 ? 1 : 0;
    if (d.current >= 0) {
      if (change_points_.count(d.step) != 0) {
        priority_[d.current] = next_low_--;
      } else if (d.yielded) {
        priority_[d.current] = next_low_--;
      }
    }
    if (!d.timed.empty() && rng_.below(kTimeoutOdds) == 0) {
      return timeout_value(d.timed[rng_.below(d.timed.size())]);
    }
    int best = d.runnable.front();
    for (int t : d.runnable) {
      if (priority(t) > priority(best)) best = t;
    }
    return run_value(best);
  }

 private:
  static constexpr int64_t kInitialBase = int64_t{1} << 50;

  int64_t priority(int t) {
    auto it = priority_.find(t);
    if (it == priority_.end()) {
      on_thread(t);
      it = priority_.find(t);
    }
    return it->second;
  }

  Rng rng_;
  int depth_;
  std::set<uint64_t> change_points_;
  std::map<int, int64_t> priority_;
  int64_t next_low_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> make_default_strategy() { return std::make_unique<DefaultStrategy>(); }
std::unique_ptr<Strategy> make_replay_strategy(std::vector<Deviation> forced) {
  return std::make_unique<ReplayStrategy>(std::move(forced));
}
std::unique_ptr<Strategy> make_random_strategy(uint64_t seed) { return std::make_unique<RandomStrategy>(seed); }
std::unique_ptr<Strategy> make_pct_strategy(uint64_t seed, int depth, uint64_t expected_steps) {
  return std::make_unique<PctStrategy>(seed, depth, expected_steps);
}

}  // namespace schedule
}  // namespace racelings
