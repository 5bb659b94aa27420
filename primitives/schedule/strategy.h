// strategy.h
// -----------------------------------------------------------------------------
//
// Internal: the strategies that make the controlled scheduler's decisions.
//
// A decision is either *which thread runs next* (kPick: one of the runnable
// threads, or "let this timed wait time out now") or *whether a condition
// wait wakes spuriously* (kSpurious). Each has a default (see
// schedule_id.h); a strategy may choose something else, and the controller
// records every such deviation, so that any execution, whatever strategy
// made it, replays from its deviations alone.
//
//   * default: always the default: each thread runs until it blocks, yields
//     or has run kFairnessSteps steps in a row while others wait.
//   * replay: the deviations of a schedule id, the default elsewhere.
//   * random: a uniformly random runnable thread at every step, a spurious
//     wakeup one wait in 8, an early timeout one decision in 32 (shuttle's
//     RandomScheduler, with wakeups and timeouts as choices).
//   * pct: Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS
//     2010): random thread priorities, the highest-priority runnable thread
//     runs, and at depth-1 random steps the running thread drops to the
//     lowest priority. A bug of depth d among n threads and k steps is found
//     with probability at least 1/(n k^(d-1)) per run.
//
// The bounded depth-first search lives in the explorer (explorer.cc): its
// executions are replays of a prefix of choices, then the default.
//
// Rust equivalent: shuttle's `scheduler` module (RandomScheduler,
// PctScheduler, ReplayScheduler, DfsScheduler).

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_STRATEGY_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_STRATEGY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "primitives/schedule/schedule_id.h"

namespace racelings {
namespace schedule {

// A running thread that has taken this many steps in a row while others
// could run gives way (a fair scheduler's time slice), so that a spin loop
// lets the thread it waits for run, whatever the strategy.
inline constexpr uint64_t kFairnessSteps = 200;

enum class DecisionKind : uint8_t { kPick, kSpurious };

inline constexpr uint32_t run_value(int thread) { return static_cast<uint32_t>(thread) * 2; }
inline constexpr uint32_t timeout_value(int thread) { return static_cast<uint32_t>(thread) * 2 + 1; }
inline constexpr int value_thread(uint32_t value) { return static_cast<int>(value / 2); }
inline constexpr bool value_is_timeout(uint32_t value) { return (value & 1) != 0; }

struct Decision {
  uint64_t step = 0;
  DecisionKind kind = DecisionKind::kPick;
  // kPick: the thread that was running (-1 if none), whether it may go on
  // (it did not block, yield or use up its time slice), the runnable
  // threads (ascending, `current` among them when it may go on), and the
  // threads in a timed wait that may time out now.
  int current = -1;
  bool current_may_continue = false;
  bool yielded = false;  // The current thread asked to let others run.
  std::vector<int> runnable;
  std::vector<int> timed;
};

// default_choice(): what the default policy picks.
uint32_t default_choice(const Decision& d);

// valid_choice(): whether `value` is one of the decision's options.
bool valid_choice(const Decision& d, uint32_t value);

// is_preemption(): choosing `value` takes the turn from a thread that could
// have gone on (what the DFS bound and shrinking count).
bool is_preemption(const Decision& d, uint32_t value);

class Strategy {
 public:
  virtual ~Strategy() = default;
  // The choice for `d`; `fallback` is the default choice.
  virtual uint32_t choose(const Decision& d, uint32_t fallback) = 0;
  // A new thread exists (for priorities).
  virtual void on_thread(int /*index*/) {}
  // For replay: a forced choice did not fit the program (it differs from the
  // one the id was made on). Counted, reported once.
  virtual uint64_t divergences() const { return 0; }
};

// What the explorer asks a controlled run to do.
enum class StrategyKind : uint32_t { kDefault = 0, kReplay = 1, kRandom = 2, kPct = 3 };

std::unique_ptr<Strategy> make_default_strategy();
std::unique_ptr<Strategy> make_replay_strategy(std::vector<Deviation> forced);
std::unique_ptr<Strategy> make_random_strategy(uint64_t seed);
// `expected_steps`: the k of PCT, an estimate of the execution's length.
std::unique_ptr<Strategy> make_pct_strategy(uint64_t seed, int depth, uint64_t expected_steps);

// A small, fast, seedable generator (splitmix64), the same on every machine.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }

 private:
  uint64_t state_;
};

// mix_seed(): the seed of schedule `index` of an exploration seeded `seed`.
inline uint64_t mix_seed(uint64_t seed, uint64_t index) {
  Rng r(seed * 0x100000001B3ULL ^ (index + 1) * 0x9E3779B97F4A7C15ULL);
  return r.next();
}

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_STRATEGY_H_
